import { type Cert, formatFingerprint } from './cert.ts';

/**
 * Where a certificate offered for trust came from; it decides how much confirmation it needs.
 * 'windows-store': under WSL, the Windows side's trusted roots (stores/wsl.ts), as much the user's own as
 * the OS store.
 */
export type Origin = 'os-store' | 'file' | 'network' | 'windows-store';

export interface Candidate {
  cert: Cert;
  origin: Origin;
  /** The file it was read from (origin 'file'). */
  file?: string;
}

export interface Screened extends Candidate {
  /** Shown to the user; trusting still proceeds. */
  warnings: string[];
  /**
   * Why certifix will not trust it without an explicit override: a clause to follow `refusing to trust
   * "<subject>": ` (it names the certificate "it").
   */
  refusal?: string | undefined;
  /**
   * Fingerprints were given and none is this root's: a different proxy or root than the one expected. Not
   * asked about on the terminal either: the user already said which root they expect.
   */
  fingerprintMismatch?: boolean | undefined;
}

export interface ScreenOptions {
  now?: Date;
  /** The user insisted on trusting non-CA certificates (`--allow-non-ca`). */
  allowNonCa?: boolean;
  /** Fingerprints (sha256 hex) the user confirmed, for roots seen only on the network. */
  confirmed?: ReadonlySet<string>;
  /** The certificates the server sent, to say which one a fingerprint that is not the root's belongs to. */
  chain?: readonly Cert[];
}

const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;

function keyWarning(cert: Cert): string | null {
  const details = cert.x509.publicKey.asymmetricKeyDetails;
  const type = cert.x509.publicKey.asymmetricKeyType;
  if ((type === 'rsa' || type === 'rsa-pss') && (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `weak key: RSA ${details?.modulusLength ?? '?'} bits (OpenSSL at security level 2 rejects < ${MIN_RSA_BITS})`;
  }
  if (type === 'ec' && details?.namedCurve && /(192|224)/.test(details.namedCurve)) {
    return `weak key: ${details.namedCurve} (< ${MIN_EC_BITS} bits)`;
  }
  return null;
}

/**
 * Decide whether a certificate may go into the trusted bundle. Safety rules, in order:
 * a site's own (non-CA) certificate is refused unless insisted on, because trusting it is almost always the
 * wrong fix; a root seen only on the network needs its fingerprint confirmed, so a hostile proxy cannot
 * talk certifix into trusting it.
 */
export function screen(c: Candidate, opts: ScreenOptions = {}): Screened {
  const now = opts.now ?? new Date();
  const warnings: string[] = [];
  let refusal: string | undefined;
  const { cert } = c;
  if (cert.notAfter < now) warnings.push(`expired on ${cert.notAfter.toISOString().slice(0, 10)}`);
  else if (cert.notAfter.getTime() - now.getTime() < 30 * 86400_000)
    warnings.push(`expires soon (${cert.notAfter.toISOString().slice(0, 10)})`);
  if (cert.notBefore > now) warnings.push(`not valid before ${cert.notBefore.toISOString().slice(0, 10)}`);
  const weak = keyWarning(cert);
  if (weak) warnings.push(weak);
  let fingerprintMismatch: boolean | undefined;
  if (!cert.ca && !opts.allowNonCa) {
    refusal = `it is not a CA certificate but a site's own; trusting it would cover only that one certificate and hide the real problem. Use the root that issued it, or pass --allow-non-ca if you really mean it.`;
  } else if (c.origin === 'network' && !opts.confirmed?.has(cert.sha256)) {
    if (opts.confirmed?.size) {
      fingerprintMismatch = true;
      refusal = mismatch(cert, opts.confirmed, opts.chain ?? []);
    } else {
      refusal = `it came only from the network, not from your OS store. Check its fingerprint with your IT team:\n  ${formatFingerprint(cert.sha256)}\nthen confirm it interactively or pass --trust-fingerprint ${cert.sha256}`;
    }
  }
  return { ...c, warnings, refusal, ...(fingerprintMismatch ? { fingerprintMismatch } : {}) };
}

/**
 * The fingerprints the user gave are not this root's: say what each one is (another certificate of the chain,
 * or none here) and what the root sent is. Not a typo to retry past: the root sent is not the one the user was
 * told about, which is what a different (or hostile) proxy looks like.
 */
function mismatch(root: Cert, given: ReadonlySet<string>, chain: readonly Cert[]): string {
  const others = [...given].map((f) => chain.find((c) => c.sha256 === f));
  const what = [...given].map((f, i) => {
    const other = others[i];
    return `--trust-fingerprint ${formatFingerprint(f)} ${other ? `is the fingerprint of "${other.subject}" in the chain, not of its root` : 'matches no certificate here'}`;
  });
  const sent = `the root sent is\n  ${formatFingerprint(root.sha256)}\n`;
  return others.every(Boolean)
    ? `${what.join('; ')}; ${sent}Check that one with your IT team, then pass --trust-fingerprint ${root.sha256}`
    : `${what.join('; ')}; ${sent}a different proxy or root than the one IT told you about? Trust it only once IT confirms this fingerprint.`;
}
