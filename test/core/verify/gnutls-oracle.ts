/**
 * `certtool --verify` (Debian gnutls-bin, GnuTLS 3.7) as the oracle for the gnutls profile. certtool has no
 * option for the validation time, so a case with one runs under libfaketime (`faketime -f '@...'`, Debian
 * package faketime), which GnuTLS's `gnutls_time()` (time(2)) sees. The last line it prints is
 * `Chain verification output: Not verified. The certificate is NOT trusted. <one sentence per flag>` from
 * `gnutls_certificate_verification_status_print`; the sentences are turned back into flag names.
 */
import { execFile, execFileSync } from 'node:child_process';
import { GNUTLS_STATUS, type GnutlsStatus } from '../../../src/core/verify/index.ts';
import { which } from '../../helpers/has.ts';

export interface GnutlsOracleArgs {
  /** the peer's chain, leaf first */
  chain: string;
  caFile: string;
  /** seconds since the epoch; undefined = now */
  attime?: number | undefined;
  hostname?: string | undefined;
  purpose?: string | undefined;
  profile?: string | undefined;
}

export interface GnutlsOracleResult {
  ok: boolean;
  /** flag names, GNUTLS_CERT_INVALID included when not ok; ['LOADERR'] when certtool could not read its input */
  status: string[];
  output: string;
}

export function hasCerttool(): boolean {
  if (!which('certtool')) return false;
  try {
    return /certtool 3\./.test(execFileSync('certtool', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

export const hasFaketime = (): boolean => which('faketime') !== null;

export function certtoolArgs(a: GnutlsOracleArgs): string[] {
  const args = ['--verify', '--load-ca-certificate', a.caFile, '--infile', a.chain];
  if (a.hostname !== undefined) args.push('--verify-hostname', a.hostname);
  if (a.purpose !== undefined) args.push('--verify-purpose', a.purpose);
  if (a.profile !== undefined) args.push('--verify-profile', a.profile);
  return args;
}

export function parseCerttool(code: number, output: string): GnutlsOracleResult {
  const line = /Chain verification output: (.*)/.exec(output)?.[1];
  if (line === undefined) return { ok: false, status: ['LOADERR'], output };
  const status: GnutlsStatus[] = [];
  for (const [name, , text] of GNUTLS_STATUS) if (text && line.includes(text.trim())) status.push(name);
  const ok = code === 0 && line.startsWith('Verified.');
  if (!ok) status.push('GNUTLS_CERT_INVALID');
  return { ok, status: status.sort(), output };
}

/** `faketime -f '@YYYY-MM-DD hh:mm:ss'` wants local time: run it with TZ=UTC. */
const fakeStamp = (s: number) => `@${new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

export function runCerttool(a: GnutlsOracleArgs): Promise<GnutlsOracleResult> {
  const [cmd, args] =
    a.attime === undefined
      ? ['certtool', certtoolArgs(a)]
      : ['faketime', ['-f', fakeStamp(a.attime), 'certtool', ...certtoolArgs(a)]];
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve(parseCerttool(code, stdout + stderr));
    });
  });
}
