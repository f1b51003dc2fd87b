/**
 * Mozilla's roots as this Node ships them: `tls.rootCertificates` is "the bundled Mozilla CA store ... fixed at
 * release time ... identical on all supported platforms" (https://nodejs.org/api/tls.html#tlsrootcertificates).
 * Used to tell "locally added" roots (a company root) from public ones.
 */
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { Cert } from '../core/cert.ts';
import { parsePemCached } from './load.ts';

let roots: Cert[] | undefined;
let bySha: Set<string> | undefined;
let byNameKey: Set<string> | undefined;
let bySubject: Map<string, Cert[]> | undefined;

/** Node's bundled Mozilla roots, parsed once on first use. */
export function mozillaRoots(): Cert[] {
  roots ??= parsePemCached(rootCertificates.join('\n'));
  return roots;
}

function spkiHash(cert: Cert): string {
  const der = cert.x509.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

function nameKey(cert: Cert): string {
  return `${cert.subject}\u0000${spkiHash(cert)}`;
}

/** sha256 of each bundled root's DER, computed without parsing a single certificate. */
function mozillaShas(): Set<string> {
  bySha ??= new Set(
    rootCertificates.map((pem) =>
      createHash('sha256')
        .update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))
        .digest('hex'),
    ),
  );
  return bySha;
}

/**
 * True when `cert` is one of Mozilla's roots: the same certificate, or a re-issue of one (same subject and
 * same public key, e.g. a root re-signed with a new validity or signature algorithm).
 */
export function isMozillaRoot(cert: Cert): boolean {
  if (mozillaShas().has(cert.sha256)) return true;
  // Only a certificate that is not byte-identical pays for parsing the bundled roots and hashing keys.
  if (!bySubject) {
    bySubject = new Map();
    for (const c of mozillaRoots()) bySubject.set(c.subject, [...(bySubject.get(c.subject) ?? []), c]);
  }
  const same = bySubject.get(cert.subject);
  if (!same) return false;
  try {
    byNameKey ??= new Set();
    for (const c of same) byNameKey.add(nameKey(c));
    return byNameKey.has(nameKey(cert));
  } catch {
    return false; // a key Node cannot export: not comparable, so not a known re-issue
  }
}
