import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { isMozillaRoot, loadTrust, localRoots, mozillaRoots, systemStore } from '../../src/stores/index.ts';
import { openSslPaths } from '../../src/stores/linux.ts';
import { parsePemCached } from '../../src/stores/load.ts';
import { blobFor, certFromBlob, parseRegStore, withoutDisallowed } from '../../src/stores/win32.ts';
import type { Runner } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', n), 'utf8');
const noRun: Runner = async () => {
  throw new Error('stores must not spawn on Linux');
};
const pki = new Pki();
const corp = pki.root('corp', 'Corp Root CA', { subjectPrefix: '/O=Corp' });
const mozillaPem = rootCertificates[0] ?? '';

/** A fake filesystem root with a Debian-style bundle and hashed directory. */
function sysroot(bundle: string[], links: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'certifix-sysroot-'));
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(root, 'etc/ssl/certs/ca-certificates.crt'), bundle.join('\n'));
  for (const [name, pem] of Object.entries(links)) writeFileSync(join(root, 'etc/ssl/certs', name), pem);
  return root;
}

describe('linux store', () => {
  it('reads the distro bundle under the sysroot and finds the locally added root', async () => {
    const root = sysroot([mozillaPem, corp.pem]);
    const ctx = { env: {}, platform: 'linux' as const, run: noRun, sysroot: root };
    const s = await systemStore(ctx);
    expect(s.files).toEqual([join(root, 'etc/ssl/certs/ca-certificates.crt')]);
    expect(s.dirs).toEqual([join(root, 'etc/ssl/certs')]);
    expect(s.certs).toHaveLength(2);
    expect((await localRoots(ctx)).map((c) => c.subject)).toEqual(['O=Corp, CN=Corp Root CA']);
  });

  it('reads a root that only has a c_rehash link in the directory', async () => {
    const extra = pki.root('extra', 'Rehash Only CA');
    const root = sysroot([mozillaPem], { 'abcdef01.0': extra.pem, 'abcdef02.0': mozillaPem });
    const s = await systemStore({ env: {}, platform: 'linux', run: noRun, sysroot: root });
    expect(s.certs.map((c) => c.subject)).toContain('CN=Rehash Only CA');
  });

  const table: {
    name: string;
    env: Record<string, string>;
    file: string | null;
    dirs: string[];
    via?: string;
  }[] = [
    { name: 'distro defaults', env: {}, file: 'BUNDLE', dirs: ['DIR'] },
    {
      name: 'SSL_CERT_FILE',
      env: { SSL_CERT_FILE: '/x.pem' },
      file: '/x.pem',
      dirs: ['DIR'],
      via: 'SSL_CERT_FILE',
    },
    {
      name: 'SSL_CERT_DIR list',
      env: { SSL_CERT_DIR: '/a:/b' },
      file: 'BUNDLE',
      dirs: ['/a', '/b'],
      via: 'SSL_CERT_DIR',
    },
    {
      name: 'both',
      env: { SSL_CERT_FILE: '/x', SSL_CERT_DIR: '/d' },
      file: '/x',
      dirs: ['/d'],
      via: 'SSL_CERT_FILE+SSL_CERT_DIR',
    },
  ];
  it.each(table)('OpenSSL paths: $name', async ({ env, file, dirs, via }) => {
    const root = sysroot([mozillaPem]);
    const sub = (p: string) =>
      p === 'BUNDLE'
        ? join(root, 'etc/ssl/certs/ca-certificates.crt')
        : p === 'DIR'
          ? join(root, 'etc/ssl/certs')
          : p;
    const p = await openSslPaths({ env, sysroot: root });
    expect(p.file).toBe(file && sub(file));
    expect(p.dirs).toEqual(dirs.map(sub));
    expect(p.via).toBe(via);
  });

  it('falls back through the distro table (RHEL layout)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'certifix-rhel-'));
    mkdirSync(join(root, 'etc/pki/ca-trust/extracted/pem'), { recursive: true });
    writeFileSync(join(root, 'etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem'), corp.pem);
    const p = await openSslPaths({ env: {}, sysroot: root });
    expect(p.file).toBe(join(root, 'etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem'));
    expect(p.dirs).toEqual([]);
  });
});

describe('mozilla roots', () => {
  it("parses Node's bundled roots once", () => {
    expect(mozillaRoots().length).toBe(rootCertificates.length);
    expect(mozillaRoots()).toBe(mozillaRoots());
  });
  it('recognises a bundled root by sha256 and a re-issue by subject + key', () => {
    const [moz] = parsePemCached(mozillaPem);
    expect(moz && isMozillaRoot(moz)).toBe(true);
    const [c] = parsePemCached(corp.pem);
    expect(c && isMozillaRoot(c)).toBe(false);
  });
});

describe('loadTrust', () => {
  it('unions files, directories and the bundled roots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-dir-'));
    const other = pki.root('other', 'Dir CA');
    writeFileSync(join(dir, 'other.pem'), other.pem);
    symlinkSync(join(dir, 'other.pem'), join(dir, '12345678.0'));
    const certs = await loadTrust({
      source: 'x',
      path: corp.certPath,
      files: [corp.certPath, '/nonexistent.pem'],
      dirs: [dir],
      bundled: true,
      profile: 'openssl',
      why: '',
    });
    const subjects = certs.map((c) => c.subject);
    expect(subjects).toContain('O=Corp, CN=Corp Root CA');
    expect(subjects).toContain('CN=Dir CA');
    expect(certs.length).toBe(rootCertificates.length + 2);
  });
});

describe('win32 parsers (recorded formats)', () => {
  // Recorded: `reg query HKCU\Software\Microsoft\SystemCertificates\Root\Certificates /s` by Wine 8.0's
  // reg.exe (Debian 12 wine64) after adding corp-root.pem's Blob; Wine's CryptoAPI then listed that root in
  // tls.getCACertificates('system') of the Windows Node 22, which proves the Blob layout (test/e2e/wine.test.ts).
  it('Windows: registry store Blobs (reg query /s)', () => {
    const certs = parseRegStore(fx('reg-query-root-wine.txt'));
    expect(certs.map((c) => c.subject)).toEqual(['O=Example Corp, CN=Example Corp Root CA']);
    const [corpCert] = parsePemCached(fx('corp-root.pem'));
    expect(certs[0]?.sha256).toBe(corpCert?.sha256);
  });
  it('Windows: Blob round trip, other properties skipped, truncated Blob refused', () => {
    const [c] = parsePemCached(fx('corp-root.pem'));
    if (!c) throw new Error('fixture');
    const other = Buffer.alloc(16);
    other.writeUInt32LE(3, 0); // CERT_SHA1_HASH_PROP_ID before the certificate, as Windows writes it
    other.writeUInt32LE(1, 4);
    other.writeUInt32LE(4, 8);
    const blob = Buffer.concat([other, blobFor(c.der)]);
    expect(certFromBlob(blob)?.equals(c.der)).toBe(true);
    expect(certFromBlob(blob.subarray(0, blob.length - 1))).toBeNull();
  });
  it('Windows: a Disallowed certificate is not trusted', () => {
    const [c] = parsePemCached(fx('corp-root.pem'));
    const moz = mozillaRoots().slice(0, 2);
    if (!c) throw new Error('fixture');
    expect(withoutDisallowed([...moz, c], [c])).toEqual(moz);
  });
});
