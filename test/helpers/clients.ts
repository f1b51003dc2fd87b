/**
 * The real clients, run once each inside a laptop (or any `Runner`) against a URL, optionally through an
 * intercepting proxy given the way a company laptop gives it: `https_proxy` in the environment (Node's
 * https module ignores it, so the Node probe tunnels with CONNECT itself).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '../../src/types.ts';
import { systemPython } from './has.ts';

export interface Runs {
  run: Runner;
}

export interface ClientOpts {
  /** Proxy URL (`http://127.0.0.1:3128`) or anything with a `url`. */
  proxy?: string | { url: string };
  env?: Record<string, string>;
  /** Python interpreter (default: what the pyenv shim `python3` resolves to; pass 'python3' for the shim). */
  python?: string;
  timeoutMs?: number;
}

export interface ClientResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** The certificate error in OpenSSL's words, if the output names one. */
  reason: string | null;
  ms: number;
}

/** Phrases clients print for verification failures → OpenSSL's wording (1.1 spelt "self signed"). */
const REASONS: [RegExp, string][] = [
  [
    /self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN/i,
    'self-signed certificate in certificate chain',
  ],
  [
    /unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/i,
    'unable to get local issuer certificate',
  ],
  [
    /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/i,
    'unable to verify the first certificate',
  ],
  [/unable to get issuer certificate/i, 'unable to get issuer certificate'],
  [/certificate has expired|CERT_HAS_EXPIRED/i, 'certificate has expired'],
  [/self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i, 'self-signed certificate'],
  [
    /Hostname mismatch|no alternative certificate subject name|ERR_TLS_CERT_ALTNAME_INVALID/i,
    'hostname mismatch',
  ],
  // git on Debian links libcurl-gnutls, which says only this.
  [/server certificate verification failed/i, 'server certificate verification failed'],
];

export function verifyReason(text: string): string | null {
  for (const [re, reason] of REASONS) if (re.test(text)) return reason;
  return null;
}

function proxyEnv(opts: ClientOpts): Record<string, string> {
  const p = typeof opts.proxy === 'string' ? opts.proxy : opts.proxy?.url;
  return p ? { https_proxy: p, HTTPS_PROXY: p } : {};
}

async function exec(
  on: Runs,
  cmd: string,
  args: string[],
  opts: ClientOpts,
  env = {},
): Promise<ClientResult> {
  const t0 = Date.now();
  const r = await on.run(cmd, args, {
    env: { ...proxyEnv(opts), ...env, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  const ok = r.code === 0;
  return { ...r, ok, reason: ok ? null : verifyReason(`${r.stderr}\n${r.stdout}`), ms: Date.now() - t0 };
}

const REQUESTS = `import sys, requests
r = requests.get(sys.argv[1], timeout=30)
r.raise_for_status()
print(r.status_code)`;

/** `requests.get(url)`: trusts certifi (or REQUESTS_CA_BUNDLE), not the OS store. */
export function pythonRequests(on: Runs, url: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(on, opts.python ?? systemPython(), ['-c', REQUESTS, url], opts);
}

const URLLIB = `import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=30).status)`;

/** `urllib.request.urlopen(url)`: the ssl module's defaults, i.e. OpenSSL's default paths (the OS store). */
export function pythonUrllib(on: Runs, url: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(on, opts.python ?? systemPython(), ['-c', URLLIB, url], opts);
}

/** `pip download --no-deps <pkg>` from a simple index (pip >= 24.2 verifies with truststore). */
export async function pipDownload(
  on: Runs,
  indexUrl: string,
  opts: ClientOpts & { pkg?: string } = {},
): Promise<ClientResult> {
  const dest = mkdtempSync(join(tmpdir(), 'certifix-pipdl-'));
  try {
    const args = ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check'];
    args.push(
      '--retries',
      '0',
      '--timeout',
      '20',
      '--index-url',
      indexUrl,
      '-d',
      dest,
      opts.pkg ?? 'certifi',
    );
    return await exec(on, opts.python ?? systemPython(), args, opts);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

/** `curl` (Debian: OpenSSL, default CA file /etc/ssl/certs/ca-certificates.crt). */
export function curl(on: Runs, url: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(
    on,
    'curl',
    ['-sS', '--fail', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '30', url],
    opts,
  );
}

/** `git ls-remote <repo>` (Debian: libcurl-gnutls). */
export function gitLsRemote(on: Runs, repoUrl: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(on, 'git', ['ls-remote', repoUrl], opts, { GIT_TERMINAL_PROMPT: '0' });
}

/** `git clone <repo>` into a throw-away directory. */
export async function gitClone(on: Runs, repoUrl: string, opts: ClientOpts = {}): Promise<ClientResult> {
  const dest = mkdtempSync(join(tmpdir(), 'certifix-clone-'));
  try {
    return await exec(on, 'git', ['clone', '-q', repoUrl, join(dest, 'repo')], opts, {
      GIT_TERMINAL_PROMPT: '0',
    });
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

const NODE_HTTPS = `const [url, proxy] = process.argv.slice(1);
const http = require('node:http'), https = require('node:https'), tls = require('node:tls');
const u = new URL(url);
// exit at once: an open CONNECT tunnel would otherwise keep the process alive after a TLS error
const fail = (e) => { console.error((e.code ? e.code + ': ' : '') + e.message); process.exit(1); };
const get = (agent) => https.get(url, { agent }, (res) => {
  res.resume(); console.log(res.statusCode); process.exit(res.statusCode < 400 ? 0 : 3);
}).on('error', fail);
if (!proxy) get(undefined);
else {
  const p = new URL(proxy);
  http.request({ host: p.hostname, port: p.port, method: 'CONNECT', path: u.hostname + ':' + (u.port || 443) })
    .on('connect', (res, socket) => {
      if (res.statusCode !== 200) return fail(new Error('CONNECT answered ' + res.statusCode));
      // TLS over the tunnel; host/servername still come from the URL, so verification is the real one.
      class Tunnel extends https.Agent { createConnection(o) { return tls.connect({ ...o, socket }); } }
      get(new Tunnel());
    })
    .on('error', fail).end();
}`;

/** Node's https module (bundled roots + NODE_EXTRA_CA_CERTS), tunnelling through `proxy` with CONNECT. */
export function nodeHttps(on: Runs, url: string, opts: ClientOpts = {}): Promise<ClientResult> {
  const proxy = typeof opts.proxy === 'string' ? opts.proxy : opts.proxy?.url;
  return exec(on, 'node', ['-e', NODE_HTTPS, url, ...(proxy ? [proxy] : [])], { ...opts, proxy: undefined });
}

const NODE_FETCH = `fetch(process.argv[1]).then((r) => { console.log(r.status); process.exitCode = r.ok ? 0 : 3; },
  (e) => { const c = e.cause ?? e; console.error((c.code ? c.code + ': ' : '') + c.message); process.exitCode = 1; });`;

/** Node's global fetch (undici). No proxy support on Node 20: direct connections only. */
export function nodeFetch(on: Runs, url: string, opts: ClientOpts = {}): Promise<ClientResult> {
  if (opts.proxy) throw new Error('fetch ignores proxies on Node 20; use nodeHttps');
  return exec(on, 'node', ['-e', NODE_FETCH, url], opts);
}

const NPM_FLAGS = [
  '--fetch-retries=0',
  '--fetch-timeout=20000',
  '--no-audit',
  '--no-fund',
  '--no-update-notifier',
];

/** `npm ping --registry <url>` (npm reads https_proxy from the environment). */
export function npmPing(on: Runs, registry: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(on, 'npm', ['ping', '--registry', registry, ...NPM_FLAGS], opts);
}

/** `npm view certifix-probe version --registry <url>`: a real packument fetch. */
export function npmView(on: Runs, registry: string, opts: ClientOpts = {}): Promise<ClientResult> {
  return exec(on, 'npm', ['view', 'certifix-probe', 'version', '--registry', registry, ...NPM_FLAGS], opts);
}
