/**
 * Java (the JDK's HttpClient, HttpsURLConnection, and everything on the JVM: Maven, Gradle, IDEs' builds).
 * The JSSE trusts one keystore: javax.net.ssl.trustStore, else jssecacerts, else $JAVA_HOME/lib/security/cacerts
 * (java-options.ts PROP). On Debian that cacerts is a JKS copy of /etc/ssl/certs kept by ca-certificates-java;
 * Temurin and Oracle ship their own Mozilla-like list. PEM bundles and SSL_CERT_FILE mean nothing to it.
 *
 * The fix: a truststore of our own (the JDK's store + the merged bundle's roots, JKS: core/keystore.ts says
 * why) at a stable path in certifix's data directory, named by -Djavax.net.ssl.trustStore in
 * JAVA_TOOL_OPTIONS, which every JVM reads. The JDK's own cacerts is left alone unless the user asks for an
 * import into it (`fix --java-cacerts`, java-cacerts.ts).
 *
 * Verification differs from OpenSSL's in ways the prediction does not model: any certificate in the store is
 * an anchor (PKIX TrustAnchor, no self-signed requirement), and jdk.certpath.disabledAlgorithms in
 * conf/security/java.security refuses MD2/MD5, RSA/DSA keys < 1024 bits and EC < 224 (JDK 17's defaults).
 */
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readFileBounded } from '../bounded.ts';
import { readKeystore } from '../core/keystore.ts';
import type { Plan } from '../core/plan.ts';
import { envOf, isFile, readText, whichAll } from '../host-files.ts';
import type { ClientId, Context, Installation, TrustSource } from '../types.ts';
import { cacertsPlan } from './java-cacerts.ts';
import { envProp, PROP, withTrustStore } from './java-options.ts';
import { JAVA_PROBE, javaVerdict } from './java-probe.ts';
import { renderOf } from './renders.ts';
import type { Client } from './types.ts';

/** The file name of certifix's truststore, next to the merged bundle. */
const TRUSTSTORE_NAME = 'java-truststore.jks';

/** cacerts relative to a Java home: JDK 9+ images, and a JDK 8 whose `java` is bin/ of the JDK. */
const CACERTS = ['lib/security/cacerts', 'jre/lib/security/cacerts'];

/** The JDK's `release` file names its version (`JAVA_VERSION="17.0.15"`), so no JVM has to start. */
async function releaseVersion(home: string): Promise<string | undefined> {
  const text = (await readText(join(home, 'release'))) ?? '';
  return /^JAVA_VERSION="([^"]+)"/m.exec(text.slice(0, 64 * 1024))?.[1];
}

/** One Java home: where its `java` really lives, its cacerts and jssecacerts. */
async function javaHome(java: string): Promise<Installation | null> {
  const real = await realpath(java).catch(() => null);
  if (!real) return null;
  const home = dirname(dirname(real));
  for (const rel of CACERTS) {
    const cacerts = join(home, rel);
    if (!(await isFile(cacerts))) continue;
    const jssecacerts = join(dirname(cacerts), 'jssecacerts');
    return {
      client: 'java',
      path: java,
      version: await releaseVersion(home),
      details: {
        javaHome: home,
        cacerts,
        // The JSSE prefers jssecacerts to cacerts when it exists (java-options.ts PROP).
        defaultStore: (await isFile(jssecacerts)) ? jssecacerts : cacerts,
      },
    };
  }
  return null;
}

/**
 * Why the store a JVM trusts today cannot be copied whole into certifix's truststore, or undefined when it can.
 * Pointing every JVM at a truststore that lacks roots they trusted before would break what worked, so then
 * Java is left alone. A PKCS#12 store's certificates are usually password-protected (keytool's default).
 */
export async function uncopyable(path: string, password: string | undefined): Promise<string | undefined> {
  try {
    const ks = readKeystore(await readFileBounded(path));
    // With the password the user's options give, the JDK's keytool lists them (apply/keystore.ts).
    if (ks.encrypted > 0 && password === undefined)
      return `${path} holds ${ks.encrypted} password-protected part(s) certifix cannot copy`;
    if (ks.entries.length === 0 && ks.encrypted === 0) return `${path} holds no certificates`;
    return undefined;
  } catch (e) {
    return `${path} cannot be read as a keystore (${(e as Error).message})`;
  }
}

/** This JDK's keytool (it reads a PKCS#12 store's password-protected certificates for the copy). */
const keytoolOf = (inst: Installation) =>
  join(inst.details?.javaHome ?? dirname(dirname(inst.path)), 'bin', 'keytool');

/** The store this JVM trusts before any fix: the one the options name (unless it is ours), else the default. */
function baseStore(inst: Installation, ctx: Pick<Context, 'env'>): string | undefined {
  const named = envProp(ctx, PROP.store)?.value;
  return named && named !== 'NONE' && basename(named) !== TRUSTSTORE_NAME
    ? named
    : inst.details?.defaultStore;
}

/** `java` on PATH, then $JAVA_HOME/bin/java when it is another JDK (build tools use JAVA_HOME). */
async function detect(ctx: Context): Promise<Installation[]> {
  const candidates = (await whichAll('java', ctx)).slice(0, 1);
  const home = envOf(ctx, 'JAVA_HOME');
  if (home) candidates.push(join(home, 'bin', 'java'));
  const out: Installation[] = [];
  for (const java of candidates) {
    const inst = await javaHome(java);
    if (!inst || out.some((o) => o.details?.javaHome === inst.details?.javaHome)) continue;
    const base = baseStore(inst, ctx);
    const password = envProp(ctx, PROP.password)?.value;
    const problem = base && (await isFile(base)) ? await uncopyable(base, password) : undefined;
    out.push(problem ? { ...inst, details: { ...inst.details, uncopyable: problem } } : inst);
  }
  return out;
}

async function trust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const profile = 'openssl' as const;
  const fallback = inst.details?.cacerts ?? '';
  const named = envProp(ctx, PROP.store);
  const type = envProp(ctx, PROP.type);
  const typeNote = type ? ` (${type.variable} sets the store type ${type.value})` : '';
  if (named && named.value !== 'NONE') {
    const via = `${named.variable} -D${PROP.store}`;
    if (await isFile(named.value))
      return {
        source: 'env',
        via,
        path: named.value,
        files: [named.value],
        dirs: [],
        profile,
        why: `${named.variable} names the trust store${typeNote}${named.variable === 'JAVA_TOOL_OPTIONS' ? "; every JVM reads it, Maven's and Gradle's too" : ''}.`,
      };
    // Not a readable file: the JSSE falls back to cacerts (not jssecacerts).
    return {
      source: 'cacerts',
      via,
      path: fallback,
      files: [fallback],
      dirs: [],
      profile,
      why: `${named.variable} names a trust store that does not exist, so Java uses cacerts.`,
      warnings: [`${via} points to ${named.value}, which does not exist`],
    };
  }
  const store = inst.details?.defaultStore ?? fallback;
  const real = await realpath(store).catch(() => store);
  // Debian/Ubuntu and Fedora link cacerts to a copy of the OS store that their CA tooling keeps in sync.
  const osManaged = /^\/etc\/(ssl\/certs\/java|pki\/ca-trust\/extracted\/java)\//.test(real);
  return {
    source: osManaged ? 'system' : 'cacerts',
    path: store,
    files: [store],
    dirs: [],
    profile,
    why: osManaged
      ? `Java reads ${store}, which the OS's CA tooling keeps as a copy of its store${typeNote}.`
      : `Java reads its own ${store.endsWith('jssecacerts') ? 'jssecacerts' : 'cacerts'}${typeNote}.`,
  };
}

export const java: Client = {
  id: 'java',

  detect,

  trust,

  render: renderOf('java'),

  plan(inst, bundlePath, ctx) {
    if (ctx.javaCacerts) return cacertsPlan(inst, bundlePath, ctx);
    const store = join(dirname(bundlePath), TRUSTSTORE_NAME);
    const problem = inst.details?.uncopyable;
    if (problem)
      return {
        owner: 'java',
        summary: `Java left alone: ${problem}, and a truststore without its roots would break what works today.`,
        changes: [],
        notes: [
          `To trust the company roots in Java too, import each into that store (keytool -importcert -alias <name> -file <root.pem> -keystore <store>), or name a store certifix can read with -D${PROP.store}, then run fix again.`,
        ],
      };
    // What the JVM trusts now stays trusted: a trust store the user named, else the JDK's default one.
    const named = envProp(ctx, PROP.store)?.value;
    const base = named && named !== store && named !== 'NONE' ? named : inst.details?.defaultStore;
    // A password in the user's options (in any variable, the last one wins) is the one the JVM will check
    // our file with: it must be written with it.
    const password = envProp(ctx, PROP.password)?.value;
    return {
      owner: 'java',
      summary: `Build ${store} (${base ?? "the JDK's cacerts"} + the merged bundle's roots) and point every JVM at it with JAVA_TOOL_OPTIONS.`,
      changes: [
        {
          kind: 'keystore',
          path: store,
          from: [...(base ? [base] : []), bundlePath],
          ...(password !== undefined ? { password, keytool: keytoolOf(inst) } : {}),
        },
        { kind: 'env', name: 'JAVA_TOOL_OPTIONS', value: withTrustStore(ctx.env.JAVA_TOOL_OPTIONS, store) },
      ],
      notes: [
        'Every JVM prints "Picked up JAVA_TOOL_OPTIONS: …" on stderr when it starts (hotspot arguments.cpp); a script that parses java\'s stderr sees that line.',
        'Maven and Gradle run on the JVM and read JAVA_TOOL_OPTIONS too (the Maven JVM, Gradle daemons and workers); a Gradle daemon started before this keeps its old trust store until `gradle --stop`.',
        `A -D${PROP.store} on a command line, in MAVEN_OPTS, .mvn/jvm.config or org.gradle.jvmargs comes after JAVA_TOOL_OPTIONS and wins over it.`,
        "The JDK's own cacerts is not changed; `certifix refresh` rebuilds the truststore when the JDK's list or the bundle changes.",
      ],
    };
  },

  async check(inst, url, ctx) {
    // The probe is a single source file run by the `java` launcher (JEP 330, Java 11+): nothing is compiled
    // to disk, and the temporary directory goes afterwards. C1 only and the serial GC halve the CPU a
    // short-lived JVM spends compiling the probe (measured: 2.2 s → 1.3 s of user time, JDK 17); neither
    // touches TLS or trust.
    const dir = await mkdtemp(join(tmpdir(), 'certifix-java-'));
    try {
      const file = join(dir, 'CertifixProbe.java');
      await writeFile(file, JAVA_PROBE);
      const args = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', file, url];
      const r = await ctx.run(inst.path, args, { env: ctx.env, cwd: dir, timeoutMs: 90_000 });
      return javaVerdict(`${r.stdout}\n${r.stderr}`, r.code);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  },
};

/** The plan of a build tool whose JVM follows Java's choice: Java's plan, said in the tool's words. */
export function javaPlanFor(
  owner: ClientId,
  why: string,
  notes: string[],
  inst: Installation,
  bundlePath: string,
  ctx: Context,
): Plan {
  const p = java.plan(inst, bundlePath, ctx);
  return { ...p, owner, summary: `${why} ${p.summary}`, notes: [...notes, ...(p.notes ?? [])] };
}
