/**
 * The narrow `mayWrite` rule for a JDK's keystore (guard.ts javaKeystore) and the reading of
 * `keytool -list -rfc` output (apply/cacerts.ts); the import itself runs the real keytool in
 * test/e2e/java-cacerts.test.ts.
 */

import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRfcListing } from '../../src/apply/cacerts.ts';
import { mayWrite } from '../../src/apply/guard.ts';
import { buildKeystore } from '../../src/apply/keystore.ts';
import { java } from '../../src/clients/java.ts';
import { runProcess } from '../../src/context.ts';
import { readKeystore } from '../../src/core/keystore.ts';
import { lacks, missing, which } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function layout() {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-cacerts-'));
  dirs.push(dir);
  const home = join(dir, 'home');
  const security = join(dir, 'jdk', 'lib', 'security');
  mkdirSync(home);
  mkdirSync(security, { recursive: true });
  for (const n of ['cacerts', 'jssecacerts', 'java.security']) writeFileSync(join(security, n), 'x');
  return { home, security, ctx: { env: {}, home, platform: 'linux' as const } };
}

describe('mayWrite: a JDK keystore', () => {
  it("allows a Java home's cacerts and jssecacerts the user owns, nothing else there", () => {
    const { security, ctx } = layout();
    expect(mayWrite(join(security, 'cacerts'), ctx)).toBe(true);
    expect(mayWrite(join(security, 'jssecacerts'), ctx)).toBe(true);
    expect(mayWrite(join(security, 'java.security'), ctx)).toBe(false);
    expect(mayWrite(join(security, '..', 'cacerts'), ctx)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses, as root, a keystore or a HOME another user owns', () => {
    const a = layout();
    chownSync(join(a.security, 'cacerts'), 4242, 4242);
    expect(mayWrite(join(a.security, 'cacerts'), a.ctx)).toBe(false);
    const b = layout();
    chownSync(b.home, 4242, 4242); // root in another user's HOME: that user's journal must not decide
    expect(mayWrite(join(b.security, 'cacerts'), b.ctx)).toBe(false);
  });
});

describe('parseRfcListing', () => {
  it('reads each alias and its certificate from keytool -list -rfc', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-pki-'));
    dirs.push(dir);
    const ca = new Pki(dir).root('listing', 'Listing Root');
    const out = `Keystore type: JKS\nKeystore provider: SUN\n\nYour keystore contains 1 entry\n\nAlias name: certifix-abc\nCreation date: Jun 24, 2025\nEntry type: trustedCertEntry\n\n${ca.pem}\n*******************************************\n`;
    const [entry] = parseRfcListing(out);
    expect(entry?.alias).toBe('certifix-abc');
    expect(entry?.cert.subject).toContain('Listing Root');
  });
});

describe.skipIf(lacks('keytool', 'java'))(
  `a PKCS#12 truststore with a password ${missing('keytool', 'java')}`,
  () => {
    it("named in JAVA_TOOL_OPTIONS with its password, is copied whole with the JDK's keytool", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'certifix-p12-'));
      dirs.push(dir);
      const ca = new Pki(dir).root('p12', 'P12 Company Root');
      const store = join(dir, 'company.p12');
      execFileSync(
        'keytool',
        ['-importcert', '-noprompt', '-alias', 'company', '-file', ca.certPath, '-keystore', store].concat([
          '-storetype',
          'PKCS12',
          '-storepass',
          'secret77',
        ]),
        { stdio: 'ignore' },
      );
      // keytool encrypts the certificates of a PKCS#12 store it makes: certifix alone cannot read them.
      expect(readKeystore(readFileSync(store)).encrypted).toBeGreaterThan(0);
      const env = {
        PATH: process.env.PATH ?? '',
        JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${store} -Djavax.net.ssl.trustStorePassword=secret77`,
      };
      const ctx = { env, home: dir, cwd: dir, platform: 'linux' as const, run: runProcess };
      const [inst] = await java.detect(ctx);
      expect(inst?.details?.uncopyable).toBeUndefined();
      const plan = java.plan(inst as NonNullable<typeof inst>, join(dir, 'bundle.pem'), ctx);
      const change = plan.changes.find((c) => c.kind === 'keystore');
      expect(change).toMatchObject({ from: [store, join(dir, 'bundle.pem')], password: 'secret77' });
      const keytool = (change as { keytool: string }).keytool;
      const reader = { keytool, password: 'secret77', env, run: runProcess };
      const built = await buildKeystore([store], new Map(), 'secret77', reader);
      expect(built.warnings).toEqual([]);
      expect(built.listing).toMatch(/^trusted company: .*P12 Company Root\n$/);
      // Without the password it is still refused, as before.
      const bare = { ...ctx, env: { ...env, JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${store}` } };
      expect((await java.detect(bare))[0]?.details?.uncopyable).toMatch(/password-protected/);
      expect(which('keytool')).toBeTruthy();
    });
  },
);
