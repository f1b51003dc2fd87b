/**
 * Which store password `fix --java-cacerts` gives keytool: CERTIFIX_JAVA_STOREPASS alone when set; else, for
 * Debian's /etc/ssl/certs/java/cacerts, the storepass of /etc/default/cacerts (read under the sysroot) before
 * the JDK's `changeit`. The import runs the real keytool on a keystore inside a sysroot fixture.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacertsWork, storePasswords } from '../../src/apply/cacerts.ts';
import { runProcess } from '../../src/context.ts';
import { debianStorepass } from '../../src/core/debian-storepass.ts';
import { lacks, missing, which } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The shipped file (ca-certificates-java debian/default, as installed on Debian 12) and what a user may write.
const SHIPPED =
  "# defaults for ca-certificates-java\n\n# The password which is used to protect the integrity of the keystore.\n# storepass must be at least 6 characters long. It must be provided to\n# all commands that access the keystore contents.\n# Only change this if adding private certificates.\n#storepass=''\n\n# enable/disable updates of the keystore /etc/ssl/certs/java/cacerts\ncacerts_updates=yes\n";

describe('debianStorepass: /etc/default/cacerts as /bin/sh reads it', () => {
  it.each([
    ['the shipped file (commented out)', SHIPPED, undefined],
    ['single quotes', "storepass='s3cret-pass'\n", 's3cret-pass'],
    ['double quotes', 'storepass="s3cret pass"\n', 's3cret pass'],
    ['bare, with a trailing comment', 'storepass=s3cret # ours\n', 's3cret'],
    ['export, indented', "  export storepass='abc123'\n", 'abc123'],
    ['the last assignment wins', "storepass='first1'\nstorepass='second2'\n", 'second2'],
    ['concatenated parts', `storepass=ab'c d'"ef"\n`, 'abc def'],
    ['empty', "storepass=''\n", undefined],
    ['a variable is not evaluated', 'storepass="$SECRET"\n', undefined],
    ['a command is not run', 'storepass=`cat /root/pw`\n', undefined],
    ['an unclosed quote', "storepass='abc\n", undefined],
    ['another name', "xstorepass='abc123'\n", undefined],
  ])('%s', (_name, text, want) => {
    expect(debianStorepass(text)).toBe(want);
  });
});

describe.skipIf(lacks('keytool', 'openssl'))(
  `a Debian cacerts in a sysroot ${missing('keytool', 'openssl')}`,
  {
    timeout: 60_000, // each keytool run starts a JVM: ~1 s here, several on a loaded machine
  },
  () => {
    /** A sysroot with etc/default/cacerts holding `defaults` and, with a password, etc/ssl/certs/java/cacerts (JKS). */
    function sysroot(defaults: string | null, password?: string) {
      const root = mkdtempSync(join(tmpdir(), 'certifix-sysroot-'));
      dirs.push(root);
      mkdirSync(join(root, 'pki'));
      const pki = new Pki(join(root, 'pki'));
      const old = pki.root('old', 'Already Trusted Root');
      const corp = pki.root('corp', 'Debian Storepass Corp Root');
      const store = join(root, 'etc', 'ssl', 'certs', 'java', 'cacerts');
      mkdirSync(join(root, 'etc', 'ssl', 'certs', 'java'), { recursive: true });
      if (password)
        execFileSync(
          'keytool',
          ['-importcert', '-noprompt', '-alias', 'old', '-file', old.certPath, '-keystore', store].concat([
            '-storetype',
            'JKS',
            '-storepass',
            password,
          ]),
          { stdio: 'ignore' },
        );
      if (defaults !== null) {
        mkdirSync(join(root, 'etc', 'default'));
        writeFileSync(join(root, 'etc', 'default', 'cacerts'), defaults);
      }
      const home = join(root, 'home');
      mkdirSync(home);
      const ctx = { env: { PATH: process.env.PATH ?? '' }, home, platform: 'linux' as const, sysroot: root };
      return { store, roots: corp.certPath, ctx, run: runProcess };
    }

    async function importInto(s: ReturnType<typeof sysroot>, env: Record<string, string> = {}) {
      const op = {
        kind: 'cacerts' as const,
        path: s.store,
        from: [s.roots],
        keytool: which('keytool') as string,
      };
      const given = env.CERTIFIX_JAVA_STOREPASS;
      const ops = [given ? { ...op, password: given } : op];
      const f = { planned: s.store, target: s.store, ops, before: readFileSync(s.store) };
      return cacertsWork(f, new Map(), { ...s.ctx, env: { ...s.ctx.env, ...env }, run: s.run });
    }

    it('imports with the storepass /etc/default/cacerts sets, tried before changeit', async () => {
      const s = sysroot("storepass='debian-pw1'\n", 'debian-pw1');
      expect(await storePasswords(s.store, undefined, s.ctx)).toEqual(['debian-pw1', 'changeit']);
      const done = await importInto(s);
      expect(done.record).toEqual({ kind: 'file', imported: [expect.stringMatching(/^certifix-/)] });
      expect(done.afterText).toMatch(/Debian Storepass Corp Root/);
      // The new bytes keep the store's password: keytool lists both entries with it.
      const written = join(s.ctx.home, 'cacerts.after');
      writeFileSync(written, done.after);
      const listed = execFileSync('keytool', ['-list', '-keystore', written, '-storepass', 'debian-pw1'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(listed).toMatch(/^old,/m);
      expect(listed).toMatch(/^certifix-[0-9a-f]+,/m);
    });

    it('falls back to changeit when that storepass is not the store’s', async () => {
      const s = sysroot("storepass='stale-pw'\n", 'changeit');
      const done = await importInto(s);
      expect(done.record.kind === 'file' && done.record.imported).toHaveLength(1);
    });

    it('the shipped file, or none, means changeit alone; CERTIFIX_JAVA_STOREPASS alone when set', async () => {
      const shipped = sysroot(SHIPPED);
      expect(await storePasswords(shipped.store, undefined, shipped.ctx)).toEqual(['changeit']);
      const none = sysroot(null);
      expect(await storePasswords(none.store, undefined, none.ctx)).toEqual(['changeit']);
      const given = sysroot("storepass='debian-pw1'\n", 'user-pw9');
      expect(await storePasswords(given.store, 'user-pw9', given.ctx)).toEqual(['user-pw9']);
      const done = await importInto(given, { CERTIFIX_JAVA_STOREPASS: 'user-pw9' });
      expect(done.record.kind === 'file' && done.record.imported).toHaveLength(1);
      // Another JDK's own cacerts never gets Debian's password.
      const other = join(given.ctx.home, 'jdk', 'lib', 'security', 'cacerts');
      expect(await storePasswords(other, undefined, given.ctx)).toEqual(['changeit']);
    });

    it('every password refused: the error names what was tried and how to give the right one', async () => {
      const s = sysroot("storepass='debian-pw1'\n", 'nobody-knows');
      await expect(importInto(s)).rejects.toMatchObject({
        code: 'REFUSED',
        message: expect.stringContaining('keytool says the password is wrong'),
        hint: expect.stringContaining('/etc/default/cacerts'),
      });
    });
  },
);
