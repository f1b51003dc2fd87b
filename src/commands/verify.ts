/**
 * `verify` as a library call: predict, offline, whether a client built on OpenSSL (or GnuTLS) accepts a
 * certificate chain, and with which error, without connecting anywhere.
 */
import { resolve } from 'node:path';
import { readFileBoundedSync } from '../bounded.ts';
import { processContext } from '../context.ts';
import { type Cert, parseCerts } from '../core/cert.ts';
import { CertifixError, readError } from '../core/errors.ts';
import { type Profile, verifyChain } from '../core/verify/index.ts';
import { systemStore } from '../stores/index.ts';
import { systemTrustIndex } from '../stores/load.ts';
import type { Context } from '../types.ts';

const PROFILES: readonly Profile[] = ['openssl', 'python313', 'node', 'gnutls'];

export interface VerifyOptions {
  /** Trusted CA files (PEM, DER or bundles); default: the OS store, as OpenSSL finds it. */
  ca?: readonly string[] | undefined;
  /** Files of extra intermediates. */
  untrusted?: readonly string[] | undefined;
  /** Check the certificate is valid for this host name or IP address. */
  host?: string | undefined;
  /** Verify at this time instead of now. */
  at?: Date | undefined;
  /** Whose verifier to predict (default 'openssl'). */
  profile?: Profile | undefined;
}

/** `certifix verify --json`. */
export interface VerifyReport {
  ok: boolean;
  code: string;
  message: string;
  depth: number;
  /** The chain built, leaf first. */
  chain: Array<{ subject: string; sha256: string }>;
  /** GnuTLS's own status flags (profile 'gnutls'). */
  gnutls?: { status: string[]; message: string };
}

/** The certificates in `path` (relative to `cwd`); BAD_CERT_INPUT when unreadable or empty. */
function readCerts(path: string, cwd: string): Cert[] {
  let data: Buffer;
  try {
    data = readFileBoundedSync(resolve(cwd, path));
  } catch (cause) {
    throw readError(path, cause, 'BAD_CERT_INPUT');
  }
  const { certs } = parseCerts(data, path);
  if (certs.length === 0) throw new CertifixError('BAD_CERT_INPUT', `${path} holds no certificate`);
  return certs;
}

/**
 * `certifix verify FILE --json` as a library call: the first certificate in `file` is the server's, the
 * others the intermediates it sends. `ctx` (default this process) gives the OS store and the directory
 * relative paths start from.
 */
export async function verify(
  file: string,
  opts: VerifyOptions = {},
  ctx: Context = processContext(),
): Promise<VerifyReport> {
  const profile = opts.profile ?? 'openssl';
  if (!PROFILES.includes(profile))
    throw new CertifixError('USAGE', `unknown profile ${profile} (${PROFILES.join(', ')})`);
  const [leaf, ...sent] = readCerts(file, ctx.cwd);
  const trusted = opts.ca?.length
    ? opts.ca.flatMap((f) => readCerts(f, ctx.cwd))
    : systemTrustIndex(await systemStore(ctx));
  const untrusted = [...sent, ...(opts.untrusted ?? []).flatMap((f) => readCerts(f, ctx.cwd))];
  const r = verifyChain({ leaf: leaf as Cert, untrusted, trusted, host: opts.host, at: opts.at, profile });
  return {
    ok: r.ok,
    code: r.code,
    message: r.message,
    depth: r.depth,
    chain: r.chain.map((c) => ({ subject: c.subject, sha256: c.sha256 })),
    ...(r.gnutls ? { gnutls: { status: r.gnutls.status, message: r.gnutls.message } } : {}),
  };
}
