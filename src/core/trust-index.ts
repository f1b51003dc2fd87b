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
 * A set of trust anchors indexed for the questions diagnosis asks: "is this certificate here?" (by DER, or by
 * subject + public key so a re-issued root with the same key counts) and "who here could have issued it?".
 * Names compare as OpenSSL compares them (canonical form). Hashed directories are searched the way OpenSSL's
 * by_dir lookup does it: only for a name no CA-file certificate has, only in the files named after its hash.
 */
export class TrustIndex implements TrustLookup {
  /** The certificates given up front (files, bundled roots); directory entries are read when asked for. */
  readonly certs: readonly Cert[];
  private readonly bySha = new Set<string>();
  private byKey: Map<string, Cert[]> | undefined;
  private readonly dirs: readonly AnchorDir[];
  /** Directory certificates read so far (OpenSSL adds them to the X509_STORE as it goes). */
  private readonly fromDirs: Cert[] = [];
  private readonly askedDirs = new Set<string>();

  constructor(certs: Iterable<Cert>, dirs: readonly AnchorDir[] = []) {
    const list: Cert[] = [];
    for (const c of certs) {
      if (this.bySha.has(c.sha256)) continue;
      this.bySha.add(c.sha256);
      list.push(c);
    }
    this.certs = list;
    this.dirs = dirs;
  }

  get size(): number {
    return this.certs.length;
  }

  /** Anchors whose subject equals `name`, files first; the directories only when the files have none. */
  bySubject(name: NameInfo): readonly Cert[] {
    const listed = this.index().get(name.key);
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

  /** Built on first use: most indexes are asked a handful of questions, some none. */
  private index(): Map<string, Cert[]> {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const c of this.certs) {
        let key: string;
        try {
          key = subjectKey(c);
        } catch {
          continue; // not a certificate OpenSSL would load
        }
        const bucket = this.byKey.get(key);
        if (bucket) bucket.push(c);
        else this.byKey.set(key, [c]);
      }
    }
    return this.byKey;
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
