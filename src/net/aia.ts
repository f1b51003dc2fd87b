/**
 * Complete a served chain the way browsers do and OpenSSL does not: follow the Authority Information Access
 * caIssuers URL of the top certificate, fetch its issuer, check it really signed the child, and go on up.
 * This is how "works in the browser, fails in Python" is explained: the server forgot its intermediate and
 * browsers silently fetch it (RFC 5280 §4.2.2.1).
 */
import { type Cert, certFromDer, isIssuedBy, parseCerts } from '../core/cert.ts';
import { certInfo } from '../core/extensions.ts';
import { pkcs7Certificates, pkcs7FromPem } from '../core/pkcs7.ts';
import { children, oidToString, parse } from '../core/verify/der.ts';
import { aiaKey, keepAnswer, keptAnswer } from './aia-cache.ts';
import { PrivateAddressError, safeGet } from './http-get.ts';
import type { ProxyConfig } from './proxy.ts';

interface AiaOptions {
  /** Fetch from private, loopback and link-local addresses too (internal PKIs, tests). Default false. */
  allowPrivate?: boolean | undefined;
  /** Per URL, redirects included. Default 5 s. */
  timeoutMs?: number | undefined;
  /**
   * When every fetch must be over (ms since the epoch): one budget for the whole chase, so a certificate
   * naming many slow URLs cannot hold the caller past its own timeout. Default: 10 s from the call.
   */
  deadline?: number | undefined;
  /** caIssuers URLs tried per certificate; the rest are reported, not fetched. Default 4. */
  maxUrls?: number | undefined;
  /** Per response. Default 1 MB. */
  maxBytes?: number | undefined;
  /** How many issuers to fetch at most, one per level. Default 4. */
  maxDepth?: number | undefined;
  /** HTTP proxy for the fetches (plain `GET http://...` to the proxy). */
  proxy?: ProxyConfig | null | undefined;
  /** Stop when this says the certificate is already anchored (trusted, or issued by a trusted root). */
  isAnchored?: ((c: Cert) => boolean) | undefined;
}

interface AiaResult {
  /**
   * Issuers fetched, bottom-up; each verified to have issued the one before (or the served chain's top).
   * `kept`: the answer an earlier run fetched from that URL (aia-cache.ts), not fetched now.
   */
  fetched: Array<{ url: string; cert: Cert; kept?: boolean }>;
  /** URLs that gave nothing usable, with why, in the user's words. */
  errors: Array<{ url: string; error: string }>;
}

const AIA = '1.3.6.1.5.5.7.1.1';
const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';

/**
 * The caIssuers URIs of a certificate's AIA extension, in order (any scheme). RFC 5280 §4.2.2.1:
 *   AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
 *   AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
 * where a URI is GeneralName [6] IMPLICIT IA5String.
 */
export function aiaUrls(cert: Cert): string[] {
  try {
    const ext = certInfo(cert).extensions.find((e) => e.oid === AIA);
    if (!ext) return [];
    const urls: string[] = [];
    for (const desc of children(parse(ext.value))) {
      const [method, location] = children(desc);
      if (method?.tag !== 6 || location?.cls !== 2 || location.tag !== 6 || location.constructed) continue;
      if (oidToString(method.value) === CA_ISSUERS) urls.push(location.value.toString('latin1'));
    }
    return urls;
  } catch {
    return []; // a malformed certificate or extension names no issuer
  }
}

/** Certificates of a PKCS#7 SignedData; a block that is not a certificate is left out, as OpenSSL does. */
function pkcs7Certs(der: Buffer): Cert[] {
  const certs: Cert[] = [];
  for (const c of pkcs7Certificates(der)) {
    try {
      certs.push(certFromDer(c));
    } catch {
      // not a certificate after all: skip it
    }
  }
  return certs;
}

/**
 * The certificates in an AIA response. The Content-Type is advisory only: servers label DER as
 * application/octet-stream or text/plain, so the bytes decide (RFC 5280 says DER or certs-only PKCS#7).
 */
export function parseIssuerResponse(body: Buffer): Cert[] {
  const text = body.toString('latin1');
  const p7pem = pkcs7FromPem(text);
  if (p7pem) return pkcs7Certs(p7pem);
  if (text.includes('-----BEGIN')) return parseCerts(text).certs;
  try {
    return [certFromDer(body)];
  } catch {
    try {
      return pkcs7Certs(body);
    } catch {
      throw new Error('the answer is neither a DER or PEM certificate nor PKCS#7');
    }
  }
}

/** The certificate in an AIA answer that issued `child`, if any. */
function issuerIn(body: Buffer, child: Cert): Cert | undefined {
  try {
    return parseIssuerResponse(body).find((c) => isIssuedBy(child, c));
  } catch {
    return undefined;
  }
}

/** Follow issuer links inside the served chain from the leaf: the top is where the links stop. */
function topOfServed(chain: readonly Cert[]): Cert | undefined {
  let current = chain[0];
  if (!current) return undefined;
  const used = new Set([current.sha256]);
  for (;;) {
    const next = chain.find((c) => !used.has(c.sha256) && isIssuedBy(current as Cert, c));
    if (!next) return current;
    used.add(next.sha256);
    current = next;
  }
}

/**
 * Fetch the issuers the served chain lacks, from the top certificate's AIA caIssuers URL(s), until a
 * self-signed certificate, an anchor, a certificate without AIA, or `maxDepth` fetches.
 * Only http:// URLs are followed: an https:// one would need a verified TLS connection to the CA's server,
 * which can need the very issuer we are fetching (and RFC 5280 §4.2.2.1 asks CAs for http or ldap).
 */
export async function fetchMissingIssuers(chain: Cert[], opts: AiaOptions = {}): Promise<AiaResult> {
  const result: AiaResult = { fetched: [], errors: [] };
  opts = { ...opts, deadline: opts.deadline ?? Date.now() + 10_000 };
  const maxDepth = opts.maxDepth ?? 4;
  let child = topOfServed(chain);
  const seen = new Set(chain.map((c) => c.sha256));
  while (child && result.fetched.length < maxDepth) {
    if (child.selfSigned || opts.isAnchored?.(child)) break;
    const issuer: { url: string; cert: Cert } | undefined = await fetchIssuer(child, opts, result.errors);
    if (!issuer || seen.has(issuer.cert.sha256)) break;
    seen.add(issuer.cert.sha256);
    result.fetched.push(issuer);
    child = issuer.cert;
  }
  return result;
}

/** What a failed fetch means for the user, with the switch that lifts a refusal. */
function explainFailure(e: unknown): string {
  if (e instanceof PrivateAddressError) {
    return `refused the private address ${e.address} — pass --allow-private-aia to fetch from it`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Try each caIssuers URL of `child` in turn (at most `maxUrls`, within the deadline); the first real issuer wins. */
async function fetchIssuer(
  child: Cert,
  opts: AiaOptions,
  errors: AiaResult['errors'],
): Promise<{ url: string; cert: Cert; kept?: boolean } | undefined> {
  const urls = aiaUrls(child);
  const maxUrls = opts.maxUrls ?? 4;
  for (const url of urls.slice(0, maxUrls)) {
    if (!/^http:\/\//i.test(url)) {
      errors.push({
        url,
        error: /^https:/i.test(url)
          ? 'https:// caIssuers URLs are not followed: fetching one may need the issuer we are looking for'
          : 'only http:// caIssuers URLs are fetched',
      });
      continue;
    }
    // An answer kept from an earlier run (aia-cache.ts) is used only when it holds the issuer, as a fetch is.
    const key = aiaKey(url, opts.allowPrivate === true, opts.proxy?.url ?? null);
    const kept = keptAnswer(key);
    const keptIssuer = kept && issuerIn(kept, child);
    const now = Date.now();
    if (keptIssuer && keptIssuer.notBefore.getTime() <= now && now <= keptIssuer.notAfter.getTime())
      return { url, cert: keptIssuer, kept: true };
    const left = (opts.deadline as number) - Date.now();
    if (left <= 0) {
      errors.push({ url, error: 'not fetched: the time allowed for AIA fetches ran out' });
      continue;
    }
    try {
      const got = await safeGet(url, {
        allowPrivate: opts.allowPrivate,
        timeoutMs: Math.min(opts.timeoutMs ?? 5000, left),
        maxBytes: opts.maxBytes,
        proxy: opts.proxy,
      });
      const certs = parseIssuerResponse(got.body);
      const cert = certs.find((c) => isIssuedBy(child, c));
      if (cert) {
        keepAnswer(key, got.body);
        return { url, cert };
      }
      errors.push({
        url,
        error: certs.length
          ? `the certificate served there (${certs.map((c) => c.subject).join('; ')}) did not issue ${child.subject}`
          : 'the answer holds no certificate',
      });
    } catch (e) {
      errors.push({ url, error: explainFailure(e) });
    }
  }
  if (urls.length > maxUrls) {
    errors.push({
      url: urls[maxUrls] as string,
      error: `${urls.length - maxUrls} more caIssuers URL(s) of ${child.subject} not tried (at most ${maxUrls} per certificate)`,
    });
  }
  return undefined;
}
