/**
 * The certificates of a PKCS#7 / CMS "certs-only" SignedData (`.p7c`, `.p7b`, application/pkcs7-mime): what
 * an AIA caIssuers URL may serve instead of a DER certificate (RFC 5280 §4.2.2.1), and what Windows exports.
 *
 * Only the path to the certificates is read (RFC 5652 §5.1):
 *   ContentInfo ::= SEQUENCE { contentType OID (signedData), content [0] EXPLICIT SignedData }
 *   SignedData  ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
 *                              certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL, crls [1], signerInfos }
 * Signatures are not checked: certs-only messages carry none, and every certificate found is only a candidate
 * that must prove it signed the child. The wrapping may be BER (indefinite lengths, as some Java and Windows
 * tools write); the certificates themselves are DER. The input is untrusted: the walk is linear, nesting and
 * the number of certificates are bounded, and anything unexpected throws a Pkcs7Error.
 */
import { DerError, type Header, oidToString, readHeader } from './verify/der.ts';

export class Pkcs7Error extends Error {}

const SIGNED_DATA = '1.2.840.113549.1.7.2';
/** More than any real chain; a bound on work and memory for hostile input. */
const MAX_CERTS = 64;
/** Indefinite-length elements nested deeper than this are refused (the real path nests 3). */
const MAX_DEPTH = 12;

/** A BER element: `cend` is where its contents stop (before the end-of-contents octets if indefinite). */
interface El extends Header {
  cend: number;
}

/** `readHeader` for BER: also an indefinite length (0x80), whose end is found by walking to the end-of-contents. */
function header(buf: Buffer, off: number, limit: number, depth = 0): El {
  if (off + 2 > limit) throw new Pkcs7Error('truncated');
  const first = buf[off] as number;
  let p = off + 1;
  if ((first & 0x1f) === 0x1f) while (p < limit && ((buf[p++] as number) & 0x80) !== 0);
  if (p < limit && buf[p] === 0x80) {
    if ((first & 0x20) === 0) throw new Pkcs7Error('indefinite length on a primitive element');
    if (depth >= MAX_DEPTH) throw new Pkcs7Error('nested too deeply');
    const start = p + 1;
    let q = start;
    for (;;) {
      if (q + 2 > limit) throw new Pkcs7Error('missing end-of-contents');
      if (buf[q] === 0 && buf[q + 1] === 0) break;
      q = header(buf, q, limit, depth + 1).end;
    }
    return { off, first, tag: first & 0x1f, start, cend: q, end: q + 2 };
  }
  let h: Header;
  try {
    h = readHeader(buf, off);
  } catch (e) {
    throw new Pkcs7Error(e instanceof DerError ? e.message : 'bad element');
  }
  if (h.end > limit) throw new Pkcs7Error('element overruns its parent');
  return { ...h, cend: h.end };
}

/** The elements directly inside `h`. */
function inside(buf: Buffer, h: El): El[] {
  const out: El[] = [];
  for (let off = h.start; off < h.cend; ) {
    const c = header(buf, off, h.cend);
    out.push(c);
    off = c.end;
    if (out.length > MAX_CERTS + 8) throw new Pkcs7Error('too many elements');
  }
  return out;
}

/**
 * The DER of each certificate in a PKCS#7 SignedData, in order. Other CertificateChoices (attribute
 * certificates, `other`) are skipped. A SignedData without certificates (a degenerate message holding only
 * CRLs, or nothing) gives []. Throws Pkcs7Error when the bytes are not a SignedData ContentInfo.
 */
export function pkcs7Certificates(der: Buffer): Buffer[] {
  const info = header(der, 0, der.length);
  if (info.first !== 0x30) throw new Pkcs7Error('not a ContentInfo SEQUENCE');
  const [type, content] = inside(der, info);
  if (type?.first !== 0x06) throw new Pkcs7Error('ContentInfo without a content type');
  const oid = oidToString(der.subarray(type.start, type.end));
  if (oid !== SIGNED_DATA) throw new Pkcs7Error(`PKCS#7 content is ${oid}, not SignedData`);
  if (content?.first !== 0xa0) throw new Pkcs7Error('SignedData content missing');
  const [signed] = inside(der, content);
  if (signed?.first !== 0x30) throw new Pkcs7Error('SignedData is not a SEQUENCE');
  const fields = inside(der, signed);
  const [version, digests, encap] = fields;
  if (version?.first !== 0x02 || digests?.first !== 0x31 || encap?.first !== 0x30)
    throw new Pkcs7Error('not a SignedData');
  const certs = fields[3]?.first === 0xa0 ? inside(der, fields[3]) : [];
  const out: Buffer[] = [];
  for (const c of certs) {
    if (c.first !== 0x30) continue; // [0]..[3]: extended, attribute or other certificate formats
    if (out.length === MAX_CERTS) throw new Pkcs7Error(`more than ${MAX_CERTS} certificates`);
    out.push(der.subarray(c.off, c.end));
  }
  return out;
}

const PEM = /-----BEGIN (PKCS7|CMS)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/;

/** The DER inside a `-----BEGIN PKCS7-----` (or CMS) PEM block, or undefined when there is none. */
export function pkcs7FromPem(text: string): Buffer | undefined {
  const m = PEM.exec(text);
  return m ? Buffer.from(m[2] ?? '', 'base64') : undefined;
}
