import type { Cert } from './cert.ts';
import { certInfo, subjectKey } from './extensions.ts';
import type { TrustLookup } from './verify/build.ts';
import type { NameInfo } from './verify/dn.ts';

/**
 * An OpenSSL hashed directory (c_rehash), asked by name: the certificates in the files `<hash>.0`, `<hash>.1`, ...
 * for that name's `X509_NAME_hash`, whatever their subjects. Implemented with file reads in stores/load.ts.
 */
export interface AnchorDir {
  filedUnder(name: NameInfo): readonly Cert[];
}

/**
 * An anchor known by its fingerprint and subject key before it is decoded: a row of a CA bundle's index
 * (stores/bundle-index.ts), decoded by `load()` only when a lookup needs it. `key` is null for a certificate
 * whose subject cannot be read (OpenSSL would not load it either).
 */
export interface IndexedAnchor {
  readonly sha256: string;
  readonly key: string | null;
  load(): Cert | undefined;
}

/** An anchor of the index: a certificate, or a row not decoded yet (`row`, dropped once decoded). */
type Entry = { sha256: string; key?: string | null; cert?: Cert; row?: IndexedAnchor | undefined };

/**
 * A set of trust anchors indexed for the questions diagnosis asks: "is this certificate here?" (by DER, or by
 * subject + public key so a re-issued root with the same key counts) and "who here could have issued it?".
 * Names compare as OpenSSL compares them (canonical form). Hashed directories are searched the way OpenSSL's
 * by_dir lookup does it: only for a name no CA-file certificate has, only in the files named after its hash.
 */
export class TrustIndex implements TrustLookup {
  private readonly entries: Entry[] = [];
  private listed: Cert[] | undefined;
  private readonly bySha = new Set<string>();
  private byKey: Map<string, Entry[]> | undefined;
  private readonly decoded = new Map<string, Cert[]>();
  private readonly dirs: readonly AnchorDir[];
  /** Directory certificates read so far (OpenSSL adds them to the X509_STORE as it goes). */
  private readonly fromDirs: Cert[] = [];
  private readonly askedDirs = new Set<string>();

  /** Certificates, or rows of a bundle index that are decoded when a lookup needs them. */
  constructor(anchors: ReadonlyArray<Cert | IndexedAnchor>, dirs: readonly AnchorDir[] = []) {
    // Indexed loops: hundreds of anchors per store, and an iterator step is garbage to collect.
    for (let i = 0; i < anchors.length; i++) {
      const a = anchors[i] as Cert | IndexedAnchor;
      if (this.bySha.has(a.sha256)) continue;
      this.bySha.add(a.sha256);
      this.entries.push(
        'load' in a ? { sha256: a.sha256, key: a.key, row: a } : { sha256: a.sha256, cert: a },
      );
    }
    this.dirs = dirs;
  }

  /** The certificates given up front (files, bundled roots), all decoded; directory entries are not listed. */
  get certs(): readonly Cert[] {
    this.listed ??= this.entries.map((e) => certOf(e)).filter((c): c is Cert => c !== undefined);
    return this.listed;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Anchors whose subject equals `name`, files first; the directories only when the files have none. */
  bySubject(name: NameInfo): readonly Cert[] {
    const listed = this.listedUnder(name.key);
    if (listed || this.dirs.length === 0) return listed ?? [];
    if (!this.askedDirs.has(name.key)) {
      this.askedDirs.add(name.key);
      for (const dir of this.dirs) {
        for (const c of dir.filedUnder(name)) {
          if (this.fromDirs.some((d) => d.sha256 === c.sha256)) continue;
          this.fromDirs.push(c);
        }
        if (this.fromDirs.some((c) => sameKey(c, name.key))) break; // found: later directories are not read
      }
    }
    return this.fromDirs.filter((c) => sameKey(c, name.key));
  }

  /** Same certificate, or the same subject with the same public key (a re-issued root). */
  has(cert: Cert): boolean {
    if (this.bySha.has(cert.sha256)) return true;
    const name = nameOf(cert, 'subject');
    if (!name) return false;
    return this.bySubject(name).some((c) => c.sha256 === cert.sha256 || samePublicKey(c, cert));
  }

  hasSha256(sha256: string): boolean {
    return this.bySha.has(sha256) || this.fromDirs.some((c) => c.sha256 === sha256);
  }

  /** Candidates whose subject equals the certificate's issuer name. */
  issuersOf(cert: Cert): Cert[] {
    const name = nameOf(cert, 'issuer');
    return name ? [...this.bySubject(name)] : [];
  }

  /** The file anchors under a subject key, decoded on first ask; undefined when there are none. */
  private listedUnder(key: string): Cert[] | undefined {
    let certs = this.decoded.get(key);
    if (!certs) {
      const bucket = this.index().get(key);
      if (!bucket) return undefined;
      certs = bucket.map((e) => certOf(e)).filter((c): c is Cert => c !== undefined);
      this.decoded.set(key, certs);
    }
    return certs;
  }

  /** Built on first use: most indexes are asked a handful of questions, some none. */
  private index(): Map<string, Entry[]> {
    if (!this.byKey) {
      this.byKey = new Map();
      for (let i = 0; i < this.entries.length; i++) {
        const e = this.entries[i] as Entry;
        const key = keyOf(e);
        if (key === null) continue; // not a certificate OpenSSL would load
        const bucket = this.byKey.get(key);
        if (bucket) bucket.push(e);
        else this.byKey.set(key, [e]);
      }
    }
    return this.byKey;
  }
}

function certOf(e: Entry): Cert | undefined {
  if (!e.cert && e.row) {
    e.cert = e.row.load();
    e.row = undefined;
  }
  return e.cert;
}

function keyOf(e: Entry): string | null {
  if (e.key === undefined) {
    const c = certOf(e);
    try {
      e.key = c ? subjectKey(c) : null;
    } catch {
      e.key = null;
    }
  }
  return e.key;
}

function sameKey(c: Cert, key: string): boolean {
  try {
    return subjectKey(c) === key;
  } catch {
    return false;
  }
}

function nameOf(cert: Cert, which: 'subject' | 'issuer'): NameInfo | undefined {
  try {
    return certInfo(cert)[which];
  } catch {
    return undefined;
  }
}

function samePublicKey(a: Cert, b: Cert): boolean {
  try {
    return a.x509.publicKey.equals(b.x509.publicKey);
  } catch {
    return false;
  }
}
