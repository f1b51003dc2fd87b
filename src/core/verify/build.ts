/**
 * Chain building as OpenSSL 3.0's `build_chain` (crypto/x509/x509_vfy.c) does it with the default
 * X509_V_FLAG_TRUSTED_FIRST: look for the issuer in the trust store first, then among the peer's untrusted
 * certificates; among several candidates prefer the first one that is currently valid, else the one that
 * expires last; stop at a self-signed certificate or at the depth limit.
 */
import type { Cert } from '../cert.ts';
import { akidMatches, certInfo, subjectKey } from '../extensions.ts';
import { sigAlgMatches } from './algorithms.ts';
import type { NameInfo } from './dn.ts';

interface BuildCtx {
  leaf: Cert;
  untrusted: readonly Cert[];
  store: TrustLookup;
  /** Validation time, seconds since the epoch. */
  at: number;
  /** X509_VERIFY_PARAM depth (100 by default). */
  depth: number;
  partialChain: boolean;
}

interface Built {
  chain: Cert[];
  /** Certificates at depth < numUntrusted came from the peer. */
  numUntrusted: number;
  trusted: boolean;
  /** Build errors in the order OpenSSL raises them (all of them, as with a verify callback that continues). */
  errors: Array<{ code: string; depth: number }>;
}

/**
 * A trust store as chain building queries it (`X509_STORE_CTX_get1_issuer`): the anchors whose subject equals a
 * name (`X509_NAME_cmp`), in store order. TrustIndex implements it over files plus hashed directories that are
 * read on demand, as OpenSSL's by_dir lookup does.
 */
export interface TrustLookup {
  bySubject(name: NameInfo): readonly Cert[];
}

/** Trust anchors indexed by canonical subject name, in the order they were given (a CA file's order). */
export class TrustStore implements TrustLookup {
  private readonly byKey = new Map<string, Cert[]>();
  private readonly fingerprints = new Set<string>();
  constructor(certs: readonly Cert[]) {
    for (const c of certs) {
      if (this.fingerprints.has(c.sha256)) continue; // X509_STORE_add_cert ignores duplicates
      let key: string;
      try {
        key = subjectKey(c);
      } catch {
        continue;
      }
      this.fingerprints.add(c.sha256);
      const list = this.byKey.get(key);
      if (list) list.push(c);
      else this.byKey.set(key, [c]);
    }
  }
  bySubject(name: NameInfo): readonly Cert[] {
    return this.byKey.get(name.key) ?? [];
  }
  has(cert: Cert): boolean {
    return this.fingerprints.has(cert.sha256);
  }
}

/** certInfo parses (a store certificate is only parsed when it is a candidate). */
export function parses(c: Cert): boolean {
  try {
    certInfo(c);
    return true;
  } catch {
    return false;
  }
}

const keyOk = new WeakMap<Cert, boolean>();
/** X509_get0_pubkey(cert) != NULL */
export function publicKeyOk(cert: Cert): boolean {
  let ok = keyOk.get(cert);
  if (ok === undefined) {
    try {
      ok = cert.x509.publicKey !== undefined;
    } catch {
      ok = false;
    }
    keyOk.set(cert, ok);
  }
  return ok;
}

/** `ossl_x509_likely_issued(issuer, x)`: names, AKID and algorithm agree; no signature check. */
export function likelyIssued(x: Cert, issuer: Cert): boolean {
  const xi = certInfo(x);
  const ii = certInfo(issuer);
  if (ii.subject.key !== xi.issuer.key) return false;
  if (ii.invalid || xi.invalid) return false;
  if (!akidMatches(ii, xi.akid)) return false;
  return publicKeyOk(issuer) && sigAlgMatches(ii.keyType, xi.tbsSigOid);
}

/** `ossl_x509_check_cert_time(ctx, x, -1)` */
function timeValid(x: Cert, at: number): boolean {
  const i = certInfo(x);
  return i.notBefore !== null && i.notAfter !== null && i.notBefore <= at && i.notAfter > at;
}

/** The issuer OpenSSL picks among candidates: first time-valid one, else the latest-expiring. */
function bestIssuer(
  x: Cert,
  candidates: readonly Cert[],
  at: number,
  skip: (c: Cert) => boolean,
): Cert | undefined {
  let best: Cert | undefined;
  for (const c of candidates) {
    if (skip(c) || !parses(c) || !likelyIssued(x, c)) continue;
    if (timeValid(c, at)) return c;
    if (best === undefined || (certInfo(c).notAfter ?? -Infinity) > (certInfo(best).notAfter ?? -Infinity))
      best = c;
  }
  return best;
}

const ssTrusted = (c: Cert) => !certInfo(c).invalid && certInfo(c).selfSigned;

export function buildChain(ctx: BuildCtx): Built {
  const chain: Cert[] = [ctx.leaf];
  let numUntrusted = 1;
  const remaining = [...ctx.untrusted];
  const maxDepth = ctx.depth + 1;
  const UNTRUSTED = 1;
  const TRUSTED = 2;
  let search = UNTRUSTED | TRUSTED;
  let trust: 'trusted' | 'untrusted' = 'untrusted';

  /** check_trust(ctx, from) */
  const checkTrust = (from: number): 'trusted' | 'untrusted' => {
    for (let i = from; i < chain.length; i++) if (ssTrusted(chain[i] as Cert)) return 'trusted';
    if (from < chain.length) return ctx.partialChain ? 'trusted' : 'untrusted';
    if (from === chain.length && ctx.partialChain) {
      const leaf = chain[0] as Cert;
      const match = ctx.store.bySubject(certInfo(leaf).subject).find((c) => c.sha256 === leaf.sha256);
      if (!match) return 'untrusted';
      chain[0] = match;
      numUntrusted = 0;
      return 'trusted';
    }
    return 'untrusted';
  };

  while (search !== 0) {
    let num = chain.length;
    if (search & TRUSTED) {
      const curr = chain[num - 1] as Cert;
      const issuer =
        num > maxDepth
          ? undefined
          : bestIssuer(curr, ctx.store.bySubject(certInfo(curr).issuer), ctx.at, () => false);
      if (issuer) {
        let selfSigned = certInfo(curr).selfSigned;
        let ok = true;
        if (!selfSigned) {
          chain.push(issuer);
          selfSigned = certInfo(issuer).selfSigned;
        } else if (curr.sha256 !== issuer.sha256) {
          ok = false; // a self-signed untrusted look-alike of a trust anchor
        } else {
          numUntrusted = --num;
          chain[num] = issuer;
        }
        if (ok) {
          search &= ~UNTRUSTED;
          trust = checkTrust(num);
          if (trust !== 'untrusted') break;
          if (!selfSigned) continue;
        }
      }
      if ((search & UNTRUSTED) === 0) break;
    }
    if (search & UNTRUSTED) {
      num = chain.length;
      const curr = chain[num - 1] as Cert;
      const single = certInfo(curr).selfIssued && num === 1;
      const issuer =
        certInfo(curr).selfSigned || num > maxDepth
          ? undefined
          : bestIssuer(curr, remaining, ctx.at, (c) => !single && chain.some((x) => x.sha256 === c.sha256));
      if (!issuer) {
        search = TRUSTED;
        continue;
      }
      remaining.splice(remaining.indexOf(issuer), 1);
      chain.push(issuer);
      numUntrusted++;
    }
  }

  const num = chain.length;
  if (num <= maxDepth && trust === 'untrusted' && num === numUntrusted) trust = checkTrust(num);
  const errors: Built['errors'] = [];
  if (trust === 'untrusted') {
    if (num > maxDepth) errors.push({ code: 'CERT_CHAIN_TOO_LONG', depth: num - 1 });
    if (certInfo(chain[num - 1] as Cert).selfSigned)
      errors.push({
        code: num === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN',
        depth: num - 1,
      });
    else
      errors.push({
        code: numUntrusted < num ? 'UNABLE_TO_GET_ISSUER_CERT' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        depth: num - 1,
      });
  }
  return { chain, numUntrusted, trusted: trust === 'trusted', errors };
}
