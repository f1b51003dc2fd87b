/**
 * curl (the tool). Precedence measured with curl 7.88.1 here and read in src/tool_operate.c: the CA variables
 * are consulted only when no --cacert/--capath was given, so a .curlrc `cacert` beats CURL_CA_BUNDLE; then
 * CURL_CA_BUNDLE; else SSL_CERT_DIR (and then SSL_CERT_FILE is ignored, https://github.com/curl/curl/issues/11325),
 * else SSL_CERT_FILE; else the build's default (Debian: /etc/ssl/certs/ca-certificates.crt + /etc/ssl/certs).
 * A missing file: `curl: (77) error setting certificate file` (fixture curl-missing-bundle.txt).
 * .curlrc lookup: $CURL_HOME, $XDG_CONFIG_HOME, $HOME (https://curl.se/docs/manpage.html#-K).
 */
import { join } from 'node:path';
import { parseCurlrc } from '../formats/curlrc.ts';
import { envOf, expand, isDir, isFile, readText, sys, which } from '../host-files.ts';
import { CA_DIRS, CA_FILES } from '../stores/linux.ts';
import type { Context } from '../types.ts';
import { envPlan, runVerdict } from './on-path.ts';
import { firstSetting } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** The first .curlrc curl reads. */
async function curlrcPath(ctx: Context): Promise<string | null> {
  const dirs = [ctx.env.CURL_HOME, ctx.env.XDG_CONFIG_HOME, ctx.home].filter((d): d is string => Boolean(d));
  for (const d of dirs) if (await isFile(join(d, '.curlrc'))) return join(d, '.curlrc');
  return null;
}

export const curl: Client = {
  id: 'curl',

  async detect(ctx) {
    const path = await which('curl', ctx);
    return path ? [{ client: 'curl', path }] : [];
  },

  async trust(_inst, ctx) {
    const fail = 'curl exits with "(77) error setting certificate file"';
    const rc = await curlrcPath(ctx);
    const conf = rc ? parseCurlrc((await readText(rc)) ?? '') : {};
    const def = await defaultStore(ctx);
    /** A CA directory curl searches along with its default CA file (a capath replaces only the directory). */
    const withDefaultFile = (source: 'env' | 'config', via: string, dir: string, why: string) => ({
      source,
      via,
      path: def.file,
      files: def.file ? [def.file] : [],
      dirs: [dir],
      profile: 'openssl' as const,
      why,
    });
    const rcKey = (key: 'cacert' | 'capath') => {
      const value = conf[key];
      return rc && value ? { file: rc, key, value: expand(value, ctx) } : null;
    };
    return firstSetting(
      ctx,
      'openssl',
      [
        {
          read: async () => rcKey('cacert'),
          why: () => `${rc} sets cacert, which wins over CURL_CA_BUNDLE.`,
          failure: fail,
        },
        {
          store: async () => {
            const hit = rcKey('capath');
            const why = `${rc} sets capath (searched with the default CA file).`;
            return hit && withDefaultFile('config', `${rc} capath`, hit.value, why);
          },
        },
        { env: 'CURL_CA_BUNDLE', failure: fail },
        {
          store: async (c) => {
            const dir = envOf(c, 'SSL_CERT_DIR');
            const why = `SSL_CERT_DIR is set: curl searches it with its default CA file${c.env.SSL_CERT_FILE ? ' and ignores SSL_CERT_FILE' : ''}.`;
            return dir ? withDefaultFile('env', 'SSL_CERT_DIR', dir, why) : null;
          },
        },
        { env: 'SSL_CERT_FILE', failure: fail },
      ],
      () => ({
        source: 'system',
        path: def.file,
        files: def.file ? [def.file] : [],
        dirs: def.dir ? [def.dir] : [],
        profile: 'openssl',
        why: `curl uses its built-in CA file${def.file ? ` ${def.file}` : ''}.`,
      }),
    );
  },

  render: renderAs('curl'),

  // https://curl.se/docs/sslcerts.html: "set the environment variable CURL_CA_BUNDLE to the path"
  plan: (_inst, bundlePath) =>
    envPlan(
      'curl',
      'CURL_CA_BUNDLE',
      bundlePath,
      'Set CURL_CA_BUNDLE to the merged bundle (curl reads it when no --cacert is given).',
      ['A cacert line in ~/.curlrc would still win over CURL_CA_BUNDLE.'],
    ),

  async check(inst, url, ctx) {
    return runVerdict(ctx, inst.path, [
      '-sS',
      '-o',
      '/dev/null',
      '--max-time',
      '20',
      '-w',
      'HTTP_STATUS %{http_code}\\n',
      url,
    ]);
  },
};

/** The build's default: libcurl on Debian/Ubuntu was configured with the Debian bundle and /etc/ssl/certs. */
async function defaultStore(ctx: Context): Promise<{ file: string | null; dir: string | null }> {
  let file: string | null = null;
  let dir: string | null = null;
  for (const f of CA_FILES) if (!file && (await isFile(sys(ctx, f.path)))) file = sys(ctx, f.path);
  for (const d of CA_DIRS) if (!dir && (await isDir(sys(ctx, d.path)))) dir = sys(ctx, d.path);
  return { file, dir };
}
