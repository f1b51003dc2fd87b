import { CertifixError } from '../core/errors.ts';
import { matchesNoProxy } from './no-proxy.ts';
import { hostForUrl } from './target.ts';

/** Environment as passed in by the CLI; the library never reads process.env itself. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ProxyConfig {
  /** `http://host:port`, credentials removed: safe to print and to put in JSON. */
  url: string;
  host: string;
  port: number;
  auth?: { username: string; password: string };
  /** Where it came from: `explicit`, or the variable name (`https_proxy`, `ALL_PROXY`, ...). */
  source: string;
}

/**
 * Variables consulted for an https:// target, first non-empty wins. Lowercase before uppercase and the
 * scheme-specific one before ALL_PROXY, as both tools we imitate do:
 * - curl `detect_proxy` (lib/url.c): `https_proxy`, then `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`;
 *   https://everything.curl.dev/usingcurl/proxies/env
 * - Python `urllib.request.getproxies_environment` (used by requests/pip): reads every `*_proxy` name
 *   case-insensitively, then lets the all-lowercase names override (bpo-26804,
 *   https://github.com/python/cpython/issues/70991); requests' `select_proxy` then prefers `https` over `all`.
 * An empty lowercase value hides its uppercase twin in both. curl then stops (no proxy at all) while
 * requests still falls back to ALL_PROXY; we follow requests, the more common client on these machines.
 */
const PROXY_VARS: readonly (readonly [lower: string, upper: string])[] = [
  ['https_proxy', 'HTTPS_PROXY'],
  ['all_proxy', 'ALL_PROXY'],
];

/** `no_proxy` before `NO_PROXY` (requests: `os.environ.get(k) or os.environ.get(k.upper())`; curl alike). */
const NO_PROXY_VARS = ['no_proxy', 'NO_PROXY'] as const;

/** Pick the proxy a client would use for `target`: explicit `--proxy` wins (even over NO_PROXY, as in
 * requests' `resolve_proxies`), `''` forces a direct connection; else the environment. */
export function resolveProxy(
  target: { host: string; port: number },
  env: Env,
  explicit?: string | null,
): ProxyConfig | null {
  if (explicit !== undefined && explicit !== null) {
    return explicit.trim() === '' ? null : parseProxyUrl(explicit, 'explicit');
  }
  let chosen: { name: string; value: string } | undefined;
  for (const [lower, upper] of PROXY_VARS) {
    const lv = env[lower];
    const value = lv !== undefined ? lv : env[upper];
    if (value?.trim()) {
      chosen = { name: lv !== undefined ? lower : upper, value: value.trim() };
      break;
    }
  }
  if (!chosen) return null;
  const noProxy = NO_PROXY_VARS.map((n) => env[n]).find((v) => v?.trim());
  if (noProxy && matchesNoProxy(noProxy, target.host, target.port)) return null;
  return parseProxyUrl(chosen.value, chosen.name);
}

/**
 * Parse a proxy URL as requests/curl accept it: `http://[user:pass@]host[:port]`, or `host[:port]` with
 * http:// implied. Default port 80 (urllib3, Node agents); curl alone assumes 1080.
 */
export function parseProxyUrl(value: string, source: string): ProxyConfig {
  const text = value.trim();
  const where = source === 'explicit' ? '--proxy' : source;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme?.startsWith('socks')) {
    throw new CertifixError('PROXY', `${where} is a SOCKS proxy (${scheme}://), which certifix cannot use`, {
      hint: 'pass the HTTP (CONNECT) port of your proxy with --proxy http://host:port',
    });
  }
  if (scheme !== undefined && scheme !== 'http') {
    throw new CertifixError(
      'PROXY',
      `${where} uses ${scheme}://; only http:// (CONNECT) proxies are supported`,
    );
  }
  let url: URL;
  try {
    url = new URL(scheme ? text : `http://${text}`);
  } catch (cause) {
    throw new CertifixError('PROXY', `${where} is not a proxy URL: ${JSON.stringify(text)}`, { cause });
  }
  if (!url.hostname) throw new CertifixError('PROXY', `${where} has no host: ${JSON.stringify(text)}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : 80;
  const out: ProxyConfig = { url: `http://${hostForUrl(host)}:${port}`, host, port, source };
  if (url.username || url.password) {
    out.auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  }
  return out;
}
