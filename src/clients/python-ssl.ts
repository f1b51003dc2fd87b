/**
 * Python's ssl module (urllib, http.client, aiohttp and anything using ssl.create_default_context()):
 * load_default_certs() → set_default_verify_paths(), i.e. OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR, else the
 * library's compiled OPENSSLDIR (https://docs.python.org/3/library/ssl.html#ssl.get_default_verify_paths).
 * On Debian OPENSSLDIR is /usr/lib/ssl, whose cert.pem and certs/ link to /etc/ssl/certs (pyenv builds here
 * link the same system OpenSSL: get_default_verify_paths() shows openssl_cafile='/usr/lib/ssl/cert.pem').
 * A missing SSL_CERT_FILE is skipped silently by OpenSSL (the store is then only the directory).
 */

import { join } from 'node:path';
import { isDir, isFile } from '../host-files.ts';
import { openSslPaths } from '../stores/linux.ts';
import type { Context, TrustSource } from '../types.ts';
import { runVerdict, sslCertFilePlan } from './on-path.ts';
import { profileOf, pythonDetails, pythonFromDetails, withPartial } from './python.ts';
import { findPythonEnvs } from './python-envs.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** OPENSSLDIR defaults that Python builds on these systems are compiled with. */
const COMPILED_OPENSSL = [
  // Debian/Ubuntu libssl3: OPENSSLDIR "/usr/lib/ssl" (`openssl version -d`)
  { file: '/usr/lib/ssl/cert.pem', dir: '/usr/lib/ssl/certs' },
  // Fedora/RHEL: OPENSSLDIR "/etc/pki/tls"
  { file: '/etc/pki/tls/cert.pem', dir: '/etc/pki/tls/certs' },
  // python.org / Homebrew-style builds: OPENSSLDIR "/usr/local/ssl"
  { file: '/usr/local/ssl/cert.pem', dir: '/usr/local/ssl/certs' },
] as const;

/** The store of `ssl.create_default_context()` for a Python with `profile`. */
export async function opensslDefaultTrust(
  ctx: Context,
  profile: TrustSource['profile'],
  who: string,
  opensslDir?: string,
): Promise<TrustSource> {
  let compiled: { file: string; dir: string } | undefined;
  for (const c of COMPILED_OPENSSL) {
    if (await isFile(ctx.sysroot ? `${ctx.sysroot}${c.file}` : c.file)) {
      compiled = c;
      break;
    }
  }
  const p = opensslDir ? await ownOpenSsl(ctx, opensslDir) : await openSslPaths(ctx, compiled);
  const files = p.file && (await isFile(p.file)) ? [p.file] : [];
  const warnings =
    p.file && !files.length && ctx.env.SSL_CERT_FILE
      ? [`SSL_CERT_FILE points to ${p.file}, which does not exist`]
      : [];
  const why = p.via
    ? `${p.via} ${p.via.includes('+') ? 'are' : 'is'} set; ${who} loads OpenSSL's default paths, which honour it.`
    : opensslDir
      ? `${who} links conda's own OpenSSL, whose default paths are in ${opensslDir} (not the OS store).`
      : `${who} loads OpenSSL's default paths (${[p.file, ...p.dirs].filter(Boolean).join(', ') || 'none found'}).`;
  return {
    source: p.via ? 'env' : opensslDir ? 'conda-openssl' : 'system',
    via: p.via,
    path: p.file,
    files,
    dirs: p.dirs,
    profile,
    why,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** An OpenSSL of its own (a conda prefix's): its OPENSSLDIR's cert.pem and certs/, nothing of the system's. */
async function ownOpenSsl(
  ctx: Context,
  dir: string,
): Promise<{ file: string | null; dirs: string[]; via?: string }> {
  const envFile = ctx.env.SSL_CERT_FILE || undefined;
  const envDir = ctx.env.SSL_CERT_DIR || undefined;
  const own = join(dir, 'cert.pem');
  const file = envFile ?? ((await isFile(own)) ? own : null);
  const certs = join(dir, 'certs');
  const dirs = envDir ? envDir.split(':').filter(Boolean) : (await isDir(certs)) ? [certs] : [];
  const via = [envFile && 'SSL_CERT_FILE', envDir && 'SSL_CERT_DIR'].filter(Boolean).join('+') || undefined;
  return via ? { file, dirs, via } : { file, dirs };
}

export const pythonSsl: Client = {
  id: 'python-ssl',

  async detect(ctx) {
    return (await findPythonEnvs(ctx)).map((py) => ({
      client: 'python-ssl' as const,
      path: py.exe,
      version: py.version,
      details: pythonDetails(py),
    }));
  },

  async trust(inst, ctx) {
    const py = pythonFromDetails(inst.details);
    const who = `Python ${inst.version ?? ''}`.trim();
    return withPartial(
      inst,
      await opensslDefaultTrust(ctx, py ? profileOf(py) : 'openssl', who, py?.condaSsl),
    );
  },

  render: renderAs('python-ssl'),

  // SSL_CERT_FILE is OpenSSL's own variable, so every OpenSSL-based program that loads default paths
  // (Python ssl, Ruby, curl's tool, node --use-openssl-ca) follows it: the merged bundle keeps public roots.
  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'python-ssl',
      bundlePath,
      "Set SSL_CERT_FILE to the merged bundle: Python's default context loads it through OpenSSL.",
      ['Other OpenSSL-based programs that load default paths will use the same bundle.'],
    ),

  async check(inst, url, ctx) {
    const code = [
      'import sys, ssl, urllib.request, urllib.error',
      'try:',
      '    r = urllib.request.urlopen(sys.argv[1], timeout=20, context=ssl.create_default_context())',
      '    print("HTTP_STATUS", r.status)',
      'except urllib.error.HTTPError as e:',
      '    print("HTTP_STATUS", e.code)',
    ].join('\n');
    return runVerdict(ctx, inst.path, ['-c', code, url]);
  },
};
