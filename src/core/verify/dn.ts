/**
 * Distinguished names the way OpenSSL compares them: `X509_NAME_cmp` compares a canonical encoding
 * (crypto/x509/x_name.c `x509_name_canon`): string values converted to UTF-8, ASCII-lowercased, leading and
 * trailing whitespace dropped and inner runs collapsed, each RDN re-encoded as a DER SET. Name constraints
 * (`nc_dn`) compare a prefix of the same bytes.
 */
import { children, DerError, encodeTlv, oidToString, TAG, type Tlv } from './der.ts';

export interface NameAttr {
  oid: string;
  tag: number;
  value: Buffer;
}

export interface NameInfo {
  /** Canonical encoding; equal names have equal bytes. */
  canon: Buffer;
  /** `canon` as a hex string, for map keys. */
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

/** Parse a `Name` (SEQUENCE OF RDN) into its canonical form and attributes. */
export function parseName(t: Tlv): NameInfo {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('Name is not a SEQUENCE');
  const attrs: NameAttr[] = [];
  const sets: Buffer[] = [];
  for (const rdn of children(t)) {
    if (rdn.tag !== TAG.SET) throw new DerError('RDN is not a SET');
    const encoded: Buffer[] = [];
    for (const atv of children(rdn)) {
      const [oidT, valT] = children(atv);
      if (!oidT || !valT || oidT.tag !== TAG.OID) throw new DerError('bad AttributeTypeAndValue');
      const oid = oidToString(oidT.value);
      attrs.push({ oid, tag: valT.tag, value: valT.value });
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
  const canon = Buffer.concat(sets);
  return { canon, key: canon.toString('hex'), entries: attrs.length, attrs };
}

/** Values of one attribute type, e.g. every CN, in order. */
export function attrValues(name: NameInfo, oid: string): NameAttr[] {
  return name.attrs.filter((a) => a.oid === oid);
}
