/**
 * The Java adapter's pure parts: the JVM's option variables as hotspot splits them, the JAVA_TOOL_OPTIONS
 * value fix writes (the user's options kept), the plan, what `--dry-run` shows for the truststore, and how
 * the probe's output becomes a verdict (lines printed by JDK 17's HttpClient against the lab's servers).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlans, certifixPaths } from '../../src/apply/index.ts';
import { java } from '../../src/clients/java.ts';
import { envProp, propToken, splitOptions, withTrustStore } from '../../src/clients/java-options.ts';
import { javaVerdict } from '../../src/clients/java-probe.ts';
import { maven, mavenVerdict } from '../../src/clients/maven.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { parseCerts } from '../../src/core/cert.ts';
import { entriesFor, readJks, writeJks } from '../../src/core/keystore.ts';
import type { Context, Installation } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';

describe('JVM option variables', () => {
  it.each([
    ['-Xmx1g  -Dfoo=bar', ['-Xmx1g', '-Dfoo=bar']],
    ['"-Da=b c" -Dd=\'e f\'', ['-Da=b c', '-Dd=e f']],
    ['-Dx="/A B/c"', ['-Dx=/A B/c']],
    ['', []],
  ])('%j splits as hotspot does', (value, tokens) => {
    expect(splitOptions(value)).toEqual(tokens);
  });

  it('the last trust store wins, _JAVA_OPTIONS over JAVA_TOOL_OPTIONS', () => {
    const env = {
      JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/a.jks',
      _JAVA_OPTIONS: '-Djavax.net.ssl.trustStore=/b.jks',
    };
    expect(envProp({ env }, 'javax.net.ssl.trustStore')).toEqual({
      variable: '_JAVA_OPTIONS',
      value: '/b.jks',
    });
  });

  it('JAVA_TOOL_OPTIONS keeps the user options, replaces only our own trust store, quotes spaces', () => {
    const ours = '/h/.local/share/certifix/java-truststore.jks';
    expect(withTrustStore(undefined, ours)).toBe(`-Djavax.net.ssl.trustStore=${ours}`);
    const once = withTrustStore('-Xmx2g "-Dapp.name=My App"', ours);
    expect(once).toBe(`-Xmx2g "-Dapp.name=My App" -Djavax.net.ssl.trustStore=${ours}`);
    expect(withTrustStore(once, ours)).toBe(once); // re-run in a shell that has our value
    expect(propToken('javax.net.ssl.trustStore', '/Users/a/Library/Application Support/x.jks')).toBe(
      '"-Djavax.net.ssl.trustStore=/Users/a/Library/Application Support/x.jks"',
    );
    expect(splitOptions(withTrustStore('', '/A B/x.jks'))).toEqual(['-Djavax.net.ssl.trustStore=/A B/x.jks']);
  });
});

describe('plan and --dry-run', () => {
  const pki = new Pki();
  const corp = parseCerts(pki.issue('java-corp', { cn: 'Java Corp Root', ca: true }).pem).certs;
  const pub = parseCerts(pki.issue('java-pub', { cn: 'Java Public Root', ca: true }).pem).certs;

  function setup(env: Record<string, string> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-java-plan-'));
    const cacerts = join(dir, 'jdk', 'cacerts');
    const ctx: Context = {
      env: { HOME: join(dir, 'home'), SHELL: '/bin/bash', ...env },
      home: join(dir, 'home'),
      cwd: dir,
      platform: 'linux',
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
    };
    const inst: Installation = {
      client: 'java',
      path: '/usr/bin/java',
      details: { javaHome: join(dir, 'jdk'), cacerts, defaultStore: cacerts },
    };
    return { dir, cacerts, ctx, inst };
  }

  it('builds the truststore from the JDK store and the bundle this run writes, listed line by line', async () => {
    const { cacerts, ctx, inst } = setup({ JAVA_TOOL_OPTIONS: '-Xss2m' });
    mkdirSync(join(cacerts, '..'), { recursive: true });
    writeFileSync(cacerts, writeJks(entriesFor(pub)));
    const bundle = certifixPaths(ctx).bundle;
    const plan = java.plan(inst, bundle, ctx);
    const store = join(certifixPaths(ctx).dir, 'java-truststore.jks');
    expect(plan.changes).toEqual([
      { kind: 'keystore', path: store, from: [cacerts, bundle] },
      { kind: 'env', name: 'JAVA_TOOL_OPTIONS', value: `-Xss2m -Djavax.net.ssl.trustStore=${store}` },
    ]);
    expect(plan.notes?.join('\n')).toContain('Picked up JAVA_TOOL_OPTIONS');
    const content = renderBundle({ mozilla: [], extra: [...corp, ...pub] });
    const shared = {
      owner: 'certifix',
      summary: 'bundle',
      changes: [{ kind: 'file' as const, path: bundle, content }],
    };
    const dry = await applyPlans([shared, plan], ctx, { dryRun: true, envTargets: ['profile'] });
    const ks = dry.changed.find((c) => c.path === store);
    // The JDK's entry first, then the bundle's root it lacked; never the bytes.
    expect(ks).toMatchObject({ action: 'create', kinds: ['keystore'], owners: ['java'] });
    expect(ks?.added).toEqual([
      `trusted certifix-${pub[0]?.sha256.slice(0, 16)}: CN=Java Public Root`,
      `trusted certifix-${corp[0]?.sha256.slice(0, 16)}: CN=Java Corp Root`,
    ]);
  });

  it("a trust store password in the user's options is the one the truststore is written with", async () => {
    // The JVM checks a JKS file's integrity with javax.net.ssl.trustStorePassword when one is given
    // (TrustStoreManager): written with keytool's default instead, the file would fail to load, and with it
    // every TLS connection of that JVM.
    const { cacerts, ctx, inst } = setup({ _JAVA_OPTIONS: '-Djavax.net.ssl.trustStorePassword=s3cret' });
    mkdirSync(join(cacerts, '..'), { recursive: true });
    writeFileSync(cacerts, writeJks(entriesFor(pub)));
    const bundle = certifixPaths(ctx).bundle;
    const plan = java.plan(inst, bundle, ctx);
    expect(plan.changes[0]).toMatchObject({ kind: 'keystore', password: 's3cret' });
    const content = renderBundle({ mozilla: [], extra: [...corp, ...pub] });
    const shared = {
      owner: 'certifix',
      summary: 'bundle',
      changes: [{ kind: 'file' as const, path: bundle, content }],
    };
    await applyPlans([shared, plan], ctx, { envTargets: ['profile'] });
    const written = readFileSync(join(certifixPaths(ctx).dir, 'java-truststore.jks'));
    expect(readJks(written, 's3cret').entries).toHaveLength(2);
    expect(() => readJks(written, 'changeit')).toThrow(/password was incorrect/);
  });

  it('leaves Java alone when the store it trusts today cannot be copied whole', async () => {
    // A truststore without the roots the JVM trusted before would break what works (a PKCS#12 store whose
    // certificates are password-protected, or a file that is no keystore).
    const { dir } = setup();
    const bin = join(dir, 'jdk', 'bin');
    const security = join(dir, 'jdk', 'lib', 'security');
    mkdirSync(bin, { recursive: true });
    mkdirSync(security, { recursive: true });
    writeFileSync(join(bin, 'java'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(security, 'cacerts'), writeJks(entriesFor(pub)));
    const corpStore = join(dir, 'corp.p12');
    writeFileSync(corpStore, Buffer.from('not a keystore'));
    const ctx: Context = {
      env: {
        HOME: join(dir, 'home'),
        PATH: bin,
        JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${corpStore}`,
      },
      home: join(dir, 'home'),
      cwd: dir,
      platform: 'linux',
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
    };
    const [inst] = await java.detect(ctx);
    expect(inst?.details?.uncopyable).toContain(corpStore);
    const plan = java.plan(inst as Installation, certifixPaths(ctx).bundle, ctx);
    expect(plan.changes).toEqual([]);
    expect(plan.summary).toMatch(/^Java left alone: .*corp\.p12 cannot be read as a keystore/);
    // The JDK's own readable store is copied as before.
    const plain = { ...ctx, env: { ...ctx.env, JAVA_TOOL_OPTIONS: '' } };
    const [ok] = await java.detect(plain);
    expect(ok?.details?.uncopyable).toBeUndefined();
    expect(java.plan(ok as Installation, certifixPaths(plain).bundle, plain).changes).toHaveLength(2);
  });

  it("a trust store the user named is the base, instead of the JDK's", () => {
    const { ctx, inst } = setup({ JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/opt/corp.jks' });
    const plan = java.plan(inst, '/d/bundle.pem', ctx);
    expect(plan.changes[0]).toEqual({
      kind: 'keystore',
      path: '/d/java-truststore.jks',
      from: ['/opt/corp.jks', '/d/bundle.pem'],
    });
  });
});

describe('what the probe printed', () => {
  // JDK 17.0.15 HttpClient against the lab's internal service (an untrusted private CA) and a server whose
  // certificate names another host.
  const PKIX =
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target';
  it.each([
    [
      `Picked up JAVA_TOOL_OPTIONS: -Xss2m\n${PKIX}\nsun.security.validator.ValidatorException: PKIX path building failed`,
      'VERIFY_FAILED',
      PKIX,
    ],
    [
      'javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching localhost found.',
      'HOSTNAME_MISMATCH',
      undefined,
    ],
    ['HTTP_STATUS 404', 'OK', undefined],
    ['java.net.ConnectException', 'CONNECT', undefined],
  ])('%#', (out, code, printed) => {
    const v = javaVerdict(out, 1);
    expect(v.code).toBe(code);
    if (printed) expect(v.printed).toBe(printed);
  });

  it('render() prints what the JDK prints', () => {
    expect(java.render({ ok: false, code: 'VERIFY_FAILED', message: '' }, 'x')).toBe(PKIX);
  });
});

describe('Maven', () => {
  it('plans exactly what Java plans (one truststore, one JAVA_TOOL_OPTIONS), and says why', () => {
    const ctx = {
      env: { JAVA_TOOL_OPTIONS: '-Xss2m' },
      home: '/h',
      cwd: '/h',
      platform: 'linux' as const,
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
    };
    const inst: Installation = {
      client: 'maven',
      path: '/usr/bin/mvn',
      details: { defaultStore: '/j/cacerts' },
    };
    const m = maven.plan(inst, '/d/bundle.pem', ctx);
    expect(m.changes).toEqual(java.plan({ ...inst, client: 'java' }, '/d/bundle.pem', ctx).changes);
    expect(m.notes?.[0]).toMatch(/Nothing is written to MAVEN_OPTS or \.mvn\/jvm\.config/);
  });

  it('a trust store in MAVEN_OPTS wins over JAVA_TOOL_OPTIONS, and is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-maven-'));
    const ctx: Context = {
      env: {
        MAVEN_OPTS: `-Xmx1g -Djavax.net.ssl.trustStore=${dir}/team.jks`,
        JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/x.jks',
      },
      home: dir,
      cwd: dir,
      platform: 'linux',
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
    };
    const t = await maven.trust(
      { client: 'maven', path: '/usr/bin/mvn', details: { cacerts: '/j/cacerts' } },
      ctx,
    );
    expect(t).toMatchObject({
      source: 'config',
      via: 'MAVEN_OPTS -Djavax.net.ssl.trustStore',
      path: `${dir}/team.jks`,
    });
  });

  // Maven 3.8.7 (Debian) against the lab: PKIX before the fix; after it the mirror answers 404 for the POM.
  it.each([
    [
      "[ERROR]     Non-resolvable parent POM for certifix:certifix-probe:1: Could not transfer artifact certifix:certifix-probe-parent:pom:1 from/to certifix-probe (https://localhost:34739/): transfer failed for https://localhost:34739/certifix/certifix-probe-parent/1/certifix-probe-parent-1.pom and 'parent.relativePath' points at wrong local POM @ line 3, column 11: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target -> [Help 2]",
      'VERIFY_FAILED',
    ],
    [
      "[FATAL] Non-resolvable parent POM for certifix:certifix-probe:1: Could not find artifact certifix:certifix-probe-parent:pom:1 in certifix-probe (https://localhost:34739/) and 'parent.relativePath' points at wrong local POM @ line 3, column 11",
      'OK',
    ],
  ])('%#', (out, code) => {
    expect(mavenVerdict(out, 1).code).toBe(code);
  });
});
