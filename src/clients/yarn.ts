/**
 * Yarn. Version 1 (Debian's yarnpkg, `npm i -g yarn`): `cafile` REPLACES Node's roots for its requests
 * ("opts.cafile overrides opts.ca, this matches with npm behavior", src/util/request-manager.js,
 * https://github.com/yarnpkg/yarn/blob/master/src/util/request-manager.js). Its config is the first of:
 * YARN_* variables (`mergeEnv('yarn_')`, src/registries/base-registry.js), ./.yarnrc, ~/.yarnrc (then the
 * parent directories), and when none sets a key, npm's config: npm_config_cafile, ./.npmrc, ~/.npmrc
 * (`getOption` falls back to the npm registry's, src/registries/yarn-registry.js; file order in
 * npm-registry.js `getPossibleConfigLocations`). Without cafile: Node's roots plus NODE_EXTRA_CA_CERTS.
 * Yarn 2+ (berry, per project through .yarnrc.yml): `httpsCaFilePath`, or YARN_HTTPS_CA_FILE_PATH (every
 * setting has a YARN_ variable; https://yarnpkg.com/configuration/yarnrc#httpsCaFilePath).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { npmrc } from '../formats/ini.ts';
import { yarnrc } from '../formats/yarnrc.ts';
import { readText, which } from '../host-files.ts';
import type { Context } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { nodeTrust } from './node.ts';
import { inTempDir } from './on-path.ts';
import { renderOf } from './renders.ts';
import { type CaSetting, firstSetting, keyIn } from './source.ts';
import type { Client } from './types.ts';

/** `httpsCaFilePath: value` at the top level of a .yarnrc.yml (quotes optional). */
function yarnrcYmlCaFile(text: string | null): string | null {
  const m = /^httpsCaFilePath:[ \t]*(?:"([^"]*)"|'([^']*)'|([^#\r\n]*?))[ \t]*(?:#.*)?$/m.exec(text ?? '');
  return (m?.[1] ?? m?.[2] ?? m?.[3]) || null;
}

const yml = (file: (ctx: Context) => string) => async (ctx: Context) => {
  const value = yarnrcYmlCaFile(await readText(file(ctx)));
  return value ? { file: file(ctx), key: 'httpsCaFilePath', value } : null;
};

/** Yarn 1's settings, most important first. */
const CLASSIC: CaSetting[] = [
  { env: 'YARN_CAFILE' },
  {
    read: (ctx) => keyIn(ctx, [join(ctx.cwd, '.yarnrc'), join(ctx.home, '.yarnrc')], yarnrc, null, 'cafile'),
  },
  { env: 'npm_config_cafile' },
  { env: 'NPM_CONFIG_CAFILE' },
  { read: (ctx) => keyIn(ctx, [join(ctx.cwd, '.npmrc'), join(ctx.home, '.npmrc')], npmrc, null, 'cafile') },
];

/** Yarn 2+'s, for a project with a .yarnrc.yml. */
const BERRY: CaSetting[] = [
  { env: 'YARN_HTTPS_CA_FILE_PATH' },
  { read: yml((ctx) => join(ctx.cwd, '.yarnrc.yml')) },
  { read: yml((ctx) => join(ctx.home, '.yarnrc.yml')) },
];

const IGNORES = {
  berry: [
    'In this Yarn 2+ project, ~/.yarnrc and .npmrc are not read: only YARN_HTTPS_CA_FILE_PATH or httpsCaFilePath apply.',
  ],
  classic: [
    'Yarn 1 reads no YARN_HTTPS_CA_FILE_PATH: a cafile in a .yarnrc or .npmrc closer to the project wins over ~/.yarnrc.',
  ],
};

export const yarn: Client = {
  id: 'yarn',

  async detect(ctx) {
    const path = (await which('yarn', ctx)) ?? (await which('yarnpkg', ctx));
    return path ? [{ client: 'yarn', path }] : [];
  },

  async trust(_inst, ctx) {
    const berry = (await readText(join(ctx.cwd, '.yarnrc.yml'))) !== null;
    const t = await firstSetting(ctx, 'node', berry ? BERRY : CLASSIC, () => nodeTrust(undefined, ctx));
    return { ...t, ignores: berry ? IGNORES.berry : IGNORES.classic };
  },

  render: renderOf('yarn'),

  plan(_inst, bundlePath, ctx) {
    const file = join(ctx.home, '.yarnrc');
    return {
      owner: 'yarn',
      summary: `Set cafile in ${file} (Yarn 1) and YARN_HTTPS_CA_FILE_PATH (Yarn 2+) to the merged bundle.`,
      changes: [
        { kind: 'keyfile', format: 'yarnrc', path: file, section: null, key: 'cafile', value: bundlePath },
        { kind: 'env', name: 'YARN_HTTPS_CA_FILE_PATH', value: bundlePath },
      ],
      notes: [
        "A project's own .yarnrc or .yarnrc.yml CA setting is overridden only by the variable (Yarn 2+).",
      ],
    };
  },

  async check(inst, url, ctx) {
    // `yarn add` in a throw-away project: the registry is the URL; caches stay out of HOME.
    return inTempDir('yarn', async (dir) => {
      await writeFile(join(dir, 'package.json'), '{"private":true}\n');
      const env = {
        ...ctx.env,
        YARN_CACHE_FOLDER: join(dir, 'cache'),
        npm_config_cache: join(dir, 'npm'),
        YARN_ENABLE_TELEMETRY: '0',
        YARN_IGNORE_PATH: '1',
      };
      const args = [
        'add',
        'certifix-probe',
        '--cwd',
        dir,
        '--registry',
        url,
        '--non-interactive',
        '--no-lockfile',
      ];
      const r = await ctx.run(inst.path, args, { env, cwd: dir, timeoutMs: 60_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      // A registry that answered with something other than package metadata: TLS was fine.
      if (/Received (malformed|invalid) response from (the )?registry/.test(out) && !/certificate/i.test(out))
        return { ok: true, code: 'OK', message: 'ok' };
      return verdictFromOutput(out, r.code);
    });
  },
};
