/**
 * Keystores against the JDK's own keytool: what certifix writes, keytool reads (with the integrity check);
 * what keytool writes (JKS, PKCS#12 with and without a password), certifix reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCerts } from '../../src/core/cert.ts';
import {
  entriesFor,
  isKeystore,
  mergeEntries,
  readJks,
  readKeystore,
  writeJks,
} from '../../src/core/keystore.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const rootA = pki.issue('ks-a', { cn: 'Keystore Root A', ca: true });
const rootB = pki.issue('ks-b', { cn: 'Keystore Root B', ca: true });
const [a, b] = [rootA, rootB].map((r) => parseCerts(r.pem).certs[0] as NonNullable<unknown>) as [
  ReturnType<typeof parseCerts>['certs'][number],
  ReturnType<typeof parseCerts>['certs'][number],
];

/** keytool is a JVM: C1 only and the serial GC make its start cheaper; each call still takes seconds. */
const keytool = (args: string[]) =>
  execFileSync('keytool', ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
/** Tests that start JVMs (one or two keytool runs). */
const JVM = { timeout: 60_000 };

describe('JKS written by certifix', () => {
  it('round-trips and checks the password like the JDK', () => {
    const bytes = writeJks(mergeEntries([entriesFor([a]), entriesFor([b, a])]));
    expect(isKeystore(bytes)).toBe(true);
    const ks = readJks(bytes, 'changeit');
    expect(ks.entries.map((e) => e.cert.sha256)).toEqual([a.sha256, b.sha256]);
    expect(() => readJks(bytes, 'wrong')).toThrow(/password was incorrect/);
    // The same inputs give the same bytes: a second `fix` rewrites nothing.
    expect(writeJks(readJks(bytes).entries)).toEqual(bytes);
  });

  it('colliding aliases get a suffix; DER certificates are not keystores', () => {
    const merged = mergeEntries([
      [{ alias: 'Corp', cert: a, date: 0 }],
      [{ alias: 'corp', cert: b, date: 0 }],
    ]);
    expect(merged.map((e) => e.alias)).toEqual(['corp', 'corp-2']);
    expect(isKeystore(a.der)).toBe(false);
  });

  it.skipIf(lacks('keytool'))(
    `keytool lists it, with the store password ${missing('keytool')}`,
    JVM,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'certifix-ks-'));
      const file = join(dir, 'trust.jks');
      await writeFile(file, writeJks(entriesFor([a, b])));
      const out = keytool(['-list', '-keystore', file, '-storepass', 'changeit']);
      expect(out).toMatch(/Your keystore contains 2 entries/);
      expect(out).toContain(`certifix-${a.sha256.slice(0, 16)}`);
      expect(out).toMatch(/trustedCertEntry/);
    },
  );
});

describe.skipIf(lacks('keytool'))(`keystores written by keytool ${missing('keytool')}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-ks-'));
  const made = (type: string, extra: string[] = []) => {
    const file = join(dir, `${type}-${extra.length}.ks`);
    for (const [alias, r] of [
      ['root-a', rootA],
      ['root-b', rootB],
    ] as const)
      keytool([
        '-importcert',
        '-noprompt',
        '-alias',
        alias,
        '-file',
        r.certPath,
        '-keystore',
        file,
        '-storetype',
        type,
        '-storepass',
        'changeit',
        ...extra,
      ]);
    return readFileSync(file);
  };

  it('reads JKS', JVM, () => {
    const ks = readJks(made('JKS'), 'changeit');
    expect(ks.entries.map((e) => e.alias).sort()).toEqual(['root-a', 'root-b']);
  });

  it('reads PKCS#12 whose certificates are not encrypted (the JDK 18+ password-less cacerts)', JVM, () => {
    // -J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE: what JDK-8275252 uses for cacerts
    // (https://bugs.openjdk.org/browse/JDK-8275252).
    const data = made('PKCS12', ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE']);
    expect(isKeystore(data)).toBe(true);
    const ks = readKeystore(data);
    expect(ks).toMatchObject({ format: 'pkcs12', encrypted: 0 });
    expect(ks.entries.map((e) => e.cert.sha256).sort()).toEqual([a.sha256, b.sha256].sort());
    expect(ks.entries.map((e) => e.alias).sort()).toEqual(['root-a', 'root-b']);
  });

  it('counts the encrypted part of a password-protected PKCS#12 instead of guessing', JVM, () => {
    const ks = readKeystore(made('PKCS12'));
    expect(ks.encrypted).toBe(1);
    expect(ks.entries).toEqual([]);
  });
});
