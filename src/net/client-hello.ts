import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { HS, handshakeMessage, TlsFailure } from './tls-records.ts';

/**
 * Our ClientHello: one hello that a TLS 1.2-only and a TLS 1.3 server both accept, shaped like OpenSSL's
 * (which is what Python, curl, git and Node send), so that middleboxes treat us like the real clients.
 */

export type Group = 'x25519' | 'secp256r1' | 'secp384r1';

/** IANA TLS Supported Groups registry ids. */
export const GROUP_IDS: Readonly<Record<Group, number>> = {
  x25519: 0x001d,
  secp256r1: 0x0017,
  secp384r1: 0x0018,
};

const GROUP_BY_ID = new Map(Object.entries(GROUP_IDS).map(([name, id]) => [id, name as Group]));

/** TLS 1.3 suites we can decrypt (RFC 8446 §B.4), in OpenSSL's default order. */
const TLS13_SUITES = [0x1302, 0x1303, 0x1301];
/** TLS 1.2 suites: never used for keys (we stop at the plaintext Certificate), offered for compatibility. */
const TLS12_SUITES = [
  0xc02c, // ECDHE-ECDSA-AES256-GCM-SHA384
  0xc030, // ECDHE-RSA-AES256-GCM-SHA384
  0xcca9, // ECDHE-ECDSA-CHACHA20-POLY1305
  0xcca8, // ECDHE-RSA-CHACHA20-POLY1305
  0xc02b, // ECDHE-ECDSA-AES128-GCM-SHA256
  0xc02f, // ECDHE-RSA-AES128-GCM-SHA256
  0xc024, // ECDHE-ECDSA-AES256-SHA384
  0xc028, // ECDHE-RSA-AES256-SHA384
  0xc023, // ECDHE-ECDSA-AES128-SHA256
  0xc027, // ECDHE-RSA-AES128-SHA256
  0xc00a, // ECDHE-ECDSA-AES256-SHA
  0xc014, // ECDHE-RSA-AES256-SHA
  0xc009, // ECDHE-ECDSA-AES128-SHA
  0xc013, // ECDHE-RSA-AES128-SHA
  0x009d, // AES256-GCM-SHA384 (RSA key exchange: old appliances)
  0x009c, // AES128-GCM-SHA256
  0x0035, // AES256-SHA
  0x002f, // AES128-SHA
  0x00ff, // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
];

const SIGNATURE_ALGORITHMS = [
  0x0403,
  0x0503,
  0x0603, // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
  0x0807,
  0x0808, // ed25519, ed448
  0x0804,
  0x0805,
  0x0806, // rsa_pss_rsae_sha256/384/512
  0x0809,
  0x080a,
  0x080b, // rsa_pss_pss_sha256/384/512
  0x0401,
  0x0501,
  0x0601, // rsa_pkcs1_sha256/384/512
  0x0303,
  0x0203,
  0x0301,
  0x0201, // sha224/sha1 variants: old servers with SHA-1 certificates
];

export interface KeyShare {
  group: number;
  publicKey: Buffer;
  derive(peer: Buffer): Buffer;
}

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function makeKeyShare(group: number): KeyShare {
  if (group === GROUP_IDS.x25519) {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length);
    return {
      group,
      publicKey: raw,
      derive(peer) {
        if (peer.length !== 32) throw new TlsFailure('protocol', 'bad x25519 key share from server');
        const key = Buffer.concat([X25519_SPKI_PREFIX, peer]);
        return diffieHellman({
          privateKey,
          publicKey: createPublicKey({ key, format: 'der', type: 'spki' }),
        });
      },
    };
  }
  const curve = { [GROUP_IDS.secp256r1]: 'prime256v1', [GROUP_IDS.secp384r1]: 'secp384r1' }[group];
  if (!curve) throw new TlsFailure('protocol', `server asked for group 0x${group.toString(16)}, not offered`);
  const ecdh = createECDH(curve);
  const publicKey = ecdh.generateKeys();
  return {
    group,
    publicKey,
    derive(peer) {
      try {
        return ecdh.computeSecret(peer); // the x-coordinate, as RFC 8446 §7.4.2 wants
      } catch {
        throw new TlsFailure('protocol', `bad ${GROUP_BY_ID.get(group)} key share from server`);
      }
    },
  };
}

export function isOfferedGroup(id: number): boolean {
  return GROUP_BY_ID.has(id);
}

interface HelloParams {
  random: Buffer;
  sessionId: Buffer;
  /** SNI host name; omitted for IP literals (RFC 6066 §3). */
  servername?: string | undefined;
  alpn?: readonly string[] | undefined;
  shares: readonly KeyShare[];
  /** Echoed from a HelloRetryRequest (RFC 8446 §4.2.2). */
  cookie?: Buffer | undefined;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
function vec8(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([b.length]), b]);
}
function vec16(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}
function list16(ns: readonly number[]): Buffer {
  return vec16(Buffer.concat(ns.map(u16)));
}
function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

/** The ClientHello handshake message (header included), ready for the transcript and the record layer. */
export function buildClientHello(p: HelloParams): Buffer {
  const exts: Buffer[] = [];
  if (p.servername) {
    const name = Buffer.concat([Buffer.from([0]), vec16(Buffer.from(p.servername, 'ascii'))]);
    exts.push(ext(0x0000, vec16(name)));
  }
  exts.push(ext(0x000b, vec8(Buffer.from([0])))); // ec_point_formats: uncompressed
  exts.push(ext(0x000a, list16(Object.values(GROUP_IDS)))); // supported_groups
  exts.push(ext(0x0023, Buffer.alloc(0))); // session_ticket (empty, as OpenSSL sends)
  if (p.alpn?.length) {
    exts.push(ext(0x0010, vec16(Buffer.concat(p.alpn.map((a) => vec8(Buffer.from(a, 'ascii')))))));
  }
  exts.push(ext(0x0016, Buffer.alloc(0))); // encrypt_then_mac
  exts.push(ext(0x0017, Buffer.alloc(0))); // extended_master_secret
  exts.push(ext(0x000d, list16(SIGNATURE_ALGORITHMS)));
  exts.push(ext(0x002b, vec8(Buffer.concat([u16(0x0304), u16(0x0303)])))); // supported_versions
  if (p.cookie) exts.push(ext(0x002c, vec16(p.cookie)));
  exts.push(ext(0x002d, vec8(Buffer.from([1])))); // psk_key_exchange_modes: psk_dhe_ke
  const shares = p.shares.map((s) => Buffer.concat([u16(s.group), vec16(s.publicKey)]));
  exts.push(ext(0x0033, vec16(Buffer.concat(shares)))); // key_share
  exts.push(ext(0xff01, Buffer.from([0]))); // renegotiation_info: initial handshake
  const body = Buffer.concat([
    u16(0x0303), // legacy_version
    p.random,
    vec8(p.sessionId), // non-empty: TLS 1.3 middlebox compatibility mode (RFC 8446 §D.4)
    list16([...TLS13_SUITES, ...TLS12_SUITES]),
    Buffer.from([1, 0]), // compression: null
    vec16(Buffer.concat(exts)),
  ]);
  return handshakeMessage(HS.clientHello, body);
}
