/**
 * The real clients of the fidelity matrix, each run once inside the laptop against a URL and left to fail
 * the way it fails for a user: no error handler of ours in between, so the whole output is the client's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientId, Runner } from '../../src/types.ts';

export interface Probe {
  /** Everything the client printed (stdout, then stderr). */
  out: string;
  exit: number | null;
}

type Env = Record<string, string>;

const REQUESTS = `import sys, requests
r = requests.get(sys.argv[1], timeout=20, allow_redirects=False)
print("HTTP_STATUS", r.status_code)`;

const URLLIB = `import sys, urllib.request, urllib.error
try:
    print("HTTP_STATUS", urllib.request.urlopen(sys.argv[1], timeout=20).status)
except urllib.error.HTTPError as e:
    print("HTTP_STATUS", e.code)`;

/** Node's https module with no 'error' listener: Node itself prints the uncaught error and its code. */
const NODE = `const [url, proxy] = process.argv.slice(1);
const http = require("node:http"), https = require("node:https"), tls = require("node:tls");
const done = (r) => { console.log("HTTP_STATUS", r.statusCode); process.exit(0); };
if (!proxy) https.get(url, done);
else {
  const u = new URL(url), p = new URL(proxy);
  http.request({ host: p.hostname, port: p.port, method: "CONNECT", path: u.hostname + ":" + u.port })
    .on("connect", (res, socket) => {
      class Tunnel extends https.Agent { createConnection(o) { return tls.connect({ ...o, socket }); } }
      https.get(url, { agent: new Tunnel() }, done);
    }).end();
}`;

/** The command line of each client for `url`; `tmp` is a scratch directory (pip -d, npm cache). */
function command(id: ClientId, url: string, tmp: string, proxy?: string): [string, string[], Env?] {
  switch (id) {
    case 'python-requests':
      return ['python3', ['-c', REQUESTS, url]];
    case 'python-ssl':
      return ['python3', ['-c', URLLIB, url]];
    case 'pip':
      return [
        'python3',
        ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check']
          .concat(['--retries', '0', '--timeout', '20', '-d', join(tmp, 'dl')])
          .concat(['--index-url', `${url}simple/`, 'certifix-probe']),
      ];
    case 'curl':
      return [
        'curl',
        ['-sS', '-o', '/dev/null', '--max-time', '20', '-w', 'HTTP_STATUS %{http_code}\\n', url],
      ];
    case 'git':
      return ['git', ['ls-remote', '--', url], { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' }];
    case 'node':
      return ['node', ['-e', NODE, url, ...(proxy ? [proxy] : [])]];
    case 'npm':
      return [
        'npm',
        [
          'ping',
          '--registry',
          url,
          '--fetch-retries=0',
          '--fetch-timeout=20000',
          '--no-update-notifier',
        ].concat([`--cache=${join(tmp, 'npm')}`, '--logs-max=0']),
      ];
    default:
      throw new Error(`no fidelity probe for ${id}`);
  }
}

/** Run client `id` against `url` through `proxy` (given as https_proxy, as on a company laptop). */
export async function probe(
  run: Runner,
  id: ClientId,
  url: string,
  env: Env,
  proxy?: string,
): Promise<Probe> {
  const tmp = mkdtempSync(join(tmpdir(), 'certifix-fidelity-'));
  try {
    const [cmd, args, extra] = command(id, url, tmp, proxy);
    const proxyEnv = proxy ? { https_proxy: proxy, HTTPS_PROXY: proxy } : {};
    const r = await run(cmd, args, { env: { ...proxyEnv, ...env, ...extra }, timeoutMs: 60_000 });
    return { out: `${r.stdout}\n${r.stderr}`, exit: r.code };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Run `tasks` with at most `n` in flight. */
export async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return out;
}
