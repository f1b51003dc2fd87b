/**
 * The TLS record layer and handshake framing (RFC 8446 §5, §4), just enough to read a server's first flight.
 * Everything here is pure byte handling; no sockets.
 */

export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

export const HS = {
  clientHello: 1,
  serverHello: 2,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  finished: 20,
  certificateStatus: 22,
  messageHash: 254,
} as const;

/** Why our handshake stopped. `kind` drives the mapping to CertifixError and the node:tls fallback. */
type FailureKind =
  | 'not-tls' // the peer answered, but not with TLS records
  | 'alert' // the server sent a fatal alert
  | 'protocol' // the server sent something we cannot follow (a gap in our client, or a broken server)
  | 'closed' // the connection ended before the Certificate
  | 'old-version'; // the server chose TLS 1.0/1.1

export class TlsFailure extends Error {
  readonly kind: FailureKind;
  readonly alert: number | undefined;
  constructor(kind: FailureKind, message: string, alert?: number) {
    super(message);
    this.name = 'TlsFailure';
    this.kind = kind;
    this.alert = alert;
  }
}

/** RFC 8446 §6 alert descriptions (plus the TLS 1.2 ones a server may still send). */
const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertName(code: number): string {
  return ALERTS[code] ?? `alert ${code}`;
}

/** Bounds-checked big-endian cursor; a short read is a protocol failure, never an exception from Buffer. */
export class Cursor {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  bytes(n: number): Buffer {
    if (n > this.remaining) throw new TlsFailure('protocol', `truncated ${this.what}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.bytes(1).readUInt8(0);
  }
  u16(): number {
    return this.bytes(2).readUInt16BE(0);
  }
  u24(): number {
    return this.bytes(3).readUIntBE(0, 3);
  }
  vec8(): Buffer {
    return this.bytes(this.u8());
  }
  vec16(): Buffer {
    return this.bytes(this.u16());
  }
  vec24(): Buffer {
    return this.bytes(this.u24());
  }
}

interface TlsRecord {
  type: number;
  /** The 5-byte header: the AEAD additional data in TLS 1.3. */
  header: Buffer;
  body: Buffer;
}

const MAX_RECORD = 16384 + 2048; // TLSCiphertext limit (RFC 8446 §5.2)

/** Splits a byte stream into records. The first header is checked harder: that is where non-TLS shows. */
export class RecordReader {
  private buf: Buffer = Buffer.alloc(0);
  private seen = 0;

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
  }

  next(): TlsRecord | null {
    if (this.buf.length < 5) {
      if (this.seen === 0 && this.buf.length > 0 && !looksLikeRecordStart(this.buf)) throw notTls(this.buf);
      return null;
    }
    const type = this.buf[0] ?? 0;
    const major = this.buf[1];
    const length = this.buf.readUInt16BE(3);
    const plausible = type >= 20 && type <= 23 && major === 3 && length <= MAX_RECORD;
    if (!plausible || (this.seen === 0 && type !== CONTENT.handshake && type !== CONTENT.alert)) {
      if (this.seen === 0) throw notTls(this.buf);
      throw new TlsFailure('protocol', `malformed TLS record (type ${type}, length ${length})`);
    }
    if (this.buf.length < 5 + length) return null;
    const header = this.buf.subarray(0, 5);
    const body = this.buf.subarray(5, 5 + length);
    this.buf = this.buf.subarray(5 + length);
    this.seen++;
    return { type, header, body };
  }
}

function looksLikeRecordStart(buf: Buffer): boolean {
  const type = buf[0] ?? 0;
  return (type === CONTENT.handshake || type === CONTENT.alert) && (buf.length < 2 || buf[1] === 3);
}

function notTls(buf: Buffer): TlsFailure {
  const text = buf.subarray(0, 64).toString('latin1');
  const line = /^[\x20-\x7e]+/.exec(text)?.[0];
  const seen = line && line.length >= 4 ? `: it sent ${JSON.stringify(line.slice(0, 40))}` : '';
  return new TlsFailure('not-tls', `did not answer with TLS (is it an https port?)${seen}`);
}

interface HandshakeMessage {
  type: number;
  body: Buffer;
  /** Header + body, as hashed into the transcript. */
  raw: Buffer;
}

/** Reassembles handshake messages that span records, or share one. */
export class HandshakeBuffer {
  private buf: Buffer = Buffer.alloc(0);

  push(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
  }

  get empty(): boolean {
    return this.buf.length === 0;
  }

  next(): HandshakeMessage | null {
    if (this.buf.length < 4) return null;
    const length = this.buf.readUIntBE(1, 3);
    if (length > 1 << 20) throw new TlsFailure('protocol', `handshake message of ${length} bytes`);
    if (this.buf.length < 4 + length) return null;
    const raw = this.buf.subarray(0, 4 + length);
    this.buf = this.buf.subarray(4 + length);
    return { type: raw[0] ?? 0, body: raw.subarray(4), raw };
  }
}

/** Wrap a payload in plaintext records of at most 2^14 bytes. */
export function wrapRecords(type: number, payload: Buffer, version = 0x0301): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  do {
    const chunk = payload.subarray(off, off + 16384);
    const header = Buffer.alloc(5);
    header.writeUInt8(type, 0);
    header.writeUInt16BE(version, 1);
    header.writeUInt16BE(chunk.length, 3);
    parts.push(header, chunk);
    off += 16384;
  } while (off < payload.length);
  return Buffer.concat(parts);
}

/** Encode `type || uint24 length || body`. */
export function handshakeMessage(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt8(type, 0);
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

/** Certificate list of TLS 1.2 (`opaque ASN.1Cert<1..2^24-1>` entries) or 1.3 (entries + extensions). */
export function parseCertificateMessage(body: Buffer, tls13: boolean): Buffer[] {
  const c = new Cursor(body, 'Certificate message');
  if (tls13) c.vec8(); // certificate_request_context: empty for server certificates
  const list = new Cursor(c.vec24(), 'certificate_list');
  const out: Buffer[] = [];
  while (list.remaining > 0) {
    const der = list.vec24();
    if (der.length === 0) throw new TlsFailure('protocol', 'empty certificate entry');
    out.push(der);
    if (tls13) list.vec16(); // per-entry extensions (OCSP staple, SCTs): not needed here
  }
  return out;
}
