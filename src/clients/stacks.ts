/**
 * Reading the stack table (stack-table.ts): the row that describes an installation, the verify policy it
 * resolves to on this machine, the error code a client's output can show, and the line it prints.
 */
import type { VerifyPolicy } from '../core/predict.ts';
import { opensslSecurityLevel } from '../core/verify/index.ts';
import { atLeast } from '../core/version.ts';
import type { ClientId, Context, Installation, RenderDetail, TrustSource } from '../types.ts';
import { printLine } from './printed.ts';
import { type PythonInfo, profileOf, pythonFromDetails } from './python.ts';
import { STACKS, type Stack } from './stack-table.ts';
import type { Client } from './types.ts';

/** The row for an installation (a client without a row verifies as OpenSSL's defaults). */
export function stackOf(id: string, inst: Installation): Stack | undefined {
  return STACKS[id as ClientId]?.find((s) => !s.when || s.when(inst));
}

/** The client's effective policy: the row resolved against what is installed and configured. */
export async function policyOf(
  id: string,
  inst: Installation,
  source: TrustSource,
  ctx: Context,
): Promise<VerifyPolicy> {
  const stack = stackOf(id, inst);
  if (!stack) return { profile: source.profile, securityLevel: 1, hostCheck: 'handshake', hostFlags: {} };
  const py: PythonInfo | null = pythonFromDetails(inst.details);
  let level = typeof stack.level === 'number' ? stack.level : undefined;
  // CPython >= 3.10 starts every context at @SECLEVEL=2; older ones keep the library's level.
  if (stack.level === 'python' && py && atLeast(py.version, [3, 10])) level = 2;
  level ??= (await opensslSecurityLevel(ctx)).level;
  return {
    profile: stack.profile === 'python' ? (py ? profileOf(py) : source.profile) : stack.profile,
    securityLevel: level,
    hostCheck: stack.hostCheck,
    hostFlags: stack.host,
    ...(stack.profile === 'gnutls' ? { gnutls: { caller: 'curl' as const } } : {}),
  };
}

/**
 * The code a client's own output can show. GnuTLS through libcurl says only "server certificate verification
 * failed" for every chain error, so for git the chain errors are one observable code; so does webpki's
 * UnknownIssuer for the rustls clients (rustls.ts), which still name an expired or not yet valid certificate.
 */
export function observable(id: string, code: string): string {
  const named = [
    'OK',
    'HOSTNAME_MISMATCH',
    'IP_ADDRESS_MISMATCH',
    'CA_FILE_UNREADABLE',
    'CONNECT',
    'UNKNOWN',
  ];
  const gnutlsChain = id === 'git' && !named.includes(code);
  const rustlsChain =
    (id === 'deno' || id === 'uv') && ![...named, 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'].includes(code);
  return gnutlsChain || rustlsChain ? 'VERIFY_FAILED' : code;
}

/** The client's printed line for a failure, from its stack's print style. */
function renderFor(
  id: ClientId,
  v: { code: string; message: string },
  host: string,
  port?: number,
  inst?: Installation,
  detail?: RenderDetail,
): string {
  const stack = stackOf(id, inst ?? { client: id, path: '' });
  const trust = detail?.trust;
  return printLine(stack?.print ?? 'python-ssl', {
    code: v.code,
    message: v.message,
    host,
    port,
    url: detail?.url,
    leaf: detail?.leaf,
    pythonVersion: inst?.details?.pythonVersion,
    // libcurl is handed a CA file only when git is told one (GIT_SSL_CAINFO / http.sslCAInfo)
    caFile: trust && (trust.source === 'env' || trust.source === 'config') ? trust.path : null,
  });
}

/** A client's `render`: its printed line, from its own stack's print style. */
export function renderAs(id: ClientId): Client['render'] {
  return (v, host, port, inst, detail) => renderFor(id, v, host, port, inst, detail);
}
