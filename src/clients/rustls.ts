/**
 * What a client on rustls/webpki prints (Deno, uv): reqwest's "invalid peer certificate: <error>", with the
 * error's Debug name (https://docs.rs/rustls/latest/rustls/enum.CertificateError.html). webpki names no
 * reason for a chain it cannot build (UnknownIssuer: the root is untrusted, missing or sent by the server
 * alike), so every chain error is one observable code (stacks.ts `observable`).
 */
import type { Verdict } from '../types.ts';
import { NOT_VERIFIED, REASONS, verdictFromOutput } from './messages.ts';

const ERRORS: ReadonlyArray<{ re: RegExp; code: string }> = [
  { re: /invalid peer certificate: UnknownIssuer/, code: NOT_VERIFIED.UNSPECIFIED },
  { re: /invalid peer certificate: (?:NotValidForName|.*NotValidForNameContext)/, code: 'HOSTNAME_MISMATCH' },
  { re: /invalid peer certificate: Expired/, code: 'CERT_HAS_EXPIRED' },
  { re: /invalid peer certificate: NotValidYet/, code: 'CERT_NOT_YET_VALID' },
  { re: /invalid peer certificate: /, code: NOT_VERIFIED.UNSPECIFIED },
];

/** The verdict for a rustls client's output; anything else as every client's (verdictFromOutput). */
export function rustlsVerdict(output: string, code: number | null): Verdict {
  const line = output.split('\n').find((l) => /invalid peer certificate: /.test(l));
  const hit = line && ERRORS.find((e) => e.re.test(line));
  if (hit)
    return {
      ok: false,
      code: hit.code,
      message: REASONS[hit.code] ?? 'certificate verify failed',
      printed: line.trim(),
    };
  return verdictFromOutput(output, code);
}

/** The line a rustls client prints for a verdict's code (the reqwest error Deno and uv show). */
export function rustlsLine(code: string): string {
  const error =
    code === 'HOSTNAME_MISMATCH' || code === 'IP_ADDRESS_MISMATCH'
      ? 'NotValidForName'
      : code === 'CERT_HAS_EXPIRED'
        ? 'Expired'
        : code === 'CERT_NOT_YET_VALID'
          ? 'NotValidYet'
          : 'UnknownIssuer';
  return `client error (Connect): invalid peer certificate: ${error}`;
}
