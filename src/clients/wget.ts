/**
 * GNU Wget. Debian builds it with GnuTLS (`ldd /usr/bin/wget` → libgnutls.so.30). Its `ssl_init`
 * (https://gitlab.com/gnuwget/wget/-/blob/master/src/gnutls.c) loads GnuTLS's system trust (Debian:
 * /etc/ssl/certs/ca-certificates.crt) unless `ca_directory` is set (then that directory instead), and THEN
 * adds the `ca_certificate` file: a CA file adds to the defaults, it does not replace them. No environment
 * variable names a CA file. Startup files: /etc/wgetrc, then $WGETRC or else ~/.wgetrc
 * (https://www.gnu.org/software/wget/manual/html_node/Wgetrc-Location.html; init.c `initialize`), read and
 * written in wget's own syntax (src/formats/wgetrc.ts).
 */
import { join } from 'node:path';
import { readKeys } from '../formats/keyfile.ts';
import { wgetrc } from '../formats/wgetrc.ts';
import { envOf, expand, isFile, readText, sys } from '../host-files.ts';
import { CA_FILES } from '../stores/linux.ts';
import type { Context, Verdict } from '../types.ts';
import { NOT_VERIFIED, REASONS } from './messages.ts';
import { onPath, runVerdict } from './on-path.ts';
import { renderOf } from './renders.ts';
import { pathSource } from './source.ts';
import type { Client } from './types.ts';

/** The wgetrc files wget reads, in order (later settings win). */
function wgetrcFiles(ctx: Context): string[] {
  const user = envOf(ctx, 'WGETRC') ?? join(ctx.home, '.wgetrc');
  return [sys(ctx, '/etc/wgetrc'), user];
}

/** `ca_certificate` / `ca_directory` as wget sees them after reading every startup file. */
export function parseWgetrc(text: string, into: { caCertificate?: string; caDirectory?: string } = {}) {
  const keys = readKeys(text, wgetrc).get(null);
  const cert = keys?.get('cacertificate');
  const dir = keys?.get('cadirectory');
  if (cert !== undefined) into.caCertificate = cert;
  if (dir !== undefined) into.caDirectory = dir;
  return into;
}

/** GnuTLS names no OpenSSL reason; wget prints these (wget 1.21, src/gnutls.c ssl_check_certificate). */
function wgetVerdict(output: string, code: number | null): Verdict {
  const line = (re: RegExp) =>
    output
      .split('\n')
      .find((l) => re.test(l))
      ?.trim();
  if (/no certificate subject alternative name matches|certificate owner does not match/.test(output))
    return {
      ok: false,
      code: 'HOSTNAME_MISMATCH',
      message: REASONS.HOSTNAME_MISMATCH ?? '',
      printed: line(/matches|owner/),
    };
  if (/has expired/.test(output))
    return {
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      message: REASONS.CERT_HAS_EXPIRED ?? '',
      printed: line(/expired/),
    };
  if (/is not trusted|doesn't have a known issuer|Unable to establish SSL connection/.test(output))
    return {
      ok: false,
      code: NOT_VERIFIED.UNSPECIFIED,
      message: 'certificate not trusted',
      printed: line(/not trusted|issuer|Unable/),
    };
  // Exit 8 is "the server issued an error response": the handshake was fine (wget(1) EXIT STATUS).
  if (code === 0 || code === 8) return { ok: true, code: 'OK', message: 'ok' };
  const last = output.trim().split('\n').at(-1)?.trim();
  return /Connection refused|unable to resolve/i.test(output)
    ? { ok: false, code: NOT_VERIFIED.CONNECT, message: 'could not connect', printed: last }
    : { ok: false, code: NOT_VERIFIED.UNKNOWN, message: 'wget failed', printed: last };
}

export const wget: Client = {
  id: 'wget',

  detect: onPath('wget', 'wget'),

  async trust(_inst, ctx) {
    const conf: { caCertificate?: string; caDirectory?: string } = {};
    const read: string[] = [];
    for (const f of wgetrcFiles(ctx)) {
      const text = await readText(f);
      if (text === null) continue;
      parseWgetrc(text, conf);
      read.push(f);
    }
    const profile = 'openssl' as const;
    let system: string | null = null;
    for (const f of CA_FILES) if (!system && (await isFile(sys(ctx, f.path)))) system = sys(ctx, f.path);
    const base = conf.caDirectory
      ? { files: [] as string[], dirs: [expand(conf.caDirectory, ctx)] }
      : { files: system ? [system] : [], dirs: [] as string[] };
    if (conf.caCertificate) {
      const extra = await pathSource(expand(conf.caCertificate, ctx), {
        source: 'config',
        via: 'wgetrc ca_certificate',
        profile,
        why: '',
      });
      return {
        ...extra,
        source: 'system+config',
        files: [...base.files, ...extra.files],
        dirs: base.dirs,
        why: `wget (GnuTLS) adds ca_certificate from ${read.join(', ')} to ${conf.caDirectory ? 'ca_directory' : 'the system trust'}.`,
      };
    }
    return {
      source: conf.caDirectory ? 'config' : 'system',
      ...(conf.caDirectory ? { via: 'wgetrc ca_directory' } : {}),
      path: base.files[0] ?? base.dirs[0] ?? null,
      ...base,
      profile,
      why: conf.caDirectory
        ? 'wget reads the ca_directory its wgetrc names.'
        : "wget (GnuTLS) uses GnuTLS's system trust.",
    };
  },

  render: renderOf('wget'),

  plan(_inst, bundlePath, ctx) {
    const file = wgetrcFiles(ctx)[1] as string;
    return {
      owner: 'wget',
      summary: `Set ca_certificate in ${file}: wget adds it to the system trust.`,
      changes: [
        {
          kind: 'keyfile',
          format: 'wgetrc',
          path: file,
          section: null,
          key: 'ca_certificate',
          value: bundlePath,
        },
      ],
    };
  },

  async check(inst, url, ctx) {
    // --no-hsts: wget would otherwise write ~/.wget-hsts; -nv still prints the certificate errors.
    return runVerdict(
      ctx,
      inst.path,
      ['-nv', '--no-hsts', '--tries=1', '--timeout=20', '-O', '/dev/null', url],
      {},
      wgetVerdict,
    );
  },
};
