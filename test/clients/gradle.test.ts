/**
 * Gradle cannot run here (Debian's 4.4.1 does not start on Java 17): its adapter goes through the contract on
 * recorded gradle.properties files (fixtures/gradle, sources in its README) and a PKI made in the test, the
 * client's verdict taken from the store trust() resolves (stores/load.ts trustIndex + core/predict.ts)
 * instead of a real run: detect → fails → plan → apply → verifies → undo → fails → undo again is a no-op, the
 * plans applied and undone by the real executor in a temporary HOME. The JDK is a directory laid out as one
 * (bin/java, lib/security/cacerts holding Mozilla's roots); nothing runs it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayWrite } from '../../src/apply/guard.ts';
import { applyPlans, certifixPaths, drift, undoAll } from '../../src/apply/index.ts';
import { gradle } from '../../src/clients/gradle.ts';
import { gradleUserHome } from '../../src/clients/gradle-settings.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { entriesFor, readJks, writeJks } from '../../src/core/keystore.ts';
import type { Plan } from '../../src/core/plan.ts';
import { defaultPolicy, predict } from '../../src/core/predict.ts';
import { envAfter } from '../../src/fix/plan.ts';
import { trustIndex } from '../../src/stores/load.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import type { Context, Installation } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain } from '../helpers/servers.ts';
import { noRun } from './sandbox.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'gradle');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const TS = 'systemProp.javax.net.ssl.trustStore';

const dir = mkdtempSync(join(tmpdir(), 'certifix-gradle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const project = join(dir, 'project');
const jdk = join(dir, 'jdk');
const userProps = join(home, '.gradle', 'gradle.properties');

function write(path: string, data: string | Buffer, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  if (mode) chmodSync(path, mode);
}

/** A fresh HOME and project: settings.gradle, gradlew, and the given gradle.properties files. */
function laptop(files: { project?: string; user?: string } = {}): void {
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  write(join(project, 'settings.gradle'), "rootProject.name = 'app'\n");
  write(join(project, 'gradlew'), '#!/bin/sh\n', 0o755);
  mkdirSync(join(project, 'app', 'src'), { recursive: true });
  if (files.project !== undefined) write(join(project, 'gradle.properties'), files.project);
  if (files.user !== undefined) write(userProps, files.user);
}

const ctx = (env: NodeJS.ProcessEnv = {}, cwd = join(project, 'app', 'src')): Context => ({
  env: { PATH: join(jdk, 'bin'), HOME: home, ...env },
  home,
  cwd,
  platform: 'linux',
  run: noRun,
});

describe('gradle settings', () => {
  beforeAll(() => {
    write(join(jdk, 'bin', 'java'), '#!/bin/sh\n', 0o755);
    write(join(jdk, 'lib', 'security', 'cacerts'), writeJks(entriesFor(mozillaRoots())));
  });

  it('finds the project gradlew from a subdirectory, and the JDK the daemon runs on', async () => {
    laptop({ project: fixture('gradle-project.properties') });
    const [inst] = await gradle.detect(ctx());
    expect(inst).toMatchObject({
      client: 'gradle',
      path: join(project, 'gradlew'),
      details: { projectRoot: project, userProperties: userProps, javaHome: jdk },
    });
    expect(inst?.details?.store).toBeUndefined();
  });

  it('org.gradle.jvmargs -D wins over JAVA_TOOL_OPTIONS, _JAVA_OPTIONS over both, a user file over the project', async () => {
    const store = join(dir, 'corp.jks');
    write(store, writeJks(entriesFor(mozillaRoots().slice(0, 2))));
    laptop({ project: `org.gradle.jvmargs=-Xmx2g "-Djavax.net.ssl.trustStore=${store}"\n` });
    const env = { JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/elsewhere.jks' };
    const [inst] = (await gradle.detect(ctx(env))) as [Installation];
    const t = await gradle.trust(inst, ctx(env));
    expect(t).toMatchObject({ source: 'config', path: store, files: [store] });
    expect(t.via).toBe(`${join(project, 'gradle.properties')} org.gradle.jvmargs`);
    expect(t.ignores?.[0]).toMatch(/gradle --stop/);
    const under = { _JAVA_OPTIONS: '-Djavax.net.ssl.trustStore=/nope.jks' };
    expect((await gradle.trust(inst, ctx(under))).via).toMatch(/^_JAVA_OPTIONS/);
    // A user-level org.gradle.jvmargs replaces the project's whole line: no trust store any more.
    write(userProps, 'org.gradle.jvmargs=-Xmx4g\n');
    const t2 = await gradle.trust(inst, ctx());
    expect(t2.path).toBe(join(jdk, 'lib', 'security', 'cacerts'));
    expect(t2.why).toMatch(/^Gradle's daemon is a JVM/);
  });

  it('GRADLE_OPTS names the store for the daemon too; GRADLE_USER_HOME moves the file fix may write', async () => {
    laptop();
    const gh = join(dir, 'gradle-home');
    const env = { GRADLE_OPTS: '-Djavax.net.ssl.trustStore=/opt/corp.jks', GRADLE_USER_HOME: gh };
    const [inst] = (await gradle.detect(ctx(env))) as [Installation];
    expect(await gradle.trust(inst, ctx(env))).toMatchObject({
      source: 'env',
      via: 'GRADLE_OPTS',
      files: [],
    });
    expect(inst.details?.userProperties).toBe(join(gh, 'gradle.properties'));
    const c = { env, home, platform: 'linux' as const };
    expect(mayWrite(join(gh, 'gradle.properties'), c)).toBe(true);
    expect(mayWrite(join(gh, 'init.gradle'), c)).toBe(false);
  });
});

describe('the Gradle user home: -Dgradle.user.home, else GRADLE_USER_HOME, else ~/.gradle', () => {
  const optsHome = join(dir, 'opts-gradle-home');
  const envHome = join(dir, 'env-gradle-home');

  it('-Dgradle.user.home in GRADLE_OPTS moves the user gradle.properties, over GRADLE_USER_HOME', async () => {
    laptop();
    // The recorded user file under the property's directory; the variable's directory holds one without a store.
    write(
      join(optsHome, 'gradle.properties'),
      fixture('user-truststore.properties').replace('/home/<USER>', home),
    );
    write(join(envHome, 'gradle.properties'), fixture('android-template.properties'));
    const env = { GRADLE_OPTS: `-Xmx64m "-Dgradle.user.home=${optsHome}"`, GRADLE_USER_HOME: envHome };
    const [inst] = (await gradle.detect(ctx(env))) as [Installation];
    expect(inst.details?.userProperties).toBe(join(optsHome, 'gradle.properties'));
    expect(inst.details?.files?.split('\n')).not.toContain(join(envHome, 'gradle.properties'));
    expect(await gradle.trust(inst, ctx(env))).toMatchObject({
      source: 'config',
      via: `${join(optsHome, 'gradle.properties')} systemProp.javax.net.ssl.trustStore`,
      path: join(home, 'nexus-truststore.jks'),
    });
    // fix writes there, so undo may too; the variable's file is not Gradle's any more.
    const c = { env, home, platform: 'linux' as const };
    expect(mayWrite(join(optsHome, 'gradle.properties'), c)).toBe(true);
    expect(mayWrite(join(envHome, 'gradle.properties'), c)).toBe(false);
  });

  it.for([
    ['nothing set', {}, join(home, '.gradle')],
    ['GRADLE_USER_HOME', { GRADLE_USER_HOME: envHome }, envHome],
    ['JAVA_OPTS', { JAVA_OPTS: `-Dgradle.user.home=${optsHome}`, GRADLE_USER_HOME: envHome }, optsHome],
    [
      'GRADLE_OPTS after JAVA_OPTS',
      { JAVA_OPTS: '-Dgradle.user.home=/a', GRADLE_OPTS: '-Dgradle.user.home=/b' },
      '/b',
    ],
    ['JAVA_TOOL_OPTIONS', { JAVA_TOOL_OPTIONS: '-Dgradle.user.home=/t', GRADLE_USER_HOME: envHome }, '/t'],
    [
      'the command line over JAVA_TOOL_OPTIONS',
      { JAVA_TOOL_OPTIONS: '-Dgradle.user.home=/t', GRADLE_OPTS: '-Dgradle.user.home=/g' },
      '/g',
    ],
    [
      '_JAVA_OPTIONS over the command line',
      { _JAVA_OPTIONS: '-Dgradle.user.home=/u', GRADLE_OPTS: '-Dgradle.user.home=/g' },
      '/u',
    ],
    [
      'a relative path, from where Gradle starts',
      { GRADLE_OPTS: '-Dgradle.user.home=build/gh' },
      join(project, 'build/gh'),
    ],
  ] as const)('%s', ([, env, expected]) => {
    expect(gradleUserHome({ env: { ...env }, home, cwd: project })).toBe(expected);
  });

  it('without a directory to start from (undo), a relative path names nothing but ~/.gradle', () => {
    expect(gradleUserHome({ env: { GRADLE_OPTS: '-Dgradle.user.home=gh' }, home })).toBe(
      join(home, '.gradle'),
    );
  });
});

describe.skipIf(lacks('openssl'))(
  `gradle contract on recorded gradle.properties ${missing('openssl')}`,
  () => {
    let leaf: Cert;
    let untrusted: Cert[];
    let root: string;
    // The company's own store, as the recorded user file names it: a root the bundle does not hold.
    let nexusLeaf: Cert;
    let nexusUntrusted: Cert[];
    beforeAll(() => {
      const chain = makeChain(new Pki(), 'gradle', 'Gradle Corp');
      [leaf, ...untrusted] = parseCerts(chain.leaf.pem + chain.intermediate.pem).certs as [Cert, ...Cert[]];
      root = chain.root.pem;
      const nexus = makeChain(new Pki(), 'nexus', 'Nexus Corp');
      [nexusLeaf, ...nexusUntrusted] = parseCerts(nexus.leaf.pem + nexus.intermediate.pem).certs as [
        Cert,
        ...Cert[],
      ];
      write(join(dir, 'nexus-root.pem'), nexus.root.pem);
    });

    const verdict = async (inst: Installation, c: Context, server: 'corp' | 'nexus' = 'corp') => {
      const source = await gradle.trust(inst, c);
      const [l, u] = server === 'corp' ? [leaf, untrusted] : [nexusLeaf, nexusUntrusted];
      return predict(defaultPolicy(source.profile), {
        leaf: l,
        untrusted: u,
        trusted: trustIndex(source),
        host: 'localhost',
      });
    };

    /** The recorded user file, its placeholder home replaced by the test's; the store it names is written. */
    function userStoreFile(): string {
      return fixture('user-truststore.properties').replace('/home/<USER>', home);
    }
    function writeUserStore(): void {
      const certs = parseCerts(readFileSync(join(dir, 'nexus-root.pem'), 'utf8')).certs;
      write(join(home, 'nexus-truststore.jks'), writeJks(entriesFor(certs), '<PASSWORD>'));
    }

    it.for([
      [
        'no trust store in gradle.properties (Android template): Java’s fix',
        'android-template.properties',
        'java',
      ],
      [
        'no trust store in gradle.properties (Gradle’s own project file)',
        'gradle-project.properties',
        'java',
      ],
      ['a user-level systemProp names the company store (recorded ~/.gradle)', 'user', 'gradle'],
      ['a project-level systemProp names it: only the user file is written', 'project', 'gradle'],
    ] as const)('%s', { timeout: 30_000 }, async ([, where, kind]) => {
      laptop();
      if (where === 'user') laptop({ user: userStoreFile() });
      else if (where === 'project') laptop({ project: userStoreFile() });
      else laptop({ project: fixture(where) });
      writeUserStore();
      const projectFile = join(project, 'gradle.properties');
      const projectBytes = existsSync(projectFile) ? readFileSync(projectFile) : null;
      const userBytes = existsSync(userProps) ? readFileSync(userProps) : null;
      const c = ctx();
      const [inst] = (await gradle.detect(c)) as [Installation];
      const before = await verdict(inst, c);
      expect(before.ok).toBe(false);
      if (kind === 'gradle') expect((await verdict(inst, c, 'nexus')).ok).toBe(true);

      const bundle = certifixPaths(c).bundle;
      const content = renderBundle({ mozilla: mozillaRoots(), extra: parseCerts(root).certs });
      const plan = gradle.plan(inst, bundle, c);
      const plans: Plan[] = [
        { owner: 'certifix', summary: 'bundle', changes: [{ kind: 'file', path: bundle, content }] },
        plan,
      ];
      expect(plan.notes?.join('\n')).toMatch(/gradle --stop/);
      expect(plan.changes.some((x) => x.kind === 'env')).toBe(kind === 'java');
      expect((await applyPlans(plans, c)).changed.length).toBeGreaterThan(0);
      const after = { ...c, env: envAfter(plans, c.env) };
      expect(await verdict(inst, after)).toMatchObject({ ok: true });
      if (kind === 'gradle') {
        // Nothing that worked stops working: the company store's root is in ours, under its password.
        expect(await verdict(inst, after, 'nexus')).toMatchObject({ ok: true });
        const ours = join(dirname(bundle), 'gradle-truststore.jks');
        expect(readJks(readFileSync(ours), '<PASSWORD>').entries.length).toBeGreaterThan(
          mozillaRoots().length,
        );
        expect(readFileSync(userProps, 'utf8')).toContain(`${TS}=${ours}\n`);
        // A second fix, planned from what is on disk now, changes nothing: when the user's own line was the
        // one replaced, their store's roots come from ours.
        const [again] = (await gradle.detect(after)) as [Installation];
        expect(again.details?.ourStore).toBe(ours);
        const replan = [plans[0] as Plan, gradle.plan(again, bundle, after)];
        expect((await applyPlans(replan, after)).changed).toEqual([]);
      } else expect(existsSync(userProps)).toBe(false);
      expect((await applyPlans(plans, c)).changed).toEqual([]);
      // A project's gradle.properties is never written.
      expect(existsSync(projectFile) ? readFileSync(projectFile) : null).toEqual(projectBytes);

      expect((await undoAll(c)).nothing).toBe(false);
      expect(existsSync(userProps) ? readFileSync(userProps) : null).toEqual(userBytes);
      expect(await verdict(inst, c)).toMatchObject({ ok: false, code: before.code });
      expect((await undoAll(c)).nothing).toBe(true);
    });

    it('status sees a user who changed the line fix wrote', { timeout: 30_000 }, async () => {
      laptop({ user: userStoreFile() });
      const c = ctx();
      const [inst] = (await gradle.detect(c)) as [Installation];
      const bundle = certifixPaths(c).bundle;
      const content = renderBundle({ mozilla: mozillaRoots(), extra: parseCerts(root).certs });
      await applyPlans(
        [
          { owner: 'certifix', summary: 'bundle', changes: [{ kind: 'file', path: bundle, content }] },
          gradle.plan(inst, bundle, c),
        ],
        c,
      );
      expect((await drift(c)).find((d) => d.path === userProps)?.state).toBe('ok');
      const text = readFileSync(userProps, 'utf8').replace(
        /^(systemProp\.javax\.net\.ssl\.trustStore=).*$/m,
        '$1/x.jks',
      );
      writeFileSync(userProps, text);
      expect((await drift(c)).find((d) => d.path === userProps)).toMatchObject({ state: 'edited' });
      await undoAll(c);
    });

    it('leaves Gradle alone when the store it names cannot be copied', async () => {
      laptop({ user: `${TS}=${join(home, 'broken.jks')}\n` });
      write(join(home, 'broken.jks'), 'not a keystore');
      const c = ctx();
      const [inst] = (await gradle.detect(c)) as [Installation];
      const plan = gradle.plan(inst, certifixPaths(c).bundle, c);
      expect(plan.changes).toEqual([]);
      expect(plan.summary).toMatch(/Gradle left alone: .*broken\.jks cannot be read as a keystore/);
    });
  },
);
