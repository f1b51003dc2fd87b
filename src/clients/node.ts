/**
 * Node.js: its bundled Mozilla roots plus NODE_EXTRA_CA_CERTS ("the well known root CAs will be extended with
 * the extra certificates in file ... a message will be emitted if the file is missing", and neither is used
 * when a `ca` option is passed: https://nodejs.org/api/cli.html#node_extra_ca_certsfile); --use-openssl-ca
 * switches to OpenSSL's SSL_CERT_FILE/SSL_CERT_DIR/defaults; --use-system-ca / NODE_USE_SYSTEM_CA=1 add the
 * OS store (https://nodejs.org/api/cli.html#--use-system-ca).
 */
import { execPath, version as selfVersion } from 'node:process';
import { envOf, real, which } from '../host-files.ts';
import { type ProxyConfig, resolveProxy } from '../net/proxy.ts';
import { parseTarget } from '../net/target.ts';
import { systemStore } from '../stores/index.ts';
import type { Context, TrustSource } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { installedNodes } from './node-versions.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { merge, pathSource } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client, PlanRoots } from './types.ts';

type V = [number, number, number];

/** Version ranges (inclusive lower bounds per release line) where each switch exists. */
const NODE_SWITCHES = {
  // --use-system-ca: v23.8.0 macOS/Windows, v23.9.0 elsewhere (nodejs/node#57009), backported to v22.15.0
  // (https://github.com/nodejs/node/commit/17ccf9282f; https://github.com/nodejs/node/issues/58990)
  useSystemCaFlag: {
    linux: [
      [22, 15, 0],
      [23, 9, 0],
    ],
    other: [
      [22, 15, 0],
      [23, 8, 0],
    ],
  },
  // NODE_USE_SYSTEM_CA=1: nodejs/node#59276, released in v24.6.0 (2025-08-14,
  // https://nodejs.org/blog/release/v24.6.0) and v22.19.0 (2025-08-28, https://nodejs.org/blog/release/v22.19.0);
  // in every v25+ (v25.0.0 was cut from main after it landed); in no v23: the last, v23.11.1 (2025-05-14,
  // https://github.com/nodejs/node/blob/main/doc/changelogs/CHANGELOG_V23.md), predates it. (v22.15 has only the
  // --use-system-ca flag: https://github.com/nodejs/learn/pull/79.)
  useSystemCaEnv: [
    [22, 19, 0],
    [24, 6, 0],
  ],
} as const;

function parseVersion(v: string | undefined): V {
  const [a = 0, b = 0, c = 0] = (v ?? '')
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);
  return [a, b, c];
}

function ge(v: V, w: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if ((v[i] ?? 0) !== (w[i] ?? 0)) return (v[i] ?? 0) > (w[i] ?? 0);
  return true;
}

/** True when `v` has a feature that appeared in `firsts` (one entry per release line, ascending). */
function since(v: V, firsts: readonly (readonly number[])[]): boolean {
  const last = firsts.at(-1);
  if (last && v[0] > (last[0] ?? 0)) return true;
  return firsts.some((f) => v[0] === f[0] && ge(v, f));
}

/**
 * True in certifix's standalone executable (a Node single executable application): process.execPath is then
 * certifix itself, which runs no `-e` script. `node:sea` exists from 20.12; getBuiltinModule from 20.16.
 */
function isStandalone(): boolean {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const sea = get?.('node:sea') as { isSea?: () => boolean } | undefined;
  return sea?.isSea?.() ?? false;
}

/**
 * What `node` resolves to: process.execPath unless another node comes first on PATH; null when certifix is
 * the standalone executable and no node is on PATH.
 */
export async function findNode(ctx: Context): Promise<{ path: string; version: string | undefined } | null> {
  const onPath = await which('node', ctx);
  if (!onPath && isStandalone()) return null;
  if (!onPath || (await real(onPath)) === (await real(execPath)))
    return { path: onPath ?? execPath, version: selfVersion };
  const r = await ctx.run(onPath, ['--version'], { env: ctx.env, timeoutMs: 10_000 });
  return { path: onPath, version: r.stdout.trim() || undefined };
}

export async function nodeTrust(version: string | undefined, ctx: Context): Promise<TrustSource> {
  const v = parseVersion(version);
  const opts = ctx.env.NODE_OPTIONS ?? '';
  const extraPath = envOf(ctx, 'NODE_EXTRA_CA_CERTS');
  const extra = extraPath
    ? await pathSource(
        extraPath,
        { source: 'env', via: 'NODE_EXTRA_CA_CERTS', profile: 'node', why: '' },
        'file',
        'Node prints "Warning: Ignoring extra certs" and continues without them',
      )
    : null;
  if (/--use-openssl-ca\b/.test(opts)) {
    const os = await opensslDefaultTrust(ctx, 'node', `Node ${version} (--use-openssl-ca)`);
    return merge({ ...os, via: 'NODE_OPTIONS --use-openssl-ca', bundled: false }, extra);
  }
  const flag =
    /--use-system-ca\b/.test(opts) &&
    since(
      v,
      ctx.platform === 'linux' ? NODE_SWITCHES.useSystemCaFlag.linux : NODE_SWITCHES.useSystemCaFlag.other,
    );
  const envOn = ctx.env.NODE_USE_SYSTEM_CA === '1' && since(v, NODE_SWITCHES.useSystemCaEnv);
  let s: TrustSource = {
    source: extra ? 'bundled+extra' : 'bundled',
    via: extra ? 'NODE_EXTRA_CA_CERTS' : undefined,
    path: extra?.path ?? null,
    files: [],
    dirs: [],
    bundled: true,
    // Node reports the last OpenSSL error, whatever the store: a bare leaf is "unable to verify the first
    // certificate" in Node where Python says "unable to get local issuer certificate".
    profile: 'node',
    why: extra
      ? `Node ${version} uses its bundled Mozilla roots plus NODE_EXTRA_CA_CERTS.`
      : `Node ${version} uses only its bundled Mozilla roots.`,
  };
  if (flag || envOn) {
    const sys = await systemStore(ctx);
    const via = flag ? 'NODE_OPTIONS --use-system-ca' : 'NODE_USE_SYSTEM_CA=1';
    s = {
      ...s,
      source: `bundled+system${extra ? '+extra' : ''}`,
      via,
      path: sys.files[0] ?? s.path,
      files: sys.files,
      dirs: sys.dirs,
      why: `${via}: Node ${version} adds the OS store to its bundled roots${extra ? ' and NODE_EXTRA_CA_CERTS' : ''}.`,
    };
  }
  return merge(s, extra);
}

/**
 * NODE_USE_SYSTEM_CA=1 is Node's own switch for "trust what the OS trusts" (nodejs/node#59276), but an older
 * Node ignores it silently, and it brings only roots that are in the OS store. So it is chosen only when
 * every Node the user may run honours it (installedNodes: PATH and the version managers; an unknown one
 * counts as old), and every root the bundle adds beyond Mozilla's is in the OS store (a root given with
 * --ca, or kept from a CA variable's file, is not: Node then needs NODE_EXTRA_CA_CERTS). The first reason given
 * is the most basic one: the platform, then the Nodes installed, then the roots. Linux and macOS
 * only: on Windows the managers (nvm-windows, Volta's %LOCALAPPDATA%) keep Nodes elsewhere.
 */
export function systemCaChoice(
  inst: { path: string; version?: string | undefined },
  ctx: Context,
  roots: PlanRoots | undefined,
): { native: boolean; reason: string } {
  if (ctx.platform !== 'linux' && ctx.platform !== 'darwin')
    return { native: false, reason: `not chosen on ${ctx.platform}` };
  const nodes = installedNodes({ path: inst.path, version: inst.version }, ctx);
  if (nodes.unknown.length > 0) return { native: false, reason: nodes.unknown[0] as string };
  // One Node is often found twice (on PATH and in its manager's directory): name each version once.
  const old = [...new Set(nodes.versions)].filter(
    (v) => !since(parseVersion(v), NODE_SWITCHES.useSystemCaEnv),
  );
  if (old.length > 0)
    return {
      native: false,
      reason: `Node ${old.join(', ')} ${old.length === 1 ? 'is' : 'are'} installed, and NODE_USE_SYSTEM_CA needs >= 22.19 (22.x) or >= 24.6`,
    };
  // The roots only once every Node would honour the switch: an old Node is the more basic reason.
  if (!roots) return { native: false, reason: 'the roots to trust are not known' };
  if (roots.outsideOs.length > 0)
    return {
      native: false,
      reason: `${roots.outsideOs.length === 1 ? 'a root' : `${roots.outsideOs.length} roots`} to trust ${roots.outsideOs.length === 1 ? 'is' : 'are'} not in the OS store (${roots.outsideOs.map((c) => c.subject).join('; ')})`,
    };
  return {
    native: true,
    reason: `every installed Node (${[...new Set(nodes.versions)].join(', ')}) honours it and every root to trust is in the OS store`,
  };
}

const FAIL =
  '(e) => { const c = e.cause ?? e; console.error("Error: " + c.message + "\\n  code: \'" + c.code + "\'"); process.exit(1); }';

const FETCH = `fetch(process.argv[1], { redirect: "manual" }).then((r) => console.log("HTTP_STATUS", r.status), ${FAIL});`;

/** GET over a CONNECT tunnel (argv: url, proxy url; credentials in the environment, never on the command line). */
const TUNNEL = `const [url, proxy] = process.argv.slice(1), auth = process.env.CERTIFIX_PROXY_AUTH;
const http = require("node:http"), https = require("node:https"), tls = require("node:tls");
const u = new URL(url), p = new URL(proxy), fail = ${FAIL};
const headers = auth ? { "Proxy-Authorization": "Basic " + Buffer.from(auth).toString("base64") } : {};
http.request({ host: p.hostname, port: p.port || 80, method: "CONNECT", path: u.hostname + ":" + (u.port || 443), headers })
  .on("connect", (res, socket) => {
    if (res.statusCode !== 200) fail(new Error("proxy CONNECT answered " + res.statusCode));
    class Tunnel extends https.Agent { createConnection(o) { return tls.connect({ ...o, socket }); } }
    https.get(url, { agent: new Tunnel() }, (r) => { console.log("HTTP_STATUS", r.statusCode); process.exit(0); }).on("error", fail);
  })
  .on("error", fail).end();`;

/** The proxy Node-based tools would be pointed at for `url`, or null (direct, or not a URL we can parse). */
function proxyFor(url: string, env: Context['env']): ProxyConfig | null {
  try {
    return resolveProxy(parseTarget(url), env);
  } catch {
    return null;
  }
}

export const node: Client = {
  id: 'node',

  async detect(ctx) {
    const n = await findNode(ctx);
    return n ? [{ client: 'node', path: n.path, version: n.version?.replace(/^v/, '') }] : [];
  },

  trust(inst, ctx) {
    return nodeTrust(inst.version, ctx);
  },

  render: renderAs('node'),

  plan(inst, bundlePath, ctx, roots) {
    const why = systemCaChoice(inst, ctx, roots);
    if (why.native)
      return {
        owner: 'node',
        summary: 'Set NODE_USE_SYSTEM_CA=1: Node adds the OS store to its bundled roots.',
        changes: [{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', value: '1' }],
        notes: [
          `Chosen over NODE_EXTRA_CA_CERTS because ${why.reason}; the OS store stays the one place to add a root.`,
          'Read once at start-up: restart editors and long-running Node processes.',
        ],
      };
    return {
      owner: 'node',
      summary: "Set NODE_EXTRA_CA_CERTS to the merged bundle (added to Node's bundled roots).",
      changes: [{ kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: bundlePath }],
      notes: [
        `NODE_USE_SYSTEM_CA=1 (trust the OS store) is not used: ${why.reason}.`,
        'Read once at start-up: restart editors and long-running Node processes.',
      ],
    };
  },

  async check(inst, url, ctx) {
    // Node's fetch ignores https_proxy (Node 20/22; NODE_USE_ENV_PROXY came in 24), so on a network with an
    // explicit proxy a plain fetch goes direct: blocked, or met by another chain than the one diagnose saw.
    // Tunnel through the proxy the environment names, as diagnose, npm and proxy-aware Node apps do.
    const proxy = proxyFor(url, ctx.env);
    const auth = proxy?.auth ? { CERTIFIX_PROXY_AUTH: `${proxy.auth.username}:${proxy.auth.password}` } : {};
    const args = proxy ? ['-e', TUNNEL, url, proxy.url] : ['-e', FETCH, url];
    const r = await ctx.run(inst.path, args, { env: { ...ctx.env, ...auth }, timeoutMs: 60_000 });
    return verdictFromOutput(`${r.stdout}\n${r.stderr}`, r.code);
  },
};
