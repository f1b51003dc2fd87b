/**
 * Java keystores as trust stores, pure: reading the certificates of a JKS or PKCS#12 file (what a JVM would
 * trust from its `cacerts` or a `javax.net.ssl.trustStore`), and writing a JKS truststore of trusted-certificate
 * entries.
 *
 * Why certifix writes JKS: every JDK reads it. Java 8 takes JKS by default; Java 9+ defaults to PKCS12 but
 * `keystore.type.compat=true` (the default in conf/security/java.security) makes its PKCS12 keystore load a
 * JKS file too (JDK-8062552, https://bugs.openjdk.org/browse/JDK-8062552), which is how Debian's JDK 17 reads
 * its own JKS /etc/ssl/certs/java/cacerts. A PKCS12 truststore would need the Oracle trusted-key-usage
 * attribute on each bag and, before JDK 18, a MAC; JKS needs one SHA-1 over the body.
 *
 * JKS layout (sun.security.provider.JavaKeyStore engineStore/engineLoad,
 * https://github.com/openjdk/jdk/blob/master/src/java.base/share/classes/sun/security/provider/JavaKeyStore.java):
 * magic 0xFEEDFEED, version 2, count, then per entry: tag 1 (private key: alias, date, key, chain) or tag 2
 * (trusted certificate: alias as writeUTF, date as epoch millis, cert type as writeUTF, length, DER), then
 * SHA-1(password as UTF-16BE ‖ "Mighty Aphrodite" ‖ everything before). Loading with a null password (what
 * the JSSE does when javax.net.ssl.trustStorePassword is unset) skips that check.
 */
import { createHash } from 'node:crypto';
import { type Cert, certFromDer } from './cert.ts';
import { children, oidToString, parse, type Tlv } from './verify/der.ts';

export interface KeystoreEntry {
  alias: string;
  cert: Cert;
  /** Entry creation time (epoch millis), kept when copying so a re-run writes the same bytes. */
  date: number;
}

interface Keystore {
  format: 'jks' | 'pkcs12';
  entries: KeystoreEntry[];
  /** PKCS#12 parts certifix cannot read without the password (encrypted bags): their certificates are missing. */
  encrypted: number;
}

const JKS_MAGIC = 0xfeedfeed;
/** The JDK's default keystore password (keytool documentation, "cacerts Certificates File"). */
export const DEFAULT_STOREPASS = 'changeit';
/** cacerts holds ~150 entries; a keystore claiming more than this is not one we read. */
const MAX_ENTRIES = 10_000;

export function isJks(data: Buffer): boolean {
  return data.length >= 8 && data.readUInt32BE(0) === JKS_MAGIC;
}

/** SHA-1 keyed the way JavaKeyStore.getPreKeyedHash does. */
function preKeyedHash(password: string) {
  const md = createHash('sha1');
  md.update(Buffer.from(password, 'utf16le').swap16()); // char[] → big-endian bytes (convertToBytes)
  md.update('Mighty Aphrodite', 'utf8');
  return md;
}

class Reader {
  off = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number): void {
    if (n < 0 || this.off + n > this.buf.length) throw new Error('truncated keystore');
  }
  int(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }
  long(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.off));
    this.off += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  /** DataInput.readUTF: a 2-byte length, then modified UTF-8 (plain UTF-8 for the aliases keystores hold). */
  utf(): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return this.bytes(n).toString('utf8');
  }
}

/** The entries of a JKS file. With `password`, the integrity hash is checked as the JDK does. */
export function readJks(data: Buffer, password?: string): Keystore {
  const r = new Reader(data);
  const magic = r.int() >>> 0;
  const version = r.int();
  if (magic !== JKS_MAGIC || (version !== 1 && version !== 2)) throw new Error('not a JKS keystore');
  const count = r.int();
  if (count < 0 || count > MAX_ENTRIES) throw new Error(`implausible keystore entry count ${count}`);
  const entries: KeystoreEntry[] = [];
  const cert = () => {
    if (version === 2) r.utf(); // certificate type, "X.509"
    return certFromDer(r.bytes(r.int()));
  };
  for (let i = 0; i < count; i++) {
    const tag = r.int();
    const alias = r.utf();
    const date = r.long();
    if (tag === 2) entries.push({ alias, date, cert: cert() });
    else if (tag === 1) {
      r.bytes(r.int()); // the protected private key
      const chain = r.int();
      if (chain < 0 || chain > MAX_ENTRIES) throw new Error('implausible certificate chain length');
      // A key entry's own certificate is an anchor too (TrustStoreUtil.getTrustedCerts takes chain[0]).
      for (let j = 0; j < chain; j++) {
        const c = cert();
        if (j === 0) entries.push({ alias, date, cert: c });
      }
    } else throw new Error(`unknown keystore entry tag ${tag}`);
  }
  if (password !== undefined) {
    const body = data.subarray(0, r.off);
    if (!preKeyedHash(password).update(body).digest().equals(r.bytes(20)))
      throw new Error('Keystore was tampered with, or password was incorrect');
  }
  return { format: 'jks', entries, encrypted: 0 };
}

/** Java's DataOutput.writeUTF for the ASCII aliases certifix writes. */
function utf(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A JKS truststore holding `entries` as trusted-certificate entries, in order. */
export function writeJks(entries: readonly KeystoreEntry[], password = DEFAULT_STOREPASS): Buffer {
  const parts: Buffer[] = [int(JKS_MAGIC), int(2), int(entries.length)];
  for (const e of entries) {
    const date = Buffer.alloc(8);
    date.writeBigInt64BE(BigInt(Math.trunc(e.date)));
    parts.push(int(2), utf(e.alias), date, utf('X.509'), int(e.cert.der.length), e.cert.der);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, preKeyedHash(password).update(body).digest()]);
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
};

/** The OCTET STRING inside a `[0] EXPLICIT` wrapper. */
const explicitOctets = (t: Tlv | undefined): Buffer => {
  const inner = t && children(t)[0];
  if (!inner) throw new Error('malformed PKCS#12');
  return inner.value;
};

/**
 * The certificates of a PKCS#12 file that are readable without its password: the bags of `data` parts
 * (RFC 7292 §4; the password-less cacerts of JDK 18+ keeps every certificate there, JDK-8275252). Parts
 * encrypted with the password are counted, not read.
 */
function readPkcs12(data: Buffer): Keystore {
  const pfx = children(parse(data));
  const authSafe = pfx[1] && children(pfx[1]);
  if (!authSafe || oidToString(authSafe[0]?.value ?? Buffer.alloc(0)) !== OID.data)
    throw new Error('not a PKCS#12 keystore');
  const entries: KeystoreEntry[] = [];
  let encrypted = 0;
  for (const info of children(parse(explicitOctets(authSafe[1])))) {
    const [type, content] = children(info);
    const oid = type ? oidToString(type.value) : '';
    if (oid === OID.encryptedData) encrypted++;
    if (oid !== OID.data) continue;
    for (const bag of children(parse(explicitOctets(content)))) {
      const [id, value, attrs] = children(bag);
      if (!id || oidToString(id.value) !== OID.certBag) continue;
      const [certId, certValue] = value ? children(children(value)[0] as Tlv) : [];
      if (!certId || oidToString(certId.value) !== OID.x509Certificate) continue;
      let alias = '';
      for (const attr of attrs ? children(attrs) : []) {
        const [aid, set] = children(attr);
        const v = set && children(set)[0];
        if (aid && v && oidToString(aid.value) === OID.friendlyName)
          alias = Buffer.from(v.value).swap16().toString('utf16le'); // BMPString: UTF-16BE
      }
      const cert = certFromDer(explicitOctets(certValue));
      entries.push({ alias: alias || cert.sha256.slice(0, 16), cert, date: cert.notBefore.getTime() });
    }
  }
  return { format: 'pkcs12', entries, encrypted };
}

/** JKS magic, or DER whose first element is an INTEGER (a PFX's version; a certificate starts with a SEQUENCE). */
export function isKeystore(data: Buffer): boolean {
  if (isJks(data)) return true;
  try {
    return data[0] === 0x30 && children(parse(data))[0]?.tag === 2;
  } catch {
    return false;
  }
}

/** A JKS or PKCS#12 keystore's readable certificates; throws when `data` is neither. */
export function readKeystore(data: Buffer): Keystore {
  return isJks(data) ? readJks(data) : readPkcs12(data);
}

/**
 * `sources` merged into one list of trusted entries: the first occurrence of each certificate wins, keeping
 * its alias and date; later aliases that collide get a numeric suffix (JKS aliases are case-insensitive,
 * JavaKeyStore.convertAlias lowercases them).
 */
export function mergeEntries(sources: ReadonlyArray<readonly KeystoreEntry[]>): KeystoreEntry[] {
  const seen = new Set<string>();
  const aliases = new Set<string>();
  const out: KeystoreEntry[] = [];
  for (const list of sources) {
    for (const e of list) {
      if (seen.has(e.cert.sha256)) continue;
      seen.add(e.cert.sha256);
      const base = e.alias.toLowerCase();
      let alias = base;
      for (let i = 2; aliases.has(alias); i++) alias = `${base}-${i}`;
      aliases.add(alias);
      out.push({ ...e, alias });
    }
  }
  return out;
}

/** Entries for certificates from a PEM bundle: alias `certifix-<sha256 prefix>`, dated at notBefore. */
export function entriesFor(certs: readonly Cert[]): KeystoreEntry[] {
  return certs.map((cert) => ({
    alias: `certifix-${cert.sha256.slice(0, 16)}`,
    cert,
    date: cert.notBefore.getTime(),
  }));
}
