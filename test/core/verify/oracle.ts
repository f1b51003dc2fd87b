/**
 * `openssl verify` as the oracle for the verifier tests: runs the real CLI and parses the first
 * `error N at D depth lookup: MESSAGE` line, which is what a client with OpenSSL's default verify callback
 * (stop at the first error) reports.
 */
import { execFile, execFileSync } from 'node:child_process';
import { errorInfo } from '../../../src/core/verify/index.ts';

export interface OracleResult {
  ok: boolean;
  /** error code name, 'OK', or 'LOADERR' when openssl could not read its inputs */
  code: string;
  depth: number;
  output: string;
}

export interface OracleArgs {
  leaf: string;
  caFile: string;
  untrusted?: string | undefined;
  /** seconds since the epoch */
  attime?: number | undefined;
  host?: string | undefined;
  ip?: string | undefined;
  depth?: number | undefined;
  python313?: boolean;
  authLevel?: number | undefined;
}

export function hasOpenssl(): boolean {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).startsWith('OpenSSL 3.');
  } catch {
    return false;
  }
}

export function opensslArgs(a: OracleArgs): string[] {
  const args = ['verify', '-CAfile', a.caFile, '-purpose', 'sslserver'];
  if (a.untrusted) args.push('-untrusted', a.untrusted);
  if (a.attime !== undefined) args.push('-attime', String(a.attime));
  if (a.host !== undefined) args.push('-verify_hostname', a.host);
  if (a.ip !== undefined) args.push('-verify_ip', a.ip);
  if (a.depth !== undefined) args.push('-verify_depth', String(a.depth));
  if (a.authLevel !== undefined) args.push('-auth_level', String(a.authLevel));
  if (a.python313) args.push('-x509_strict', '-partial_chain');
  args.push(a.leaf);
  return args;
}

export function parseOracle(status: number, output: string): OracleResult {
  if (status === 0) return { ok: true, code: 'OK', depth: 0, output };
  const m = /error (\d+) at (\d+) depth lookup: ?(.*)/.exec(output);
  if (!m) return { ok: false, code: 'LOADERR', depth: 0, output };
  return { ok: false, code: errorInfo(Number(m[1])).code, depth: Number(m[2]), output };
}

export function runOracle(a: OracleArgs): Promise<OracleResult> {
  return new Promise((resolve) => {
    execFile('openssl', opensslArgs(a), { encoding: 'utf8' }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve(parseOracle(status, stdout + stderr));
    });
  });
}

export { pool } from '../../../src/core/pool.ts';
