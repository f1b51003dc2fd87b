/**
 * git over HTTPS (libcurl). GIT_SSL_CAINFO beats http.sslCAInfo (verified here: fixture runs and
 * https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslCAInfo); config files are read
 * system (/etc/gitconfig, or GIT_CONFIG_SYSTEM; skipped with GIT_CONFIG_NOSYSTEM), then global
 * ($XDG_CONFIG_HOME/git/config, then ~/.gitconfig; GIT_CONFIG_GLOBAL replaces both), last value wins
 * (https://git-scm.com/docs/git-config#FILES). Debian's git links libcurl-gnutls (`ldd git-remote-http`), so
 * with no CA set it uses GnuTLS's system trust (the Debian bundle), ignores SSL_CERT_FILE/CURL_CA_BUNDLE, and
 * prints "server certificate verification failed. CAfile: none CRLfile: none" (fixtures git-*.txt).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { envOf, expand, isFile, readText, real, sys, which } from '../host-files.ts';
import { CA_FILES } from '../stores/linux.ts';
import type { Context } from '../types.ts';
import { parseGitConfig } from './ini.ts';
import { runVerdict } from './on-path.ts';
import { pathSource } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** The files git reads for `http.*`, lowest priority first. */
function gitConfigFiles(ctx: Context): string[] {
  const files: string[] = [];
  if (!ctx.env.GIT_CONFIG_NOSYSTEM) files.push(ctx.env.GIT_CONFIG_SYSTEM || sys(ctx, '/etc/gitconfig'));
  if (ctx.env.GIT_CONFIG_GLOBAL) files.push(ctx.env.GIT_CONFIG_GLOBAL);
  else {
    files.push(join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'git', 'config'));
    files.push(join(ctx.home, '.gitconfig'));
  }
  return files;
}

/** The effective value of `key` (lowercase `section.name`) and the file it came from. */
export async function gitConfigValue(
  ctx: Context,
  key: string,
): Promise<{ value: string; file: string } | null> {
  let hit: { value: string; file: string } | null = null;
  for (const f of gitConfigFiles(ctx)) {
    const text = await readText(f);
    const v = text ? parseGitConfig(text).get(key)?.at(-1) : undefined;
    if (v !== undefined) hit = { value: v, file: f };
  }
  return hit;
}

/**
 * Which TLS library git-remote-https uses, read from the binary's DT_NEEDED names (no ldd). Only the start of
 * the file is read: the dynamic string table sits in the first read-only segment, ahead of the code (GNU ld
 * and lld place .dynsym/.dynstr after the program headers; /usr/lib/git-core/git-remote-http, 2.2 MB on
 * Debian 12, has it at 0x1be8), so reading the whole binary on every diagnose was 2 MB for ~10 kB.
 */
async function gitTlsBackend(gitPath: string, ctx: Context): Promise<'gnutls' | 'openssl' | 'unknown'> {
  const prefix = dirname(dirname(await real(gitPath)));
  const candidates = [
    join(prefix, 'lib', 'git-core', 'git-remote-http'),
    join(prefix, 'libexec', 'git-core', 'git-remote-http'),
    sys(ctx, '/usr/lib/git-core/git-remote-http'),
  ];
  for (const c of candidates) {
    if (!(await isFile(c))) continue;
    const bin = readHead(c, 256 * 1024);
    if (bin.includes('libcurl-gnutls.so')) return 'gnutls';
    if (bin.includes('libcurl.so') || bin.includes('libssl.so')) return 'openssl';
  }
  return 'unknown';
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

export const git: Client = {
  id: 'git',

  async detect(ctx) {
    const path = await which('git', ctx);
    if (!path) return [];
    return [{ client: 'git', path, details: { tls: await gitTlsBackend(path, ctx) } }];
  },

  async trust(inst, ctx) {
    const profile = 'openssl' as const;
    const fail = 'git fails with "Problem with the SSL CA cert (path? access rights?)"';
    const env = envOf(ctx, 'GIT_SSL_CAINFO');
    if (env)
      return pathSource(
        env,
        {
          source: 'env',
          via: 'GIT_SSL_CAINFO',
          profile,
          why: 'GIT_SSL_CAINFO is set (it overrides http.sslCAInfo).',
        },
        'file',
        fail,
      );
    const cfg = await gitConfigValue(ctx, 'http.sslcainfo');
    if (cfg) {
      const p = expand(cfg.value, ctx);
      return pathSource(
        p,
        {
          source: 'config',
          via: `${cfg.file} http.sslCAInfo`,
          profile,
          why: `http.sslCAInfo is set in ${cfg.file}.`,
        },
        'file',
        fail,
      );
    }
    const capath = envOf(ctx, 'GIT_SSL_CAPATH') ?? (await gitConfigValue(ctx, 'http.sslcapath'))?.value;
    let file: string | null = null;
    for (const f of CA_FILES) if (!file && (await isFile(sys(ctx, f.path)))) file = sys(ctx, f.path);
    const tls = inst.details?.tls ?? 'unknown';
    const why =
      tls === 'gnutls'
        ? `git uses libcurl-gnutls, which trusts GnuTLS's system store${file ? ` (${file})` : ''}; SSL_CERT_FILE does not apply.`
        : `git uses libcurl's built-in CA file${file ? ` (${file})` : ''}.`;
    return {
      source: 'system',
      path: file,
      files: file ? [file] : [],
      dirs: capath ? [capath] : [],
      profile,
      why,
    };
  },

  render: renderAs('git'),

  plan(_inst, bundlePath, ctx) {
    const path = ctx.env.GIT_CONFIG_GLOBAL || join(ctx.home, '.gitconfig');
    return {
      owner: 'git',
      summary: `Set http.sslCAInfo in ${path} to the merged bundle (what \`git config --global\` writes).`,
      changes: [{ kind: 'gitconfig', path, key: 'http.sslCAInfo', value: bundlePath }],
      notes: ['GIT_SSL_CAINFO, when set, still overrides it.'],
    };
  },

  async check(inst, url, ctx) {
    const env = { ...ctx.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' };
    return runVerdict(ctx, inst.path, ['ls-remote', '--', url], { env });
  },
};
