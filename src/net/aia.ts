/**
 * Complete a served chain the way browsers do and OpenSSL does not: follow the Authority Information Access
 * caIssuers URL of the top certificate, fetch its issuer, check it really signed the child, and go on up.
 * This is how "works in the browser, fails in Python" is explained: the server forgot its intermediate and
 * browsers silently fetch it (RFC 5280 §4.2.2.1).
 */
import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  id_ad_caIssuers,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import { type Cert, certFromDer, isIssuedBy, parseCerts } from '../core/cert.ts';
import { PrivateAddressError, safeGet } from './http-get.ts';
import type { ProxyConfig } from './proxy.ts';

export interface AiaOptions {
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

export interface AiaResult {
  /** Issuers fetched, bottom-up; each verified to have issued the one before (or the served chain's top). */
  fetched: Array<{ url: string; cert: Cert }>;
  /** URLs that gave nothing usable, with why, in the user's words. */
  errors: Array<{ url: string; error: string }>;
}

/** The caIssuers URIs of a certificate's AIA extension, in order (any scheme). */
export function aiaUrls(cert: Cert): string[] {
  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(cert.der, Certificate);
  } catch {
    return [];
  }
  const ext = parsed.tbsCertificate.extensions?.find((e) => e.extnID === id_pe_authorityInfoAccess);
  if (!ext) return [];
  try {
    const aia = AsnConvert.parse(ext.extnValue.buffer, AuthorityInfoAccessSyntax);
    return aia
      .filter((d) => d.accessMethod === id_ad_caIssuers)
      .map((d) => d.accessLocation.uniformResourceIdentifier)
      .filter((u): u is string => typeof u === 'string');
  } catch {
    return []; // a malformed extension names no issuer
  }
}

const PKCS7_PEM = /-----BEGIN PKCS7-----([\s\S]*?)-----END PKCS7-----/;

/** The certificates in a PKCS#7 / CMS certs-only SignedData (`.p7c`, application/pkcs7-mime). */
function pkcs7Certs(der: Uint8Array): Cert[] {
  const info = AsnConvert.parse(der, ContentInfo);
  if (info.contentType !== id_signedData) throw new Error('PKCS#7 content is not SignedData');
  const signed = AsnConvert.parse(info.content, SignedData);
  return (signed.certificates ?? [])
    .map((choice) => choice.certificate)
    .filter((c): c is Certificate => c !== undefined)
    .map((c) => certFromDer(new Uint8Array(AsnConvert.serialize(c))));
}

/**
 * The certificates in an AIA response. The Content-Type is advisory only: servers label DER as
 * application/octet-stream or text/plain, so the bytes decide (RFC 5280 says DER or certs-only PKCS#7).
 */
export function parseIssuerResponse(body: Buffer): Cert[] {
  const text = body.toString('latin1');
  const p7pem = PKCS7_PEM.exec(text);
  if (p7pem) return pkcs7Certs(Buffer.from(p7pem[1] ?? '', 'base64'));
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
): Promise<{ url: string; cert: Cert } | undefined> {
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
      if (cert) return { url, cert };
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
