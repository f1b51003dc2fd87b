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

/**
 * Anchors searched rather than listed: a CA bundle's index file (stores/bundle-index.ts) asked for one sha256
 * or one subject key, so that a run reads only the rows its questions reach, not the whole index.
 */
export interface AnchorTable {
  hasSha256(sha256: string): boolean;
  /** The anchors filed under a subject key, in file order. */
  withKey(key: string): readonly IndexedAnchor[];
  /** Every anchor, in file order. */
  all(): readonly IndexedAnchor[];
}

/** What a TrustIndex is made of, in order: certificates, rows of an index, and tables searched by key. */
export type AnchorSource = Cert | IndexedAnchor | AnchorTable;

const isTable = (a: AnchorSource): a is AnchorTable => 'withKey' in a;

/** A certificate or a row, as an anchor: a row is decoded on first `load()`, and only once. */
class Entry implements IndexedAnchor {
  readonly sha256: string;
  private cert: Cert | undefined;
  private row: IndexedAnchor | undefined;
  private subject: string | null | undefined;

  constructor(a: Cert | IndexedAnchor) {
    this.sha256 = a.sha256;
    if ('load' in a) {
      this.row = a;
      this.subject = a.key;
    } else this.cert = a;
  }

  get key(): string | null {
    if (this.subject === undefined) {
      const c = this.load();
      try {
        this.subject = c ? subjectKey(c) : null;
      } catch {
        this.subject = null;
      }
    }
    return this.subject;
  }

  load(): Cert | undefined {
    if (!this.cert && this.row) {
      this.cert = this.row.load();
      this.row = undefined;
    }
    return this.cert;
  }
}

/** Anchors given as a list, as a table: its maps are built on the first question. */
class ListTable implements AnchorTable {
  private readonly entries: Entry[] = [];
  private readonly shas = new Set<string>();
  private byKey: Map<string, Entry[]> | undefined;

  add(a: Cert | IndexedAnchor): void {
    if (this.shas.has(a.sha256)) return;
    this.shas.add(a.sha256);
    this.entries.push(new Entry(a));
  }

  hasSha256(sha256: string): boolean {
    return this.shas.has(sha256);
  }

  withKey(key: string): readonly IndexedAnchor[] {
    if (!this.byKey) {
      this.byKey = new Map();
      // Indexed loops: hundreds of anchors per store, and an iterator step is garbage to collect.
      for (let i = 0; i < this.entries.length; i++) {
        const e = this.entries[i] as Entry;
        const k = e.key;
        if (k === null) continue; // not a certificate OpenSSL would load
        const bucket = this.byKey.get(k);
        if (bucket) bucket.push(e);
        else this.byKey.set(k, [e]);
      }
    }
    return this.byKey.get(key) ?? [];
  }

  all(): readonly IndexedAnchor[] {
    return this.entries;
  }
}

/**
 * A set of trust anchors indexed for the questions diagnosis asks: "is this certificate here?" (by DER, or by
 * subject + public key so a re-issued root with the same key counts) and "who here could have issued it?".
 * Names compare as OpenSSL compares them (canonical form). Hashed directories are searched the way OpenSSL's
 * by_dir lookup does it: only for a name no CA-file certificate has, only in the files named after its hash.
 */
export class TrustIndex implements TrustLookup {
  /** In the order given (bundled roots, then each CA file), a certificate counted once, the first time. */
  private readonly tables: AnchorTable[] = [];
  private listed: Cert[] | undefined;
  private readonly decoded = new Map<string, Cert[] | null>();
  private readonly dirs: readonly AnchorDir[];
  /** Directory certificates read so far (OpenSSL adds them to the X509_STORE as it goes). */
  private readonly fromDirs: Cert[] = [];
  private readonly askedDirs = new Set<string>();

  /** Certificates, rows of a bundle index decoded when a lookup needs them, and tables searched by key. */
  constructor(anchors: ReadonlyArray<AnchorSource>, dirs: readonly AnchorDir[] = []) {
    let list: ListTable | undefined;
    for (let i = 0; i < anchors.length; i++) {
      const a = anchors[i] as AnchorSource;
      if (isTable(a)) {
        this.tables.push(a);
        list = undefined;
      } else {
        if (!list) {
          list = new ListTable();
          this.tables.push(list);
        }
        list.add(a);
      }
    }
    this.dirs = dirs;
  }

  /** Every anchor given up front, once each, in order (rows undecoded); directory entries are not listed. */
  private anchors(): IndexedAnchor[] {
    const seen = new Set<string>();
    const out: IndexedAnchor[] = [];
    for (const t of this.tables)
      for (const a of t.all())
        if (!seen.has(a.sha256)) {
          seen.add(a.sha256);
          out.push(a);
        }
    return out;
  }

  /** The certificates given up front (files, bundled roots), all decoded; directory entries are not listed. */
  get certs(): readonly Cert[] {
    this.listed ??= this.anchors()
      .map((a) => a.load())
      .filter((c): c is Cert => c !== undefined);
    return this.listed;
  }

  get size(): number {
    return this.anchors().length;
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
    if (this.hasListed(cert.sha256)) return true;
    const name = nameOf(cert, 'subject');
    if (!name) return false;
    return this.bySubject(name).some((c) => c.sha256 === cert.sha256 || samePublicKey(c, cert));
  }

  hasSha256(sha256: string): boolean {
    return this.hasListed(sha256) || this.fromDirs.some((c) => c.sha256 === sha256);
  }

  /** Candidates whose subject equals the certificate's issuer name. */
  issuersOf(cert: Cert): Cert[] {
    const name = nameOf(cert, 'issuer');
    return name ? [...this.bySubject(name)] : [];
  }

  private hasListed(sha256: string): boolean {
    for (let i = 0; i < this.tables.length; i++)
      if ((this.tables[i] as AnchorTable).hasSha256(sha256)) return true;
    return false;
  }

  /**
   * The anchors given up front under a subject key, decoded on first ask, each certificate once; undefined when
   * none is filed there (then the directories are asked).
   */
  private listedUnder(key: string): Cert[] | undefined {
    let certs = this.decoded.get(key);
    if (certs === undefined) {
      certs = null;
      const seen = new Set<string>();
      for (const t of this.tables)
        for (const a of t.withKey(key)) {
          certs ??= [];
          if (seen.has(a.sha256)) continue;
          seen.add(a.sha256);
          const c = a.load();
          if (c) certs.push(c);
        }
      this.decoded.set(key, certs);
    }
    return certs ?? undefined;
  }
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
