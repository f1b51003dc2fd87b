/**
 * gcloud (Google Cloud CLI). Its HTTP goes through requests by default (calliope/base.py `UseRequests`;
 * httplib2 when transport/disable_requests_override is set), and both transports take `ca_certs` from the
 * property `core/custom_ca_certs_file` when it is set (core/requests.py and core/http.py
 * `_CreateRawSession` / `_CreateRawHttpClient`: "Believe an explicitly-set ca_certs property over anything we
 * added"); unset, requests falls back to REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › the certifi vendored in
 * lib/third_party (read in google-cloud-cli 528.0.0, /usr/lib/google-cloud-sdk/lib/googlecloudsdk/core).
 * The property is named by https://cloud.google.com/sdk/docs/proxy-settings ("gcloud config set
 * core/custom_ca_certs_file"); a property is read from the flag, then the variable CLOUDSDK_<SECTION>_<NAME>,
 * then the active configuration, then the installation's `properties` file (properties.py
 * `_GetPropertyWithoutCallback`, https://cloud.google.com/sdk/gcloud/reference/topic/configurations).
 * Configurations live in the config directory (CLOUDSDK_CONFIG, else ~/.config/gcloud, %APPDATA%\gcloud on
 * Windows: https://cloud.google.com/sdk/docs/configurations) as `configurations/config_<name>`, INI files
 * written by configparser; the active one is CLOUDSDK_ACTIVE_CONFIG_NAME, else the name in `active_config`,
 * else `default` (named_configs.py `_EffectiveActiveConfigName`).
 * fix sets CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE: it reaches every configuration (a `gcloud config
 * configurations activate` keeps it), and gcloud's own files are not touched (an `active_config` certifix
 * created and undo removed would make the next `gcloud config set` recreate config_default empty:
 * named_configs.py `_CreateDefaultConfig`).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { configparser } from '../formats/ini.ts';
import { envOf, readText, real } from '../host-files.ts';
import type { Context, Installation, Verdict } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { envPlan, inTempDir, onPath } from './on-path.ts';
import { requestsTrust } from './python-requests.ts';
import { firstSetting, type KeyHit, keyIn } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** The variable that overrides `core/custom_ca_certs_file` (properties.py `EnvironmentName`). */
const CA_VARIABLE = 'CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE';

/** The user's config directory (config.py `_GetGlobalConfigDir`). */
function gcloudConfigDir(ctx: Pick<Context, 'env' | 'home' | 'platform'>): string {
  const set = envOf(ctx, 'CLOUDSDK_CONFIG');
  if (set) return set;
  if (ctx.platform === 'win32')
    return join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), 'gcloud');
  return join(ctx.home, '.config', 'gcloud');
}

/** The active configuration's name and file (named_configs.py; an invalid name in the file counts as none). */
export async function activeConfig(ctx: Pick<Context, 'env' | 'home' | 'platform'>) {
  const dir = gcloudConfigDir(ctx);
  const fromFile = ((await readText(join(dir, 'active_config'))) ?? '').trim();
  const name =
    envOf(ctx, 'CLOUDSDK_ACTIVE_CONFIG_NAME') || (/^[a-z][-a-z0-9]*$/.test(fromFile) ? fromFile : 'default');
  return { dir, name, file: join(dir, 'configurations', `config_${name}`) };
}

/** The SDK's root: bin/gcloud's parent (a /usr/bin/gcloud symlink leads there). */
async function sdkRoot(inst: Installation): Promise<string> {
  return dirname(dirname(await real(inst.path)));
}

/**
 * A property as gcloud resolves it: CLOUDSDK_<SECTION>_<NAME>, else the active configuration, else the
 * installation's `properties` file (properties.py `_GetPropertyWithoutCallback`).
 */
async function gcloudProperty(
  ctx: Context,
  root: string,
  section: string,
  key: string,
): Promise<KeyHit | null> {
  const name = `CLOUDSDK_${section}_${key}`.toUpperCase();
  const set = envOf(ctx, name);
  if (set) return { file: 'environment', key: name, value: set };
  const files = [(await activeConfig(ctx)).file, join(root, 'properties')];
  return keyIn(ctx, files, configparser, section, key);
}

/**
 * Output that only a completed handshake gives: the API's answer, reported by gcloud (a 404 with a plain body
 * prints `ERROR: (gcloud.compute.zones.list) Some requests did not succeed:`, an HTML page JSONDecodeError).
 */
function gcloudVerdict(output: string, code: number | null): Verdict {
  const v = verdictFromOutput(output, code);
  if (v.ok || v.code !== 'UNKNOWN') return v;
  return /Some requests did not succeed:|HTTPError \d{3}|JSONDecodeError/.test(output)
    ? { ok: true, code: 'OK', message: 'ok' }
    : v;
}

export const gcloud: Client = {
  id: 'gcloud',
  detect: onPath('gcloud', 'gcloud'),

  async trust(inst, ctx) {
    const root = await sdkRoot(inst);
    // A gcloud proxy (all of proxy/type, address, port: requests.py `GetProxyInfo`) makes its requests
    // Session ignore the environment (requests.py `Session`: `session.trust_env = False`).
    const proxied = (await gcloudProperty(ctx, root, 'proxy', 'address')) !== null;
    const requestsCtx = proxied
      ? { ...ctx, env: { ...ctx.env, REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: '' } }
      : ctx;
    const s = await firstSetting(
      ctx,
      'openssl',
      [{ env: CA_VARIABLE }, { read: (c) => gcloudProperty(c, root, 'core', 'custom_ca_certs_file') }],
      () => requestsTrust(requestsCtx, 'openssl', join(root, 'lib', 'third_party', 'certifi'), 'gcloud'),
    );
    const ignores = [
      'with a gcloud proxy configured (proxy/address), gcloud ignores REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE: only core/custom_ca_certs_file counts',
    ];
    return proxied ? { ...s, ignores } : s;
  },

  render: renderAs('gcloud'),

  plan: (_inst, bundlePath) =>
    envPlan(
      'gcloud',
      CA_VARIABLE,
      bundlePath,
      `Set ${CA_VARIABLE} to the merged bundle: gcloud takes it over core/custom_ca_certs_file in every configuration.`,
      ['Takes effect in new shells.'],
    ),

  // The real gcloud calls one API at the URL (an endpoint override) with a dummy token, in a throwaway config
  // directory holding a copy of the active configuration (its custom_ca_certs_file, its proxy).
  async check(inst, url, ctx) {
    return inTempDir('gcloud', async (dir) => {
      const active = await activeConfig(ctx);
      await mkdir(join(dir, 'configurations'));
      await writeFile(join(dir, 'active_config'), active.name);
      await copyFile(active.file, join(dir, 'configurations', `config_${active.name}`)).catch(() => {});
      await writeFile(join(dir, 'token'), 'certifix-probe\n');
      const env = {
        ...ctx.env,
        CLOUDSDK_CONFIG: dir,
        CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
        CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
        CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
        CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${new URL(url).origin}/`,
      };
      const args = ['compute', 'zones', 'list', '--project', 'certifix-probe'];
      const r = await ctx.run(inst.path, [...args, '--access-token-file', join(dir, 'token')], {
        env,
        timeoutMs: 90_000,
      });
      return gcloudVerdict(`${r.stdout}\n${r.stderr}`, r.code);
    });
  },
};
