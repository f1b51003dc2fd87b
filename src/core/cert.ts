import { createHash, X509Certificate } from 'node:crypto';
import { CertifixError } from './errors.ts';

/**
 * A certificate as certifix reasons about it. Built on Node's X509Certificate (OpenSSL underneath);
 * extension details that Node does not expose (key identifiers, criticality) are parsed lazily in
 * `core/extensions.ts` so that loading a 150-root bundle stays cheap.
 */
export interface Cert {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  /** sha256 of the DER, lowercase hex: the identity used everywhere (JSON, fingerprints, de-duplication). */
  readonly sha256: string;
  /** RFC 4514-like, in the certificate's order: `CN=localhost, O=Example`. */
  readonly subject: string;
  readonly issuer: string;
  /** basicConstraints cA=true */
  readonly ca: boolean;
  /** subject == issuer and the signature verifies with its own key */
  readonly selfSigned: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const cache = new WeakMap<X509Certificate, Cert>();

function dn(s: string): string {
  return s.split('\n').filter(Boolean).join(', ');
}

export function certFromX509(x509: X509Certificate): Cert {
  const hit = cache.get(x509);
  if (hit) return hit;
  const der = x509.raw;
  let selfSigned: boolean | undefined;
  const cert: Cert = {
    der,
    x509,
    sha256: createHash('sha256').update(der).digest('hex'),
    subject: dn(x509.subject ?? ''),
    issuer: dn(x509.issuer ?? ''),
    ca: x509.ca,
    get selfSigned() {
      if (selfSigned === undefined) {
        selfSigned = x509.subject === x509.issuer && safeVerify(x509, x509);
      }
      return selfSigned;
    },
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
  cache.set(x509, cert);
  return cert;
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false; // unsupported or malformed key: not a verifiable signature
  }
}

/** True when `issuer` could have issued `cert`: names (and key identifiers) match and the signature verifies. */
export function isIssuedBy(cert: Cert, issuer: Cert): boolean {
  return cert.x509.checkIssued(issuer.x509) && safeVerify(cert.x509, issuer.x509);
}

export function certFromDer(der: Uint8Array): Cert {
  return certFromX509(new X509Certificate(der));
}

const PEM_RE =
  /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;

/**
 * Parse a PEM bundle, a single PEM, or a DER certificate. Blocks that do not parse are skipped and
 * counted, like OpenSSL skips what it cannot read in a CA file.
 */
export function parseCerts(data: Buffer | string, source = 'input'): { certs: Cert[]; skipped: number } {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const certs: Cert[] = [];
  let skipped = 0;
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PEM_RE)) {
      try {
        certs.push(certFromDer(Buffer.from(m[1] ?? '', 'base64')));
      } catch {
        skipped++;
      }
    }
    return { certs, skipped };
  }
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (buf.length > 0 && buf[0] === 0x30) {
    try {
      return { certs: [certFromDer(buf)], skipped: 0 };
    } catch (cause) {
      throw new CertifixError('BAD_CERT_INPUT', `${source} is neither PEM nor a DER certificate`, { cause });
    }
  }
  return { certs, skipped };
}

export function toPem(cert: Cert): string {
  const b64 = cert.der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END CERTIFICATE-----\n`;
}

/** De-duplicate by DER fingerprint, keeping first occurrence order. */
export function uniqueCerts(certs: Iterable<Cert>): Cert[] {
  const seen = new Set<string>();
  const out: Cert[] = [];
  for (const c of certs) {
    if (seen.has(c.sha256)) continue;
    seen.add(c.sha256);
    out.push(c);
  }
  return out;
}

/** Colon-separated uppercase fingerprint, as browsers and `openssl x509 -fingerprint` show it. */
export function formatFingerprint(sha256: string): string {
  return sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Accept a fingerprint as users paste it: with or without colons, any case, optional `sha256:` prefix. */
export function normalizeFingerprint(input: string): string | null {
  const hex = input
    .replace(/^sha-?256[:=]?/i, '')
    .replace(/[:\s]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
