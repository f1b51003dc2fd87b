/**
 * Maven runs on the JVM, and its launcher passes the environment on: `bin/mvn` runs $JAVA_HOME/bin/java (else
 * `java` on PATH) with `.mvn/jvm.config` (found from the current directory upwards) and then $MAVEN_OPTS on the
 * command line (https://github.com/apache/maven/blob/maven-3.8.7/apache-maven/src/bin/mvn). So the JVM reads
 * JAVA_TOOL_OPTIONS like any other, and Java's fix covers Maven: the plan is Java's, nothing is written to
 * MAVEN_OPTS or jvm.config. A trust store named there comes later on the command line and wins; that is
 * reported, not overwritten.
 * The check is Maven's own resolver: the parent POM of a throwaway project, from a mirror at the URL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { envOf, isDir, isFile, readText } from '../host-files.ts';
import type { Context, Installation, Verdict } from '../types.ts';
import { java, javaPlanFor } from './java.ts';
import { PROP, splitOptions, sysProp } from './java-options.ts';
import { javaVerdict } from './java-probe.ts';
import { onPath } from './on-path.ts';
import { renderOf } from './renders.ts';
import type { Client } from './types.ts';

/** The JVM bin/mvn starts: $JAVA_HOME/bin/java, else the first `java` on PATH. */
async function mavenJava(ctx: Context): Promise<Installation | undefined> {
  const home = envOf(ctx, 'JAVA_HOME');
  const all = await java.detect(home ? { ...ctx, env: { ...ctx.env, PATH: join(home, 'bin') } } : ctx);
  return all[0];
}

/** `.mvn/jvm.config` of the project around `cwd` (bin/mvn find_maven_basedir), if any. */
async function jvmConfig(cwd: string): Promise<string | null> {
  for (let d = resolve(cwd), i = 0; i < 32; d = dirname(d), i++) {
    if (await isDir(join(d, '.mvn'))) {
      const f = join(d, '.mvn', 'jvm.config');
      return (await isFile(f)) ? f : null;
    }
    if (d === dirname(d)) break;
  }
  return null;
}

const settingsXml = (url: string, proxy: URL | null) => `<settings>
  <mirrors><mirror><id>certifix-probe</id><mirrorOf>*</mirrorOf><url>${url}</url></mirror></mirrors>
${proxy ? `  <proxies><proxy><id>p</id><active>true</active><protocol>https</protocol><host>${proxy.hostname}</host><port>${proxy.port || 80}</port></proxy></proxies>\n` : ''}</settings>
`;

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>certifix</groupId><artifactId>certifix-probe-parent</artifactId><version>1</version></parent>
  <artifactId>certifix-probe</artifactId>
</project>
`;

/** Maven's answer: a PKIX failure is Java's; any other answer about the parent POM means TLS verified. */
export function mavenVerdict(output: string, code: number | null): Verdict {
  const v = javaVerdict(output, code);
  if (v.code !== 'UNKNOWN' && v.code !== 'CONNECT') return v;
  if (
    /Could not find artifact|status code: \d{3}|Not Found|'modelVersion' is missing|Non-parseable POM|was cached in the local/.test(
      output,
    )
  )
    return { ok: true, code: 'OK', message: 'ok' };
  return v;
}

export const maven: Client = {
  id: 'maven',

  detect: async (ctx) => {
    const found = await onPath('maven', 'mvn')(ctx);
    const jvm = found.length ? await mavenJava(ctx) : undefined;
    return found.map((i) => ({
      ...i,
      ...(jvm?.details ? { details: { ...jvm.details, java: jvm.path } } : {}),
    }));
  },

  async trust(inst, ctx) {
    const base = await java.trust(inst, ctx);
    const config = await jvmConfig(ctx.cwd);
    const fromConfig = config ? sysProp(splitOptions((await readText(config)) ?? ''), PROP.store) : undefined;
    const fromOpts = sysProp(splitOptions(envOf(ctx, 'MAVEN_OPTS') ?? ''), PROP.store);
    const named = fromOpts ?? fromConfig;
    // _JAVA_OPTIONS comes after the command line: it still wins over MAVEN_OPTS.
    if (!named || base.via?.startsWith('_JAVA_OPTIONS')) return base;
    const via = fromOpts ? 'MAVEN_OPTS' : `${config} (.mvn/jvm.config)`;
    return {
      ...base,
      source: 'config',
      via: `${via} -D${PROP.store}`,
      path: named,
      files: (await isFile(named)) ? [named] : [],
      why: `${via} names the trust store on Maven's java command line, after JAVA_TOOL_OPTIONS.`,
    };
  },

  render: renderOf('maven'),

  plan: (inst, bundlePath, ctx) =>
    javaPlanFor(
      'maven',
      "Maven's JVM reads JAVA_TOOL_OPTIONS: the same truststore as Java.",
      [
        'Nothing is written to MAVEN_OPTS or .mvn/jvm.config: the JVM bin/mvn starts reads JAVA_TOOL_OPTIONS.',
      ],
      inst,
      bundlePath,
      ctx,
    ),

  async check(inst, url, ctx) {
    // A throwaway project, settings and local repository: the user's ~/.m2 is neither read nor written.
    const dir = await mkdtemp(join(tmpdir(), 'certifix-maven-'));
    try {
      const px = envOf(ctx, 'https_proxy') ?? envOf(ctx, 'HTTPS_PROXY');
      const proxy = px ? new URL(px.includes('://') ? px : `http://${px}`) : null;
      await writeFile(join(dir, 'settings.xml'), settingsXml(url, proxy));
      await writeFile(join(dir, 'pom.xml'), POM);
      const args = [
        '-B',
        '-ntp',
        '-f', // not only cwd: a runner may start it elsewhere
        join(dir, 'pom.xml'),
        '-s',
        join(dir, 'settings.xml'),
        `-Dmaven.repo.local=${join(dir, 'repo')}`,
        'validate',
      ];
      // C1 only and the serial GC: a short JVM spends half the CPU (see java.ts); the user's MAVEN_OPTS come
      // after them, so a trust store named there still applies.
      const opts = `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${envOf(ctx, 'MAVEN_OPTS') ?? ''}`.trim();
      const env = { ...ctx.env, MAVEN_OPTS: opts };
      const r = await ctx.run(inst.path, args, { env, cwd: dir, timeoutMs: 120_000 });
      return mavenVerdict(`${r.stdout}\n${r.stderr}`, r.code);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  },
};
