import { closeSync, mkdtempSync, openSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { certInfo } from '../../src/core/extensions.ts';
import { nameHash } from '../../src/core/verify/dn.ts';
import { verifyChain } from '../../src/core/verify/index.ts';
import {
  hashedDir,
  MAX_HASH_DIR_BYTES,
  MAX_HASH_DIR_ENTRIES,
  readHashDirSync,
  trustIndex,
} from '../../src/stores/load.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const root = pki.root('hd-root', 'Hashed Dir Root');
const leaf = pki.leaf('hd-leaf', 'hd.test', root);
const stray = pki.root('hd-stray', 'Stray Root');
const one = (pem: string): Cert => {
  const [c] = parseCerts(pem).certs;
  if (!c) throw new Error('test PKI did not parse');
  return c;
};
const rootCert = one(root.pem);
const leafCert = one(leaf.pem);
const strayCert = one(stray.pem);
const hash = (c: Cert) => nameHash(certInfo(c).subject);

/** A directory as `openssl rehash` leaves it, optionally without the root's link. */
function dir(link: boolean): string {
  const d = mkdtempSync(join(tmpdir(), 'certifix-hashdir-'));
  writeFileSync(join(d, 'root.pem'), root.pem);
  writeFileSync(join(d, 'stray.pem'), stray.pem);
  if (link) symlinkSync('root.pem', join(d, `${hash(rootCert)}.0`));
  // The stray root sits under a wrong name: OpenSSL never finds it, and neither do we.
  symlinkSync('stray.pem', join(d, 'abcdef01.0'));
  return d;
}

const verify = (d: string) =>
  verifyChain({
    leaf: leafCert,
    untrusted: [],
    trusted: trustIndex({ files: [], dirs: [d] }),
    host: 'hd.test',
  });

describe('hashed directories, searched by name', () => {
  it('finds an issuer through its <hash>.0 link', () => {
    expect(verify(dir(true)).code).toBe('OK');
    expect(hashedDir(dir(true)).filedUnder(certInfo(rootCert).subject)).toHaveLength(1);
  });
  it('does not see a certificate without its hash link (as OpenSSL)', () => {
    expect(verify(dir(false)).code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(hashedDir(dir(false)).filedUnder(certInfo(strayCert).subject)).toEqual([]);
  });
  it('verifies with the index itself as the trust store (its directory searched by name)', () => {
    const index = trustIndex({ files: [], dirs: [dir(true)] });
    expect(index.certs).toHaveLength(0);
    expect(verifyChain({ leaf: leafCert, untrusted: [], trusted: index, host: 'hd.test' }).code).toBe('OK');
  });
  it('follows <hash>.1 after <hash>.0', () => {
    const d = mkdtempSync(join(tmpdir(), 'certifix-hashdir-'));
    writeFileSync(join(d, `${hash(rootCert)}.0`), stray.pem); // a hash collision, in effect
    writeFileSync(join(d, `${hash(rootCert)}.1`), root.pem);
    expect(verify(d).code).toBe('OK');
  });
  it('asks the directory only for names the CA files lack', () => {
    const index = trustIndex({ files: [root.certPath], dirs: ['/nonexistent-dir'] });
    expect(index.bySubject(certInfo(rootCert).subject)).toEqual([rootCert]);
    expect(index.has(rootCert)).toBe(true);
    expect(index.has(strayCert)).toBe(false);
  });
});

describe("listing a hashed directory (SSL_CERT_DIR is HOME's to set) is bounded", () => {
  it('lists a directory as openssl rehash leaves it', () => {
    // Listing takes every <hash>.N link, the misnamed one too.
    expect(
      readHashDirSync(dir(true))
        .map((c) => c.sha256)
        .sort(),
    ).toEqual([rootCert.sha256, strayCert.sha256].sort());
  });
  it(`refuses more than ${MAX_HASH_DIR_ENTRIES} entries, saying so`, () => {
    const d = mkdtempSync(join(tmpdir(), 'certifix-hashdir-'));
    for (let i = 0; i <= MAX_HASH_DIR_ENTRIES; i++) closeSync(openSync(join(d, `x${i}`), 'w'));
    expect(() => readHashDirSync(d)).toThrow(
      `the CA directory ${d} holds more than ${MAX_HASH_DIR_ENTRIES} entries; refusing to read it`,
    );
  });
  it('refuses certificate files past the byte bound, saying so, before reading them', () => {
    const d = mkdtempSync(join(tmpdir(), 'certifix-hashdir-'));
    writeFileSync(join(d, 'a.pem'), root.pem);
    writeFileSync(join(d, 'huge.pem'), '');
    truncateSync(join(d, 'huge.pem'), MAX_HASH_DIR_BYTES); // sparse: no disk used
    expect(() => readHashDirSync(d)).toThrow(
      /holds more than 32 MB of certificate files; refusing to read it/,
    );
  });
});
