/**
 * npm. `cafile` is read into `ca`, and a `ca` is passed to Node's TLS as the *only* roots ("Neither the well
 * known nor extra certificates are used when the ca options property is explicitly specified":
 * https://nodejs.org/api/cli.html#node_extra_ca_certsfile; npm: https://docs.npmjs.com/cli/v11/using-npm/config#cafile).
 * Layers, strongest first (https://docs.npmjs.com/cli/v11/configuring-npm/npmrc#files): npm_config_* env,
 * project .npmrc, user (NPM_CONFIG_USERCONFIG or ~/.npmrc), global (NPM_CONFIG_GLOBALCONFIG or
 * $PREFIX/etc/npmrc, prefix = dirname(dirname(node))), builtin (<npm>/npmrc). A cafile that does not exist
 * is ignored (measured: npm 11 falls back to Node's roots), so the store is then Node's.
 */

import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expand, isFile, readText, readTextSync, real, sys, which } from '../host-files.ts';
import type { Context, TrustSource } from '../types.ts';
import { parseNpmrc } from './ini.ts';
import { findNode, nodeTrust, systemCaChoice } from './node.ts';
import { runVerdict } from './on-path.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** npm's own directory from the `npm` on PATH (bin/npm → ../lib/node_modules/npm/bin/npm-cli.js). */
export async function findNpm(ctx: Context): Promise<{ dir: string; cli: string; version?: string } | null> {
  const bin = await which('npm', ctx);
  if (!bin) return null;
  const cli = await real(bin);
  const dir = dirname(dirname(cli));
  try {
    const pkg = JSON.parse((await readText(join(dir, 'package.json'))) ?? '') as {
      name?: string;
      version?: string;
    };
    if (pkg.name !== 'npm') return null;
    return { dir, cli, ...(pkg.version ? { version: pkg.version } : {}) };
  } catch {
    return null;
  }
}

/** npm's localPrefix: the nearest directory up from cwd with package.json or node_modules. */
function projectDir(cwd: string): string {
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, 'node_modules'))) return d;
    if (dirname(d) === d) return cwd;
  }
}

interface NpmLayer {
  name: 'env' | 'project' | 'user' | 'global' | 'builtin';
  file: string | null;
  values: Map<string, string[]>;
}

/** The config layers, strongest first. */
export async function npmLayers(ctx: Context, npmDir: string, nodePath: string): Promise<NpmLayer[]> {
  return npmLayersSync(ctx, npmDir, nodePath);
}

/** npmLayers for the plan, which is computed synchronously (the reads are synchronous underneath anyway). */
function npmLayersSync(ctx: Context, npmDir: string, nodePath: string): NpmLayer[] {
  const env = new Map<string, string[]>();
  for (const [k, v] of Object.entries(ctx.env)) {
    if (v && /^npm_config_/i.test(k)) env.set(k.slice(11).toLowerCase().replace(/_/g, '-'), [v]);
  }
  const prefix = env.get('prefix')?.[0] ?? dirname(dirname(realOr(nodePath)));
  const files: [NpmLayer['name'], string][] = [
    ['project', join(projectDir(ctx.cwd), '.npmrc')],
    ['user', env.get('userconfig')?.[0] ?? join(ctx.home, '.npmrc')],
    ['global', env.get('globalconfig')?.[0] ?? sys(ctx, join(prefix, 'etc', 'npmrc'))],
    ['builtin', join(npmDir, 'npmrc')],
  ];
  const out: NpmLayer[] = [{ name: 'env', file: null, values: env }];
  // In HOME the project .npmrc is the user one; npm reads it once, as user config (@npmcli/config).
  const user = files[1]?.[1];
  for (const [name, file] of files) {
    if (name === 'project' && file === user) continue;
    const text = readTextSync(file);
    out.push({ name, file, values: text ? parseNpmrc(text) : new Map() });
  }
  return out;
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

async function npmTrust(
  ctx: Context,
  npmDir: string,
  nodePath: string,
  nodeVersion: string | undefined,
): Promise<TrustSource> {
  const base = await nodeTrust(nodeVersion, ctx);
  for (const layer of await npmLayers(ctx, npmDir, nodePath)) {
    const where = layer.file ?? 'npm_config_* environment';
    const ca = layer.values.get('ca');
    if (ca?.some(Boolean)) {
      // Inline PEM in an npmrc: it replaces Node's roots; we cannot name a file for it.
      return {
        source: 'config',
        via: `${where} ca`,
        path: layer.file,
        files: [],
        dirs: [],
        bundled: false,
        profile: 'node', // npm verifies with Node's TLS
        why: `${where} sets ca inline: npm trusts only those certificates.`,
        warnings: ['inline ca values are not loaded by certifix'],
      };
    }
    const cafile = layer.values.get('cafile')?.at(-1);
    if (!cafile) continue;
    const p = expand(cafile, ctx);
    const via = `${where} cafile`;
    if (!(await isFile(p))) {
      return {
        ...base,
        warnings: [
          ...(base.warnings ?? []),
          `${via} points to ${p}, which does not exist: npm ignores it and uses Node's roots`,
        ],
      };
    }
    return {
      source: 'config',
      via,
      path: p,
      files: [p],
      dirs: [],
      bundled: false,
      profile: 'node', // npm verifies with Node's TLS
      why: `${via} is set: npm trusts only that file (it replaces Node's roots).`,
    };
  }
  return { ...base, why: `npm sets no cafile/ca, so it uses Node's store: ${base.why}` };
}

export const npm: Client = {
  id: 'npm',

  async detect(ctx) {
    const found = await findNpm(ctx);
    if (!found) return [];
    const n = await findNode(ctx);
    if (!n) return []; // npm runs on node: without one it cannot start
    return [
      {
        client: 'npm',
        path: found.cli,
        version: found.version,
        details: { npmDir: found.dir, node: n.path, nodeVersion: n.version ?? '' },
      },
    ];
  },

  async trust(inst, ctx) {
    const d = inst.details ?? {};
    return npmTrust(
      ctx,
      d.npmDir ?? dirname(dirname(inst.path)),
      d.node ?? 'node',
      d.nodeVersion || undefined,
    );
  },

  render: renderAs('npm'),

  plan(inst, bundlePath, ctx, roots) {
    // npm runs on Node: with no ca/cafile of its own it verifies with Node's store, so where the node plan
    // chooses NODE_USE_SYSTEM_CA=1 npm gets the same one setting (and the same reason). A ca or cafile in any
    // npmrc layer replaces Node's store (the file's header), so then npm keeps its own cafile.
    const d = inst.details ?? {};
    const layers = npmLayersSync(ctx, d.npmDir ?? dirname(dirname(inst.path)), d.node ?? 'node');
    const own = layers.find(
      (l) => l.values.get('ca')?.some(Boolean) || l.values.get('cafile')?.some(Boolean),
    );
    if (!own && d.node) {
      const why = systemCaChoice({ path: d.node, version: d.nodeVersion || undefined }, ctx, roots);
      if (why.native)
        return {
          owner: 'npm',
          summary:
            'Set NODE_USE_SYSTEM_CA=1: npm verifies with Node, which adds the OS store to its bundled roots.',
          changes: [{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', value: '1' }],
          notes: [`No cafile in ~/.npmrc: no npmrc sets ca or cafile, and ${why.reason}.`],
        };
    }
    const path = ctx.env.NPM_CONFIG_USERCONFIG || ctx.env.npm_config_userconfig || join(ctx.home, '.npmrc');
    return {
      owner: 'npm',
      summary: `Set cafile in ${path} to the merged bundle.`,
      // cafile REPLACES Node's roots for npm, so it must be the merged bundle (public roots + company root),
      // never the company root alone.
      changes: [{ kind: 'npmrc', path, key: 'cafile', value: bundlePath }],
      notes: ['The bundle must keep the public roots: npm trusts nothing else once cafile is set.'],
    };
  },

  async check(inst, url, ctx) {
    const node = inst.details?.node || 'node';
    const args = [
      inst.path,
      'ping',
      '--registry',
      url,
      '--fetch-retries=0',
      '--fetch-timeout=20000',
      '--no-update-notifier',
    ];
    // A throw-away cache: proving the fix must not leave ~/.npm behind (undo restores HOME exactly).
    const cache = await mkdtemp(join(tmpdir(), 'certifix-npm-'));
    try {
      return await runVerdict(ctx, node, [...args, `--cache=${cache}`, '--logs-max=0']);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  },
};
