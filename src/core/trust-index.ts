import type { Cert } from './cert.ts';

/**
 * A set of trust anchors indexed for the questions diagnosis asks: "is this certificate here?" (by DER, or by
 * subject + public key so a re-issued root with the same key counts) and "who here could have issued it?".
 */
export class TrustIndex {
  readonly certs: readonly Cert[];
  private readonly bySha = new Set<string>();
  private readonly bySubject = new Map<string, Cert[]>();

  constructor(certs: Iterable<Cert>) {
    const list: Cert[] = [];
    for (const c of certs) {
      if (this.bySha.has(c.sha256)) continue;
      this.bySha.add(c.sha256);
      list.push(c);
      const bucket = this.bySubject.get(c.x509.subject);
      if (bucket) bucket.push(c);
      else this.bySubject.set(c.x509.subject, [c]);
    }
    this.certs = list;
  }

  get size(): number {
    return this.certs.length;
  }

  /** Same certificate, or the same subject with the same public key (a re-issued root). */
  has(cert: Cert): boolean {
    if (this.bySha.has(cert.sha256)) return true;
    const same = this.bySubject.get(cert.x509.subject);
    return same?.some((c) => c.x509.publicKey.equals(cert.x509.publicKey)) ?? false;
  }

  hasSha256(sha256: string): boolean {
    return this.bySha.has(sha256);
  }

  /** Candidates whose subject equals the certificate's issuer name. */
  issuersOf(cert: Cert): Cert[] {
    return this.bySubject.get(cert.x509.issuer) ?? [];
  }
}
