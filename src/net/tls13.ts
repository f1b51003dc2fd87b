import { type CipherGCMTypes, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { HS, handshakeMessage, TlsFailure } from './tls-records.ts';

/**
 * The client half of the TLS 1.3 key schedule (RFC 8446 §7), only as far as the server handshake traffic
 * secret: enough to decrypt EncryptedExtensions and Certificate. We never derive client keys and never
 * verify Finished: certifix reads the chain, it does not trust it.
 */

export interface Suite {
  id: number;
  name: string;
  hash: 'sha256' | 'sha384';
  hashLen: number;
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLen: number;
}

export const TLS13_SUITES: ReadonlyMap<number, Suite> = new Map(
  (
    [
      [0x1301, 'TLS_AES_128_GCM_SHA256', 'sha256', 32, 'aes-128-gcm', 16],
      [0x1302, 'TLS_AES_256_GCM_SHA384', 'sha384', 48, 'aes-256-gcm', 32],
      [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'sha256', 32, 'chacha20-poly1305', 32],
    ] as const
  ).map(([id, name, hash, hashLen, cipher, keyLen]) => [id, { id, name, hash, hashLen, cipher, keyLen }]),
);

/** HKDF-Extract (RFC 5869 §2.2). */
export function hkdfExtract(hash: string, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(hash, salt).update(ikm).digest();
}

/** HKDF-Expand-Label (RFC 8446 §7.1): HKDF-Expand with the `tls13 `-prefixed HkdfLabel as info. */
export function hkdfExpandLabel(
  hash: string,
  secret: Buffer,
  label: string,
  context: Buffer,
  length: number,
) {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
  ]);
  const blocks: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1, have = 0; have < length; i++) {
    prev = createHmac(hash, secret)
      .update(Buffer.concat([prev, info, Buffer.from([i])]))
      .digest();
    blocks.push(prev);
    have += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/**
 * Transcript-Hash (RFC 8446 §4.4.1). After a HelloRetryRequest the first ClientHello is replaced by a
 * synthetic `message_hash` message holding its hash (§4.4.1, "special case").
 */
export function transcriptHash(suite: Suite, messages: readonly Buffer[], afterHrr: boolean): Buffer {
  const h = createHash(suite.hash);
  messages.forEach((m, i) => {
    if (i === 0 && afterHrr) {
      h.update(handshakeMessage(HS.messageHash, createHash(suite.hash).update(m).digest()));
    } else h.update(m);
  });
  return h.digest();
}

interface TrafficKeys {
  key: Buffer;
  iv: Buffer;
}

/** server_handshake_traffic_secret → its write key and IV. */
export function serverHandshakeKeys(suite: Suite, sharedSecret: Buffer, helloHash: Buffer): TrafficKeys {
  const zeros = Buffer.alloc(suite.hashLen);
  const emptyHash = createHash(suite.hash).digest();
  const early = hkdfExtract(suite.hash, zeros, zeros);
  const derived = hkdfExpandLabel(suite.hash, early, 'derived', emptyHash, suite.hashLen);
  const handshake = hkdfExtract(suite.hash, derived, sharedSecret);
  const secret = hkdfExpandLabel(suite.hash, handshake, 's hs traffic', helloHash, suite.hashLen);
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', Buffer.alloc(0), suite.keyLen),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', Buffer.alloc(0), 12),
  };
}

/** Decrypts TLSCiphertext records under one key (RFC 8446 §5.2-5.3): nonce = iv XOR padded sequence. */
export class RecordDecrypter {
  private seq = 0n;
  constructor(
    private readonly suite: Suite,
    private readonly keys: TrafficKeys,
  ) {}

  decrypt(header: Buffer, body: Buffer): { type: number; content: Buffer } {
    if (body.length < 17) throw new TlsFailure('protocol', 'encrypted record too short');
    const nonce = Buffer.from(this.keys.iv);
    const seq = this.seq++;
    for (let i = 0; i < 8; i++) {
      const idx = 11 - i;
      nonce[idx] = (nonce[idx] ?? 0) ^ Number((seq >> BigInt(8 * i)) & 0xffn);
    }
    // chacha20-poly1305 takes the same AEAD calls; @types/node only lists it under its own overload.
    const cipher = this.suite.cipher as CipherGCMTypes;
    const decipher = createDecipheriv(cipher, this.keys.key, nonce, { authTagLength: 16 });
    decipher.setAAD(header, { plaintextLength: body.length - 16 });
    decipher.setAuthTag(body.subarray(body.length - 16));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    } catch {
      throw new TlsFailure('protocol', `could not decrypt the server's handshake (${this.suite.name})`);
    }
    // TLSInnerPlaintext: content || type || zero padding
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0) throw new TlsFailure('protocol', 'encrypted record without a content type');
    return { type: plain[end] ?? 0, content: plain.subarray(0, end) };
  }
}
