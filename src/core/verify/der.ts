/**
 * A minimal, lossless DER walker. Path validation has to compare raw bytes the way OpenSSL does
 * (canonical names, AlgorithmIdentifier equality, IP address lengths, embedded NULs in dNSNames), which
 * higher-level decoders normalise away.
 */

export interface Tlv {
  /** Tag number (low 5 bits for short tags). */
  tag: number;
  /** 0 universal, 1 application, 2 context, 3 private */
  cls: number;
  constructed: boolean;
  /** The whole element, header included. */
  raw: Buffer;
  /** The contents octets. */
  value: Buffer;
}

export class DerError extends Error {}

/** An element's position in its buffer, without slicing (slicing a Buffer is the costly part of a walk). */
export interface Header {
  /** Offset of the element (its identifier octet). */
  off: number;
  /** The identifier octet. */
  first: number;
  tag: number;
  /** Offset of the contents octets. */
  start: number;
  /** Offset just past the element. */
  end: number;
}

export function readHeader(buf: Buffer, off = 0): Header {
  if (off + 2 > buf.length) throw new DerError('truncated header');
  const first = buf[off] as number;
  let p = off + 1;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let b: number;
    do {
      if (p >= buf.length) throw new DerError('truncated tag');
      b = buf[p++] as number;
      tag = tag * 128 + (b & 0x7f);
    } while (b & 0x80);
  }
  if (p >= buf.length) throw new DerError('truncated length');
  let len = buf[p++] as number;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > buf.length) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p++] as number);
  }
  const end = p + len;
  if (end > buf.length) throw new DerError('truncated value');
  return { off, first, tag, start: p, end };
}

function readTlv(buf: Buffer, off = 0): Tlv & { end: number } {
  const h = readHeader(buf, off);
  return {
    tag: h.tag,
    cls: h.first >> 6,
    constructed: (h.first & 0x20) !== 0,
    raw: buf.subarray(off, h.end),
    value: buf.subarray(h.start, h.end),
    end: h.end,
  };
}

/** The elements inside a constructed value. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < t.value.length) {
    const c = readTlv(t.value, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

export function parse(buf: Buffer): Tlv {
  return readTlv(buf, 0);
}

export function oidToString(v: Buffer): string {
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let n = 0;
  for (const b of v) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** Encode a TLV from a tag byte and contents (for canonical name encodings). */
export function encodeTlv(tagByte: number, value: Buffer): Buffer {
  const len = value.length;
  let hdr: number[];
  if (len < 0x80) hdr = [tagByte, len];
  else {
    const bytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
    hdr = [tagByte, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(hdr), value]);
}

/** Universal tag numbers used here. */
export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE: 19,
  T61: 20,
  IA5: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE: 26,
  UNIVERSAL: 28,
  BMP: 30,
} as const;
