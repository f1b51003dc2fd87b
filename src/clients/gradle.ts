/**
 * Gradle (`gradle` on PATH, or a project's `gradlew`): the build runs in a daemon JVM, so it trusts what
 * Java trusts (java.ts) unless a Gradle setting names another trust store: JAVA_OPTS/GRADLE_OPTS, an
 * `org.gradle.jvmargs` -D, or `systemProp.javax.net.ssl.trustStore` in a gradle.properties
 * (gradle-settings.ts has the order and the sources).
 *
 * The fix: with no such setting, Java's (JAVA_TOOL_OPTIONS, which the daemon reads). With one, pointing
 * JAVA_TOOL_OPTIONS elsewhere would change nothing, so certifix builds `gradle-truststore.jks` (the store
 * that setting names + the JVM's own store + the merged bundle's roots: nothing trusted before is lost) and
 * sets `systemProp.javax.net.ssl.trustStore` to it in the user's gradle.properties (the Gradle user home's:
 * gradle-settings.ts `gradleUserHome`), the file that wins over a project's. A project's gradle.properties is left alone: it is usually tracked in
 * version control and shared. Undo puts the user's line back byte for byte.
 *
 * Running Gradle would start (or reuse) a daemon and read or write the user's ~/.gradle caches, and this
 * machine's Gradle (Debian's 4.4.1) does not run on Java 17: the adapter is `unobservable`, its result
 * predicted from the store it resolves.
 */
import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Change, Plan } from '../core/plan.ts';
import { getKey } from '../formats/keyfile.ts';
import { properties } from '../formats/properties.ts';
import { envOf, isFile, readText, which } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import {
  decisive,
  GRADLE_TRUSTSTORE,
  gradleFiles,
  isOurs,
  projectRoot,
  type Setting,
  SYSTEM_PROP_STORE,
  settingsOf,
} from './gradle-settings.ts';
import { java, javaPlanFor, uncopyable } from './java.ts';
import { envProp, PROP } from './java-options.ts';
import { NOT_VERIFIED } from './messages.ts';
import { renderOf } from './renders.ts';
import type { Client } from './types.ts';

const DAEMON_NOTE =
  'A Gradle daemon that is already running keeps the trust settings it started with: run `gradle --stop` (or `./gradlew --stop`) once, and the next build starts a new one.';

/** The JVM the daemon runs on: org.gradle.java.home, else $JAVA_HOME/bin/java, else `java` on PATH. */
async function gradleJava(ctx: Context, files: readonly string[]): Promise<Installation | undefined> {
  let home = envOf(ctx, 'JAVA_HOME');
  for (const f of files)
    home = getKey((await readText(f)) ?? '', null, 'org.gradle.java.home', properties) ?? home;
  const env = { ...ctx.env };
  delete env.JAVA_HOME;
  const all = await java.detect(home ? { ...ctx, env: { ...env, PATH: join(home, 'bin') } } : ctx);
  return all[0];
}

/** What fix needs to know, gathered once (plan() cannot read files). */
async function gradleDetails(ctx: Context, installHome: string | undefined): Promise<Record<string, string>> {
  const f = await gradleFiles(ctx, installHome);
  const jvm = await gradleJava(ctx, f.files);
  const stores = await settingsOf(PROP.store, f.files, ctx);
  const current = decisive(PROP.store, stores, ctx);
  // The user's own store under ours, once fix has set ours.
  const own = decisive(
    PROP.store,
    stores.filter((s) => !isOurs(s.value)),
    ctx,
  );
  const password =
    decisive(PROP.password, await settingsOf(PROP.password, f.files, ctx), ctx)?.value ??
    envProp(ctx, PROP.password)?.value;
  const problem = own && (await isFile(own.value)) ? await uncopyable(own.value, password) : undefined;
  return {
    ...(jvm?.details ?? {}),
    ...(jvm ? { java: jvm.path } : {}),
    projectRoot: f.root,
    userProperties: f.user,
    files: f.files.join('\n'),
    ...(installHome ? { gradleHome: installHome } : {}),
    ...(own ? { store: own.value, storeVia: own.via } : {}),
    ...(current && isOurs(current.value) ? { ourStore: current.value } : {}),
    ...(password !== undefined ? { storePassword: password } : {}),
    ...(problem ? { storeProblem: problem } : {}),
  };
}

async function detect(ctx: Context): Promise<Installation[]> {
  const found: Array<{ path: string; home?: string }> = [];
  const wrapper = join(await projectRoot(ctx.cwd), ctx.platform === 'win32' ? 'gradlew.bat' : 'gradlew');
  if (await isFile(wrapper)) found.push({ path: wrapper });
  const bin = await which('gradle', ctx);
  // Debian: /usr/bin/gradle -> /usr/share/gradle/bin/gradle; a distribution's bin/gradle likewise.
  if (bin) found.push({ path: bin, home: dirname(dirname(await realpath(bin).catch(() => bin))) });
  const out: Installation[] = [];
  for (const { path, home } of found)
    out.push({ client: 'gradle', path, details: await gradleDetails(ctx, home) });
  return out;
}

function why(s: Setting): string {
  if (s.kind === 'systemProp')
    return `${s.via} sets the trust store when the build starts, over JAVA_TOOL_OPTIONS and org.gradle.jvmargs; Gradle's downloads use it.`;
  if (s.kind === 'jvmargs')
    return `${s.via} names the trust store on the daemon's command line, after JAVA_TOOL_OPTIONS.`;
  return `${s.via} names the trust store on the Gradle client's command line, and Gradle starts its daemon with it.`;
}

async function trust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const files = (inst.details?.files ?? '').split('\n').filter(Boolean);
  const s = decisive(PROP.store, await settingsOf(PROP.store, files, ctx), ctx);
  const ignores = [DAEMON_NOTE.replace(/: run .*/, ' until `gradle --stop`')];
  if (!s) {
    const base = await java.trust(inst, ctx);
    return { ...base, why: `Gradle's daemon is a JVM: ${base.why}`, ignores };
  }
  const exists = await isFile(s.value);
  return {
    source: s.kind === 'opts' ? 'env' : 'config',
    via: s.via,
    path: s.value,
    files: exists ? [s.value] : [],
    dirs: [],
    profile: 'openssl',
    why: why(s),
    ignores,
    ...(exists ? {} : { warnings: [`${s.via} names ${s.value}, which does not exist`] }),
  };
}

function plan(inst: Installation, bundlePath: string, ctx: Context): Plan {
  const d = inst.details ?? {};
  if (!d.store && !d.ourStore) {
    return javaPlanFor(
      'gradle',
      "Gradle's daemon reads JAVA_TOOL_OPTIONS: the same truststore as Java.",
      [
        'Nothing is written to gradle.properties: no Gradle setting names a trust store, so the JVM options decide.',
        DAEMON_NOTE,
      ],
      inst,
      bundlePath,
      ctx,
    );
  }
  if (d.storeProblem)
    return {
      owner: 'gradle',
      summary: `Gradle left alone: ${d.storeProblem}, and a truststore without its roots would break what works today.`,
      changes: [],
      notes: [
        `To trust the company roots in Gradle too, import each into that store (keytool -importcert -alias <name> -file <root.pem> -keystore <store>), then run fix again.`,
      ],
    };
  const ours = join(dirname(bundlePath), GRADLE_TRUSTSTORE);
  const named = envProp(ctx, PROP.store)?.value;
  const jvmStore = named && named !== 'NONE' ? named : d.defaultStore;
  const from = [d.store, d.ourStore, jvmStore, bundlePath].filter(
    (p, i, all): p is string => p !== undefined && all.indexOf(p) === i,
  );
  const changes: Change[] = [
    {
      kind: 'keystore',
      path: ours,
      from,
      ...(d.storePassword !== undefined ? { password: d.storePassword } : {}),
    },
    {
      kind: 'keyfile',
      format: 'properties',
      path: d.userProperties as string,
      section: null,
      key: SYSTEM_PROP_STORE,
      value: ours,
    },
  ];
  return {
    owner: 'gradle',
    summary: `Build ${ours} (${[d.store, jvmStore].filter(Boolean).join(' + ')} + the merged bundle's roots) and name it with ${SYSTEM_PROP_STORE} in ${d.userProperties}.`,
    changes,
    notes: [
      `${d.storeVia ?? 'A Gradle setting'} names a trust store, which wins over JAVA_TOOL_OPTIONS: its roots are kept in ${ours}.`,
      `${d.userProperties} is your own gradle.properties and wins over a project's; no project's gradle.properties is changed (they are usually in version control).`,
      'The wrapper (gradlew) applies the same setting when it downloads Gradle; an older gradle-wrapper.jar lets a project gradle.properties win there.',
      DAEMON_NOTE,
    ],
  };
}

export const gradle: Client = {
  id: 'gradle',
  detect,
  trust,
  render: renderOf('gradle'),
  plan,
  unobservable:
    "a Gradle build runs in a daemon and reads the user's ~/.gradle: its result is predicted from its trust store",
  async check() {
    return { ok: false, code: NOT_VERIFIED.UNKNOWN, message: 'Gradle is not run (unobservable)' };
  },
};
