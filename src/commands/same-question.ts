/**
 * fix's proof asks each configured client one question: does it verify the URL now? Two installations whose
 * answer comes from the very same code, trust store and settings ask it once. Each entry here is a client whose
 * TLS is provably another's (a cheaper run), with the conditions under which that holds; outside them the
 * client runs for real. `check` never takes these shortcuts: it runs every client itself.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { java } from '../clients/java.ts';
import { pythonRequests } from '../clients/python-requests.ts';
import type { Client } from '../clients/types.ts';
import { envOf, isFile, real, sys } from '../host-files.ts';
import { resolveProxy } from '../net/proxy.ts';
import { parseTarget } from '../net/target.ts';
import type { ClientId, Context, Installation } from '../types.ts';

/** The run that answers an installation's question. */
interface Question {
  /** Installations whose questions share this key share one run. */
  key: string;
  client: Client;
  inst: Installation;
  /** How the answer was obtained, when not by running the client itself. */
  how?: string | undefined;
}

/** The Python environment an interpreter runs in: the same key means the same `import requests`. */
const pythonEnvKey = (d: Installation['details']) =>
  d?.prefix && d.pythonVersion ? `${d.prefix}\0${d.pythonVersion}\0${d.sitePackages ?? ''}` : null;

/** Each client's own run, keyed so that a shortcut below lands on it. */
function ownKey(client: Client, inst: Installation): string {
  if (client.id === 'java') return `java\0${inst.path}`;
  if (client.id === 'python-requests') {
    const env = pythonEnvKey(inst.details);
    if (env) return `requests\0${env}`;
  }
  return `${client.id}\0${inst.path}`;
}

/**
 * Maven before 3.9 fetches through Wagon, whose only transport here is wagon-http; unless
 * `maven.wagon.http.ssl.insecure` is set it connects with `HttpsURLConnection.getDefaultSSLSocketFactory()`,
 * the JVM's default SSLContext (AbstractHttpClientWagon.createSslSocketFactory,
 * https://github.com/apache/maven-wagon/blob/wagon-3.5.3/wagon-providers/wagon-http-shared/src/main/java/org/apache/maven/wagon/shared/http/AbstractHttpClientWagon.java;
 * checked in Debian's wagon-http-shaded.jar of Maven 3.8.7). Java's probe verifies with the same default
 * SSLContext (java-probe.ts), so on the JVM bin/mvn starts, with the same environment (JAVA_TOOL_OPTIONS),
 * it gives Maven's answer. Not when anything could make Maven's JVM differ: a -D in MAVEN_OPTS or MAVEN_ARGS
 * (a trust store, the insecure switch, another transport), a mavenrc file bin/mvn sources
 * (https://github.com/apache/maven/blob/maven-3.8.7/apache-maven/src/bin/mvn), a Maven with the resolver's
 * own HTTP transports (3.9+: maven-resolver-transport-http, 4: -apache/-jdk), or a URL the probe would reach
 * without the proxy Maven's check uses (no_proxy).
 */
async function mavenAsJava(inst: Installation, url: string, ctx: Context): Promise<Question | null> {
  const jvm = inst.details?.java;
  if (!jvm || !inst.details?.javaHome) return null;
  for (const name of ['MAVEN_OPTS', 'MAVEN_ARGS']) if (/(^|\s)-D/.test(envOf(ctx, name) ?? '')) return null;
  if (!envOf(ctx, 'MAVEN_SKIP_RC')) {
    const rcs = [sys(ctx, '/usr/local/etc/mavenrc'), sys(ctx, '/etc/mavenrc'), join(ctx.home, '.mavenrc')];
    for (const rc of rcs) if (await isFile(rc)) return null;
  }
  const lib = join(dirname(dirname(await real(inst.path))), 'lib');
  const jars = await readdir(lib).catch(() => [] as string[]);
  if (!jars.some((j) => j.startsWith('wagon-http'))) return null;
  if (jars.some((j) => /^maven-resolver-transport-(http|apache|jdk)/.test(j))) return null;
  const px = envOf(ctx, 'https_proxy') ?? envOf(ctx, 'HTTPS_PROXY');
  if (px && !resolveProxy(parseTarget(url), ctx.env)) return null;
  const { java: _, ...details } = inst.details;
  return {
    key: `java\0${jvm}`,
    client: java,
    inst: { client: 'java', path: jvm, details },
    how: `Java's probe on Maven's JVM ${jvm}: Maven 3.8's Wagon verifies with the JVM's default SSLContext`,
  };
}

/**
 * `az rest` sends with requests in az's own interpreter: `s.merge_environment_settings(prepped.url, {}, None,
 * not should_disable_connection_verify(), None)` then `s.send(prepped, **settings)` (send_raw_request in
 * https://github.com/Azure/azure-cli/blob/azure-cli-2.45.0/src/azure-cli-core/azure/cli/core/util.py; MSAL's
 * sign-in uses requests too), which is what `requests.get` does (Session.request, requests/sessions.py):
 * REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › certifi, the same proxies. So requests in that interpreter answers for
 * az, unless AZURE_CLI_DISABLE_CONNECTION_VERIFICATION turns verification off (then az runs itself).
 */
async function azAsRequests(inst: Installation, _url: string, ctx: Context): Promise<Question | null> {
  const env = pythonEnvKey(inst.details);
  const python = inst.details?.python;
  if (!env || !python || envOf(ctx, 'AZURE_CLI_DISABLE_CONNECTION_VERIFICATION')) return null;
  return {
    key: `requests\0${env}`,
    client: pythonRequests,
    inst: { client: 'python-requests', path: python, details: inst.details },
    how: `requests in az's interpreter ${python}: az sends with requests.Session and the environment's settings`,
  };
}

const SHORTCUTS: Partial<
  Record<ClientId, (inst: Installation, url: string, ctx: Context) => Promise<Question | null>>
> = {
  maven: mavenAsJava,
  az: azAsRequests,
};

/** The run that answers `inst`'s question: a shortcut when one provably applies, else the client itself. */
export async function questionOf(
  client: Client,
  inst: Installation,
  url: string,
  ctx: Context,
): Promise<Question> {
  const shortcut = await SHORTCUTS[client.id]?.(inst, url, ctx).catch(() => null);
  return shortcut ?? { key: ownKey(client, inst), client, inst };
}
