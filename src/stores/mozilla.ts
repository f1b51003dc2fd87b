/**
 * Mozilla's roots as this Node ships them: `tls.rootCertificates` is "the bundled Mozilla CA store ... fixed at
 * release time ... identical on all supported platforms" (https://nodejs.org/api/tls.html#tlsrootcertificates).
 * Used to tell "locally added" roots (a company root) from public ones.
 */
import { rootCertificates } from 'node:tls';
import type { Cert } from '../core/cert.ts';
import { type AnchorTable, TrustIndex } from '../core/trust-index.ts';
import { nodeStamp, textAnchors } from './bundle-index.ts';
import { getCACertificates } from './native.ts';
import { parsePemCached } from './pem.ts';

let roots: Cert[] | undefined;
let anchors: Cert[] | AnchorTable | undefined;
let index: TrustIndex | undefined;

/** Node's bundled Mozilla roots, decoded once on first use (each parsed by OpenSSL only when looked at). */
export function mozillaRoots(): Cert[] {
  roots ??= parsePemCached(bundledPems().join('\n'));
  return roots;
}

/**
 * Node >= 22.15 names the bundled store explicitly (`tls.getCACertificates('bundled')`,
 * https://nodejs.org/api/tls.html#tlsgetcacertificatestype); older versions only have `tls.rootCertificates`,
 * the same list.
 */
function bundledPems(): readonly string[] {
  const get = getCACertificates();
  return get ? get('bundled') : rootCertificates;
}

/**
 * The bundled roots for a TrustIndex: through the bundle index (stores/bundle-index.ts), keyed by this Node
 * binary, so that a run lists (and decodes) only the roots a lookup reaches.
 */
export function mozillaAnchors(): Cert[] | AnchorTable {
  if (!anchors) {
    let text: string | undefined;
    anchors = roots ?? textAnchors(nodeStamp(), () => (text ??= bundledPems().join('\n')));
  }
  return anchors;
}

/** The bundled roots as a TrustIndex, built once per process. */
export function mozillaIndex(): TrustIndex {
  if (!index) {
    const a = mozillaAnchors();
    index = new TrustIndex(Array.isArray(a) ? a : [a]);
  }
  return index;
}

/**
 * True when `cert` is one of Mozilla's roots: the same certificate, or a re-issue of one (same subject and
 * same public key, e.g. a root re-signed with a new validity or signature algorithm).
 */
export function isMozillaRoot(cert: Cert): boolean {
  // Only a certificate that is not byte-identical pays for parsing the same-named roots and comparing keys.
  return mozillaIndex().has(cert);
}
