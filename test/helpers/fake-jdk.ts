/**
 * A Java home of the test's own, for the unit and CLI tests of `fix --java-cacerts` (the e2e tests copy the
 * real JDK instead: test/e2e/java-cacerts.test.ts). `bin/java` is a stub that fails if run (detection only reads
 * the layout, and nothing in these tests runs the probe); `bin/keytool` is the real one; `lib/security/cacerts`
 * is a JKS with one entry, `old`, made by keytool with the JDK's default password.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './has.ts';
import { type Issued, Pki } from './pki.ts';

export function fakeJdk(dir: string, old: Issued): { home: string; bin: string; cacerts: string } {
  const home = join(dir, 'jdk');
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(home, 'lib', 'security'), { recursive: true });
  writeFileSync(join(bin, 'java'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  symlinkSync(which('keytool') as string, join(bin, 'keytool'));
  const cacerts = join(home, 'lib', 'security', 'cacerts');
  const store = ['-keystore', cacerts, '-storetype', 'JKS', '-storepass', 'changeit'];
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'old', '-file', old.certPath, ...store], {
    stdio: 'ignore',
  });
  return { home, bin, cacerts };
}

/** The aliases of a keystore whose password is changeit, as keytool lists them. */
export function keystoreAliases(store: string): string[] {
  return execFileSync('keytool', ['-list', '-keystore', store, '-storepass', 'changeit'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .split('\n')
    .filter((l) => l.includes('trustedCertEntry'))
    .map((l) => l.split(',')[0] as string);
}

/** In a new temporary directory: a fake JDK, an empty HOME, and a company root (`cn`) to trust. */
export function fakeJdkSetUp(cn: string): {
  dir: string;
  jdk: ReturnType<typeof fakeJdk>;
  home: string;
  root: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-fake-jdk-'));
  mkdirSync(join(dir, 'pki'));
  const pki = new Pki(join(dir, 'pki'));
  const jdk = fakeJdk(dir, pki.root('old', 'Already Trusted Root'));
  const root = pki.root('corp', cn, { subjectPrefix: '/O=Example Corp' }).certPath;
  const home = join(dir, 'home');
  mkdirSync(home);
  return { dir, jdk, home, root };
}
