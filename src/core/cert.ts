import { createHash, X509Certificate } from 'node:crypto';
import { CertifixError } from './errors.ts';
import { type Header, readHeader } from './verify/der.ts';

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

function dn(s: string | undefined): string {
  return (s ?? '').split('\n').filter(Boolean).join(', ');
}

/**
 * A Cert that keeps its DER and builds the X509Certificate (and everything derived from it) on first use.
 * Trust stores hold hundreds of roots of which a diagnosis touches a handful; parsing each with OpenSSL up
 * front was the largest start-up cost (~0.3 ms a certificate, ~450 of them across four copies of the roots).
 */
class LazyCert implements Cert {
  readonly der: Buffer;
  readonly sha256: string;
  /** Raw `Name` elements (header included), found by a TLV walk at construction. */
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  #x509: X509Certificate | undefined;
  #memo: { subject?: string; issuer?: string; selfSigned?: boolean; notBefore?: Date; notAfter?: Date } = {};

  constructor(der: Buffer, sha256: string, names: Names, x509?: X509Certificate) {
    this.der = der;
    this.sha256 = sha256;
    this.subjectDer = names.subject;
    this.issuerDer = names.issuer;
    this.#x509 = x509;
  }
  get x509(): X509Certificate {
    this.#x509 ??= new X509Certificate(this.der);
    return this.#x509;
  }
  get subject(): string {
    this.#memo.subject ??= dn(this.x509.subject);
    return this.#memo.subject;
  }
  get issuer(): string {
    this.#memo.issuer ??= dn(this.x509.issuer);
    return this.#memo.issuer;
  }
  get ca(): boolean {
    return this.x509.ca;
  }
  get selfSigned(): boolean {
    this.#memo.selfSigned ??= this.x509.subject === this.x509.issuer && signedBy(this, this);
    return this.#memo.selfSigned;
  }
  get notBefore(): Date {
    this.#memo.notBefore ??= new Date(this.x509.validFrom);
    return this.#memo.notBefore;
  }
  get notAfter(): Date {
    this.#memo.notAfter ??= new Date(this.x509.validTo);
    return this.#memo.notAfter;
  }
}

interface Names {
  subject: Buffer;
  issuer: Buffer;
  /** Length of the Certificate element (bytes after it are not part of it, as for d2i_X509). */
  end: number;
}

/**
 * The shape of a Certificate, checked with a TLV walk: SEQUENCE { tbs, algorithm, BIT STRING } with the
 * TBSCertificate fields up to the public key. Throws on anything else (a PEM block of garbage, a key).
 */
function certNames(der: Buffer): Names {
  const outer = readHeader(der, 0);
  if (outer.first !== 0x30) throw new Error('not a SEQUENCE');
  const tbs = readHeader(der, outer.start);
  const alg = readHeader(der, tbs.end);
  const sig = readHeader(der, alg.end);
  if (tbs.first !== 0x30 || alg.first !== 0x30 || sig.tag !== 3 || sig.end > outer.end)
    throw new Error('not a Certificate');
  const f: Header[] = [];
  for (let off = tbs.start; off < tbs.end && f.length < 8; ) {
    const t = readHeader(der, off);
    if (t.end > tbs.end) throw new Error('bad TBSCertificate');
    f.push(t);
    off = t.end;
  }
  const i = f[0]?.first === 0xa0 ? 1 : 0;
  const [serial, , issuer, validity, subject, spki] = f.slice(i) as (Header | undefined)[];
  if (serial?.tag !== 2 || issuer?.tag !== 16 || validity?.tag !== 16 || subject?.tag !== 16 || !spki)
    throw new Error('short TBSCertificate');
  return {
    subject: der.subarray(subject.off, subject.end),
    issuer: der.subarray(issuer.off, issuer.end),
    end: outer.end,
  };
}

/** Raw DER of the subject and issuer names (header included) without parsing the certificate. */
export function rawNames(cert: Cert): { subject: Buffer; issuer: Buffer } {
  if (cert instanceof LazyCert) return { subject: cert.subjectDer, issuer: cert.issuerDer };
  let n = plainNames.get(cert);
  if (!n) {
    n = certNames(cert.der);
    plainNames.set(cert, n);
  }
  return n;
}
const plainNames = new WeakMap<Cert, Names>();

/**
 * One object per certificate per process: the same root read from the distro bundle, the hashed directory,
 * Node's roots and certifi is parsed (and signature-checked, and indexed) once. Weak, so a library user
 * verifying many chains does not keep every leaf alive.
 */
const live = new Map<string, WeakRef<LazyCert>>();
const collected = new FinalizationRegistry<string>((sha) => {
  if (live.get(sha)?.deref() === undefined) live.delete(sha);
});

/**
 * One-shot `crypto.hash` (Node >= 20.12) is several times cheaper than a Hash object per certificate. Found
 * through process.getBuiltinModule (>= 20.16): a named import fails to link where it is missing, and a
 * namespace import costs the CommonJS bundle a copy of node:crypto's exports at every start.
 */
type OneShotHash = (alg: string, data: Buffer, enc: 'hex') => string;
const oneShot = (process.getBuiltinModule?.('node:crypto') as { hash?: OneShotHash } | undefined)?.hash;
const sha256Hex = (der: Buffer): string =>
  oneShot ? oneShot('sha256', der, 'hex') : createHash('sha256').update(der).digest('hex');

function intern(der: Buffer, x509?: X509Certificate): LazyCert {
  const sha256 = sha256Hex(der);
  const hit = live.get(sha256)?.deref();
  if (hit) return hit;
  const cert = new LazyCert(der, sha256, certNames(der), x509);
  live.set(sha256, new WeakRef(cert));
  collected.register(cert, sha256);
  return cert;
}

const signatures = new WeakMap<Cert, Map<string, boolean>>();

/**
 * Whether `issuer`'s key verifies `cert`'s signature, computed once per pair and process: diagnosis checks the
 * same links for the anchor search and for every client's verdict.
 */
export function signedBy(cert: Cert, issuer: Cert): boolean {
  let byIssuer = signatures.get(cert);
  if (!byIssuer) {
    byIssuer = new Map();
    signatures.set(cert, byIssuer);
  }
  let ok = byIssuer.get(issuer.sha256);
  if (ok === undefined) {
    try {
      ok = cert.x509.verify(issuer.x509.publicKey);
    } catch {
      ok = false; // unsupported or malformed key: not a verifiable signature
    }
    byIssuer.set(issuer.sha256, ok);
  }
  return ok;
}

/** True when `issuer` could have issued `cert`: names (and key identifiers) match and the signature verifies. */
export function isIssuedBy(cert: Cert, issuer: Cert): boolean {
  try {
    return cert.x509.checkIssued(issuer.x509) && signedBy(cert, issuer);
  } catch {
    return false; // one of them does not parse: it issued nothing
  }
}

/**
 * A Cert for DER bytes. Only the outer structure is checked here (throws when it is not a certificate);
 * OpenSSL parses it on first use of `x509` or a field derived from it.
 */
export function certFromDer(der: Uint8Array): Cert {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return intern(Buffer.from(buf.subarray(0, certNames(buf).end)));
}

const PEM_RE =
  /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;

/** certFromDer, parsed by OpenSSL now: throws when OpenSSL cannot read it. */
function parsed(der: Buffer): Cert {
  const cert = certFromDer(der);
  void cert.x509;
  return cert;
}

/**
 * Parse a PEM bundle, a single PEM, or a DER certificate. Blocks that do not parse are skipped and
 * counted, like OpenSSL skips what it cannot read in a CA file. (Explicit input is small: it is parsed
 * eagerly. Trust stores go through stores/load.ts, which defers parsing.)
 */
export function parseCerts(data: Buffer | string, source = 'input'): { certs: Cert[]; skipped: number } {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const certs: Cert[] = [];
  let skipped = 0;
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PEM_RE)) {
      try {
        certs.push(parsed(Buffer.from(m[1] ?? '', 'base64')));
      } catch {
        skipped++;
      }
    }
    return { certs, skipped };
  }
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (buf.length > 0 && buf[0] === 0x30) {
    try {
      return { certs: [parsed(buf)], skipped: 0 };
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
