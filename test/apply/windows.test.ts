/**
 * What the Windows plan says about the tools that already use the Windows store (Schannel): curl's backend
 * from `curl -V` as real Windows builds printed it, Git for Windows' http.sslBackend from its config files.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { curlBackend, gitBackend, schannelNotes, windowsPlan } from '../../src/apply/windows.ts';
import type { Runner } from '../../src/types.ts';
import { cleanupTemp, tempDir } from './helpers.ts';

afterEach(cleanupTemp);

// Recorded `curl -V` first lines, each from the issue named.
const CURL_WINDOWS_8_13 = 'curl 8.13.0 (Windows) libcurl/8.13.0 Schannel zlib/1.3.1 WinIDN'; // curl/curl-www#463
const CURL_WINDOWS_7_55 = 'curl 7.55.1 (Windows) libcurl/7.55.1 WinSSL'; // curl/curl#4473
const CURL_LINUX_OPENSSL =
  'curl 8.2.0 (x86_64-cros-linux-gnu) libcurl/8.2.0 OpenSSL/3.0.9 zlib/1.2.13 brotli/1.0.9'; // chromebrew/chromebrew#8487

describe('Schannel detection', () => {
  it.each([
    [CURL_WINDOWS_8_13, 'schannel'],
    [CURL_WINDOWS_7_55, 'schannel'],
    [CURL_LINUX_OPENSSL, 'openssl'],
    ['not curl', null],
  ])('curl -V %j: %s', (line, want) => {
    expect(curlBackend(`${line}\r\nRelease-Date: 2025-04-02\r\n`)).toBe(want);
  });

  it("git: the system config's sslBackend, overridden by the user's, openssl when unset", async () => {
    const root = tempDir();
    const pf = join(root, 'Program Files');
    const profile = join(root, 'Users', 'ana');
    mkdirSync(join(pf, 'Git', 'etc'), { recursive: true });
    mkdirSync(profile, { recursive: true });
    const ctx = { home: profile, env: { ProgramFiles: pf, USERPROFILE: profile } };
    expect(await gitBackend({ home: profile, env: { ProgramFiles: join(root, 'none') } })).toBeNull();
    writeFileSync(join(pf, 'Git', 'etc', 'gitconfig'), '[http]\r\n\tsslBackend = schannel\r\n');
    expect(await gitBackend(ctx)).toBe('schannel');
    writeFileSync(join(profile, '.gitconfig'), '[http]\n\tsslbackend = openssl\n');
    expect(await gitBackend(ctx)).toBe('openssl');
    writeFileSync(join(pf, 'Git', 'etc', 'gitconfig'), '[core]\n\tautocrlf = true\n');
    writeFileSync(join(profile, '.gitconfig'), '');
    expect(await gitBackend(ctx)).toBe('openssl');
  });

  it('the plan says so: Windows curl and Git with Schannel need nothing', async () => {
    const root = tempDir();
    const pf = join(root, 'Program Files');
    const sys = join(root, 'Windows');
    mkdirSync(join(pf, 'Git', 'etc'), { recursive: true });
    mkdirSync(join(sys, 'System32'), { recursive: true });
    writeFileSync(join(pf, 'Git', 'etc', 'gitconfig'), '[http]\n\tsslBackend = schannel\n');
    writeFileSync(join(sys, 'System32', 'curl.exe'), '');
    const run: Runner = async () => ({ code: 0, stdout: `${CURL_WINDOWS_8_13}\r\n`, stderr: '' });
    const env = { ProgramFiles: pf, SystemRoot: sys, USERPROFILE: root, PATH: '', APPDATA: join(root, 'a') };
    const plan = await windowsPlan('C:\\b.pem', { home: root, env, run });
    expect(plan?.notes?.join('\n')).toMatch(/curl\.exe.*Schannel.*nothing to set/);
    expect(plan?.notes?.join('\n')).toMatch(/Git for Windows uses Schannel/);
    // status shows the same, under "Already using the Windows store".
    expect(await schannelNotes({ home: root, env, run })).toEqual(plan?.notes);
    const openssl: Runner = async () => ({ code: 0, stdout: CURL_LINUX_OPENSSL, stderr: '' });
    const other = await windowsPlan('C:\\b.pem', { home: root, env, run: openssl });
    expect(other?.notes?.join('\n')).not.toMatch(/curl\.exe/);
  });

  it('an existing .condarc, even a dangling symlink, is left alone: a note, no file change', async () => {
    const root = tempDir();
    const conda = join(root, 'anaconda3');
    mkdirSync(join(conda, 'conda-meta'), { recursive: true });
    writeFileSync(join(conda, 'python.exe'), '');
    const env = { USERPROFILE: root, PATH: '', APPDATA: join(root, 'a'), ProgramFiles: join(root, 'pf') };
    const run: Runner = async () => ({ code: 1, stdout: '', stderr: '' });
    const fresh = await windowsPlan('C:\\b.pem', { home: root, env, run });
    expect(fresh?.changes.some((c) => c.kind === 'file' && c.path.endsWith('.condarc'))).toBe(true);
    symlinkSync(join(root, 'elsewhere', 'condarc'), join(root, '.condarc'));
    const plan = await windowsPlan('C:\\b.pem', { home: root, env, run });
    expect(plan?.changes.some((c) => c.kind === 'file' && c.path.endsWith('.condarc'))).toBe(false);
    expect(plan?.notes?.join('\n')).toMatch(/\.condarc exists/);
  });
});
