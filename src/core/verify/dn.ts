/**
 * Distinguished names the way OpenSSL compares them: `X509_NAME_cmp` compares a canonical encoding
 * (crypto/x509/x_name.c `x509_name_canon`): string values converted to UTF-8, ASCII-lowercased, leading and
 * trailing whitespace dropped and inner runs collapsed, each RDN re-encoded as a DER SET. Name constraints
 * (`nc_dn`) compare a prefix of the same bytes.
 */
import { createHash } from 'node:crypto';
import { children, DerError, encodeTlv, type Header, oidToString, readHeader, TAG, type Tlv } from './der.ts';

interface NameAttr {
  oid: string;
  tag: number;
  value: Buffer;
}

export interface NameInfo {
  /** Canonical encoding; equal names have equal bytes. */
  readonly canon: Buffer;
  /** Equal exactly when `canon` is: for comparisons and map keys. */
  key: string;
  /** Number of attributes (`X509_NAME_entry_count`). */
  entries: number;
  attrs: NameAttr[];
}

export const OID_CN = '2.5.4.3';
export const OID_EMAIL = '1.2.840.113549.1.9.1';

const CANON_TAGS = new Set<number>([
  TAG.UTF8,
  TAG.PRINTABLE,
  TAG.T61,
  TAG.IA5,
  TAG.VISIBLE,
  TAG.UNIVERSAL,
  TAG.BMP,
]);
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** `ASN1_STRING_to_UTF8`: null when the bytes cannot be converted. */
export function stringToUtf8(tag: number, v: Buffer): Buffer | null {
  switch (tag) {
    case TAG.UTF8:
      try {
        utf8Fatal.decode(v);
        return v;
      } catch {
        return null;
      }
    case TAG.BMP: {
      if (v.length % 2) return null;
      let s = '';
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode(v.readUInt16BE(i));
      return Buffer.from(s, 'utf8');
    }
    case TAG.UNIVERSAL: {
      if (v.length % 4) return null;
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = v.readUInt32BE(i);
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
      }
      return Buffer.from(s, 'utf8');
    }
    default:
      // PrintableString, IA5String, T61String, VisibleString, ...: one byte per character (latin-1)
      return Buffer.from(v.toString('latin1'), 'utf8');
  }
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function canonString(u: Buffer): Buffer {
  let s = 0;
  let e = u.length;
  while (s < e && isSpace(u[s] as number)) s++;
  while (e > s && isSpace(u[e - 1] as number)) e--;
  const out: number[] = [];
  for (let i = s; i < e; ) {
    const c = u[i] as number;
    if (c >= 0x80) {
      out.push(c);
      i++;
    } else if (isSpace(c)) {
      out.push(0x20);
      while (i < e && isSpace(u[i] as number)) i++;
    } else {
      out.push(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
      i++;
    }
  }
  return Buffer.from(out);
}

function derCmp(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  const c = Buffer.compare(a.subarray(0, n), b.subarray(0, n));
  return c !== 0 ? c : a.length - b.length;
}

type Rdn = Array<[oid: Tlv, value: Tlv]>;

/**
 * Universal tags an attribute value may have: OpenSSL decodes it as ASN1_PRINTABLE (B_ASN1_PRINTABLE through
 * tasn_dec.c's tag2bit): no BOOLEAN, INTEGER, OCTET STRING, NULL, OID, times, VisibleString, GeneralString.
 */
const VALUE_TAGS = new Set<number>([3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30]);

function universal(t: Tlv, tag: number, constructed: boolean): boolean {
  return t.cls === 0 && t.tag === tag && t.constructed === constructed;
}

/** The RDNs of a Name, rejected where OpenSSL's X509_NAME decoder (and its canonicalisation) would fail. */
function rdns(t: Tlv): Rdn[] {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('Name is not a SEQUENCE');
  return children(t).map((rdn) => {
    if (!universal(rdn, TAG.SET, true)) throw new DerError('RDN is not a SET');
    return children(rdn).map((atv): [Tlv, Tlv] => {
      const [oidT, valT, extra] = universal(atv, TAG.SEQUENCE, true) ? children(atv) : [];
      if (!oidT || !valT || extra || !universal(oidT, TAG.OID, false) || oidT.value.length === 0)
        throw new DerError('bad AttributeTypeAndValue');
      if (valT.cls !== 0 || !VALUE_TAGS.has(valT.tag) || valT.constructed !== (valT.tag === TAG.SEQUENCE))
        throw new DerError('bad attribute value type');
      if (valT.tag === TAG.BIT_STRING && !((valT.value[0] ?? 8) <= 7)) throw new DerError('bad BIT STRING');
      if (
        (valT.tag === TAG.UTF8 || valT.tag === TAG.BMP || valT.tag === TAG.UNIVERSAL) &&
        !stringToUtf8(valT.tag, valT.value)
      )
        throw new DerError('attribute value is not convertible to UTF-8'); // x509_name_canon fails
      return [oidT, valT];
    });
  });
}

/** The canonical encoding (`x509_name_canon`): each RDN as a DER SET of re-encoded attributes. */
function canonical(names: Rdn[]): Buffer {
  const sets: Buffer[] = [];
  for (const rdn of names) {
    const encoded: Buffer[] = [];
    for (const [oidT, valT] of rdn) {
      let valEnc = valT.raw;
      if (valT.cls === 0 && CANON_TAGS.has(valT.tag)) {
        const u = stringToUtf8(valT.tag, valT.value);
        if (u) valEnc = encodeTlv(0x0c, canonString(u));
      }
      encoded.push(encodeTlv(0x30, Buffer.concat([oidT.raw, valEnc])));
    }
    encoded.sort(derCmp);
    sets.push(encodeTlv(0x31, Buffer.concat(encoded)));
  }
  return Buffer.concat(sets);
}

const ASCII_ONE_BYTE = new Set<number>([TAG.UTF8, TAG.PRINTABLE, TAG.T61, TAG.IA5, TAG.VISIBLE]);
const NON_ASCII = /[\u0080-\uffff]/;

function within(buf: Buffer, off: number, end: number): Header {
  const h = readHeader(buf, off);
  if (h.end > end) throw new DerError('element overruns its parent');
  return h;
}

/**
 * A string equal for two names exactly when their canonical encodings are, computed from the DER of a `Name`
 * without building the encoding or slicing buffers (what trust stores index hundreds of subjects by). Each
 * attribute is its OID element and its canonical value ('c') or, when OpenSSL keeps it as encoded, its raw
 * element ('r'), length-prefixed; an RDN's attributes are sorted, as the DER SET is. ASCII values (nearly all)
 * take a string fast path; the rest the same conversion as `canonical`. Throws where `rdns` does.
 */
export function nameKey(der: Buffer): string {
  const name = readHeader(der, 0);
  if (name.tag !== TAG.SEQUENCE) throw new DerError('Name is not a SEQUENCE');
  let k = '';
  for (let p = name.start; p < name.end; ) {
    const rdn = within(der, p, name.end);
    p = rdn.end;
    if (rdn.first !== 0x31) throw new DerError('RDN is not a SET');
    const attrs: string[] = [];
    for (let q = rdn.start; q < rdn.end; ) {
      const atv = within(der, q, rdn.end);
      q = atv.end;
      const oid = atv.first === 0x30 && atv.start < atv.end ? within(der, atv.start, atv.end) : undefined;
      const val = oid && oid.end < atv.end ? within(der, oid.end, atv.end) : undefined;
      if (!oid || !val || val.end !== atv.end || oid.first !== 0x06 || oid.start === oid.end)
        throw new DerError('bad AttributeTypeAndValue');
      const cls = val.first >> 6;
      const constructed = (val.first & 0x20) !== 0;
      if (cls !== 0 || !VALUE_TAGS.has(val.tag) || constructed !== (val.tag === TAG.SEQUENCE))
        throw new DerError('bad attribute value type');
      if (val.tag === TAG.BIT_STRING && (val.start === val.end || (der[val.start] as number) > 7))
        throw new DerError('bad BIT STRING');
      let v: string | undefined;
      if (CANON_TAGS.has(val.tag)) {
        const s = der.toString('latin1', val.start, val.end);
        if (ASCII_ONE_BYTE.has(val.tag) && !NON_ASCII.test(s)) {
          v = `c${s
            .replace(/^[\t-\r ]+|[\t-\r ]+$/g, '')
            .replace(/[\t-\r ]+/g, ' ')
            .toLowerCase()}`;
        } else {
          const u = stringToUtf8(val.tag, der.subarray(val.start, val.end));
          if (!u) throw new DerError('attribute value is not convertible to UTF-8'); // x509_name_canon fails
          v = `c${canonString(u).toString('latin1')}`;
        }
      }
      v ??= `r${der.toString('latin1', val.off, val.end)}`;
      const a = `${der.toString('latin1', oid.off, oid.end)}${v}`;
      attrs.push(`${a.length}:${a}`);
    }
    attrs.sort();
    k += `${attrs.length}{${attrs.join('')}`;
  }
  return k;
}

/**
 * Parse a `Name` (SEQUENCE OF RDN) into its comparison key and attributes; the canonical encoding itself is
 * built on first use (name constraints, directory hashes), since comparing names only needs the key.
 */
export function parseName(t: Tlv): NameInfo {
  const names = rdns(t);
  const attrs: NameAttr[] = [];
  for (const rdn of names)
    for (const [oidT, valT] of rdn)
      attrs.push({ oid: oidToString(oidT.value), tag: valT.tag, value: valT.value });
  let canon: Buffer | undefined;
  return {
    get canon() {
      canon ??= canonical(names);
      return canon;
    },
    key: nameKey(t.raw),
    entries: attrs.length,
    attrs,
  };
}

/** OpenSSL's `X509_NAME_hash`: the first 4 bytes of SHA-1 of the canonical encoding, little-endian hex. */
export function nameHash(name: NameInfo): string {
  const d = createHash('sha1').update(name.canon).digest();
  return d.readUInt32LE(0).toString(16).padStart(8, '0');
}

/** Values of one attribute type, e.g. every CN, in order. */
export function attrValues(name: NameInfo, oid: string): NameAttr[] {
  return name.attrs.filter((a) => a.oid === oid);
}
