/**
 * Composer: its HTTP downloader passes `cafile`/`capath` to curl or PHP streams (src/Composer/Factory.php
 * `createHttpDownloader`, https://github.com/composer/composer/blob/main/src/Composer/Factory.php). `cafile`
 * comes from COMPOSER_CAFILE, which overrides the config (Config.php `get`: "convert foo-bar to
 * COMPOSER_FOO_BAR ... it overrides the local config"; doc/03-cli.md#composer_cafile), else `config.cafile`
 * in the project's composer.json or the global $COMPOSER_HOME/config.json (doc/06-config.md#cafile). With
 * neither, StreamContextFactory asks composer/ca-bundle's `getSystemCaRootBundlePath`: php.ini's
 * openssl.cafile, SSL_CERT_FILE, SSL_CERT_DIR, the system bundle, then its own (see php.ts).
 * COMPOSER_HOME: the variable, else $XDG_CONFIG_HOME/composer (when any XDG_ variable is set or /etc/xdg
 * exists) if that directory exists, else ~/.composer (Factory.php `getHomeDir`, `useXdg`).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envOf, expand, isDir, readText, sys, which } from '../host-files.ts';
import type { Context, Verdict } from '../types.ts';
import { envPlan, inTempDir, runVerdict } from './on-path.ts';
import { php, phpVerdict } from './php.ts';
import { renderOf } from './renders.ts';
import { firstSetting, type KeyHit } from './source.ts';
import type { Client } from './types.ts';

async function composerHome(ctx: Context): Promise<string> {
  const env = envOf(ctx, 'COMPOSER_HOME');
  if (env) return env;
  const legacy = join(ctx.home, '.composer');
  const xdg = Object.keys(ctx.env).some((k) => k.startsWith('XDG_')) || (await isDir(sys(ctx, '/etc/xdg')));
  if (!xdg) return legacy;
  const dir = join(envOf(ctx, 'XDG_CONFIG_HOME') ?? join(ctx.home, '.config'), 'composer');
  return (await isDir(dir)) || !(await isDir(legacy)) ? dir : legacy;
}

/** `config.cafile` of a composer.json / config.json, or null. */
function jsonCafile(text: string | null): string | null {
  if (!text) return null;
  try {
    const v = (JSON.parse(text) as { config?: { cafile?: unknown } })?.config?.cafile;
    return typeof v === 'string' && v !== '' ? v : null;
  } catch {
    return null;
  }
}

async function configCafile(ctx: Context): Promise<KeyHit | null> {
  // The project's composer.json is merged over the global config.json.
  const files = [join(ctx.cwd, 'composer.json'), join(await composerHome(ctx), 'config.json')];
  for (const file of files) {
    const v = jsonCafile(await readText(file));
    if (v) return { file, key: 'config.cafile', value: expand(v, ctx) };
  }
  return null;
}

/** Composer prints PHP's stream errors, or the HTTP status of a file it could fetch (TLS was fine then). */
function composerVerdict(output: string, code: number | null): Verdict {
  if (
    /could not be downloaded \(HTTP\/[\d.]+ \d{3}|does not contain valid JSON|Could not find (a matching version of )?package|not found/i.test(
      output,
    ) &&
    !/certificate verify failed|SSL operation failed/.test(output)
  )
    return { ok: true, code: 'OK', message: 'ok' };
  return phpVerdict(output, code);
}

export const composer: Client = {
  id: 'composer',

  async detect(ctx) {
    const path = await which('composer', ctx);
    return path && (await which('php', ctx)) ? [{ client: 'composer', path }] : [];
  },

  trust(inst, ctx) {
    return firstSetting(ctx, 'openssl', [{ env: 'COMPOSER_CAFILE' }, { read: configCafile }], async () => {
      const t = await php.trust({ ...inst, client: 'php' }, ctx);
      return { ...t, why: `Composer asks composer/ca-bundle, which follows PHP: ${t.why}` };
    });
  },

  render: renderOf('composer'),

  plan: (_inst, bundlePath) =>
    envPlan(
      'composer',
      'COMPOSER_CAFILE',
      bundlePath,
      'Set COMPOSER_CAFILE to the merged bundle: Composer verifies every repository with it.',
      ['COMPOSER_CAFILE overrides a cafile in composer.json or config.json.'],
    ),

  async check(inst, url, ctx) {
    // A throw-away project whose only repository is the URL; caches go there too, never to the user's.
    return inTempDir('composer', async (dir) => {
      const repositories = [{ type: 'composer', url }, { 'packagist.org': false }];
      await writeFile(join(dir, 'composer.json'), JSON.stringify({ repositories }));
      // COMPOSER_HOME is a copy holding the user's config.json (its cafile): Composer writes into its home.
      const home = join(dir, 'home');
      await mkdir(home);
      await copyFile(join(await composerHome(ctx), 'config.json'), join(home, 'config.json')).catch(() => {});
      // COLUMNS: Symfony Console wraps its error box at the terminal width, splitting the messages.
      const env = {
        ...ctx.env,
        COMPOSER_HOME: home,
        COMPOSER_CACHE_DIR: join(dir, 'cache'),
        COLUMNS: '4000',
      };
      return runVerdict(
        ctx,
        inst.path,
        ['show', '-a', '-n', '--no-plugins', `--working-dir=${dir}`, 'certifix/probe'],
        { env, cwd: dir },
        composerVerdict,
      );
    });
  },
};
