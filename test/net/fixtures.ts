/** One PKI for all net tests: generated once per test file with the real openssl CLI. */
import { X509Certificate } from 'node:crypto';
import type { Issued } from '../helpers/pki.ts';
import { Pki } from '../helpers/pki.ts';

export interface NetPki {
  pki: Pki;
  root: Issued;
  int: Issued;
  leaf: Issued;
  rsaLeaf: Issued;
  /** An unrelated CA certificate, the kind misconfigured servers append. */
  extra: Issued;
  /** A leaf larger than one TLS record (2^14 bytes), so its Certificate message spans records. */
  bigLeaf: Issued;
}

export function makePki(): NetPki {
  const pki = new Pki();
  const root = pki.root('root', 'Certifix Test Root', { subjectPrefix: '/O=Certifix Tests' });
  const int = pki.intermediate('int', 'Certifix Test Issuing CA', root);
  const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
  const leaf = pki.leaf('leaf', 'localhost', int, names);
  const rsaLeaf = pki.leaf('rsa-leaf', 'localhost', int, { ...names, key: 'rsa2048' });
  const extra = pki.root('extra', 'Unrelated Extra CA');
  const bigLeaf = pki.leaf('big-leaf', 'localhost', int, {
    ...names,
    extraExt: [`1.3.6.1.4.1.55555.1=ASN1:UTF8String:${'x'.repeat(20000)}`],
  });
  return { pki, root, int, leaf, rsaLeaf, extra, bigLeaf };
}

/** sha256 of each PEM's DER, computed with Node directly (independent of src/core/cert.ts). */
export function fingerprints(certs: Issued[]): string[] {
  return certs.map((c) => new X509Certificate(c.pem).fingerprint256.replace(/:/g, '').toLowerCase());
}
