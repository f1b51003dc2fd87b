/**
 * pnpm reads npm's config files and keys: `cafile` in ./.npmrc or ~/.npmrc, or npm_config_cafile
 * (https://pnpm.io/npmrc#cafile: "A path to a file containing one or multiple Certificate Authority signing
 * certificates"), and it REPLACES Node's roots as npm's does; without it, Node's roots plus
 * NODE_EXTRA_CA_CERTS. So npm's fix (cafile in ~/.npmrc) is pnpm's too. Checked with pnpm 9.15 on the lab:
 * `ERR_PNPM_META_FETCH_FAIL ... reason: self-signed certificate` before, `ERR_PNPM_BROKEN_METADATA_JSON` after.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { npmrc } from '../formats/ini.ts';
import { verdictFromOutput } from './messages.ts';
import { nodeTrust } from './node.ts';
import { npm } from './npm.ts';
import { inTempDir, onPath } from './on-path.ts';
import { renderOf } from './renders.ts';
import { firstSetting, keyIn } from './source.ts';
import type { Client } from './types.ts';

export const pnpm: Client = {
  id: 'pnpm',

  detect: onPath('pnpm', 'pnpm'),

  trust(_inst, ctx) {
    const files = (c: typeof ctx) => [
      join(c.cwd, '.npmrc'),
      c.env.NPM_CONFIG_USERCONFIG || join(c.home, '.npmrc'),
    ];
    return firstSetting(
      ctx,
      'node',
      [
        { env: 'npm_config_cafile' },
        { env: 'NPM_CONFIG_CAFILE' },
        { read: (c) => keyIn(c, files(c), npmrc, null, 'cafile') },
      ],
      () => nodeTrust(undefined, ctx),
    );
  },

  render: renderOf('pnpm'),

  plan(inst, bundlePath, ctx) {
    const p = npm.plan(inst, bundlePath, ctx);
    return { ...p, owner: 'pnpm', summary: `${p.summary} pnpm reads npm's cafile.` };
  },

  async check(inst, url, ctx) {
    return inTempDir('pnpm', async (dir) => {
      await writeFile(join(dir, 'package.json'), '{"private":true}\n');
      // Store, caches and state in the throw-away directory, never in HOME.
      const env = {
        ...ctx.env,
        npm_config_store_dir: join(dir, 'store'),
        npm_config_cache_dir: join(dir, 'cache'),
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_STATE_HOME: join(dir, 'state'),
        XDG_CACHE_HOME: join(dir, 'xdg-cache'),
      };
      const args = ['add', 'certifix-probe', '--dir', dir, '--registry', url, '--fetch-retries=0'];
      const r = await ctx.run(inst.path, args, { env, cwd: dir, timeoutMs: 60_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      if (/ERR_PNPM_BROKEN_METADATA_JSON|ERR_PNPM_FETCH_404|ERR_PNPM_NO_MATCHING_VERSION/.test(out))
        return { ok: true, code: 'OK', message: 'ok' };
      return verdictFromOutput(out, r.code);
    });
  },
};
