/**
 * WSL: detection from a fake /proc (the sysroot) and the Windows roots read through a `powershell.exe` on PATH
 * that replays a listing (test/stores/fixtures/README.md says where its certificates come from). The fake is a
 * real executable run as a process, as interop runs the Windows one.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/context.ts';
import type { Cert } from '../../src/core/cert.ts';
import { selectRoots } from '../../src/fix/select.ts';
import { windowsCandidates } from '../../src/fix/windows-source.ts';
import { systemStore } from '../../src/stores/index.ts';
import { parsePemCached } from '../../src/stores/pem.ts';
import { classify, listArgs, parseStoreListing } from '../../src/stores/powershell.ts';
import { detectWsl, isMicrosoftInfrastructure, isWslKernel, windowsRoots } from '../../src/stores/wsl.ts';
import type { Context } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'powershell-cert-stores-winca.txt');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A WSL-looking sysroot: /proc/sys/kernel/osrelease, /mnt/c/Windows, and a bin dir with powershell.exe. */
function wslRoot(osrelease: string, listing: string | null): { root: string; bin: string } {
  const root = mkdtempSync(join(tmpdir(), 'certifix-wsl-'));
  dirs.push(root);
  mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(join(root, 'proc/sys/kernel/osrelease'), `${osrelease}\n`);
  mkdirSync(join(root, 'mnt/c/Windows'), { recursive: true });
  const bin = join(root, 'bin');
  mkdirSync(bin);
  if (listing !== null) {
    writeFileSync(join(root, 'listing.txt'), listing);
    // Replays the listing, and records its arguments so the test can check what was asked.
    const ps = join(bin, 'powershell.exe');
    writeFileSync(ps, `#!/bin/sh\nprintf '%s\\n' "$@" > "${root}/args.txt"\ncat "${root}/listing.txt"\n`);
    chmodSync(ps, 0o755);
  }
  return { root, bin };
}

function ctxFor(root: string, bin: string, env: NodeJS.ProcessEnv = {}): Context {
  return {
    env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
    home: join(root, 'home'),
    cwd: root,
    platform: 'linux',
    run: runProcess,
    sysroot: root,
  };
}

describe('WSL detection', () => {
  it.each([
    // WSL 1 and WSL 2 kernel releases as `uname -r` prints them (microsoft/WSL#423).
    ['4.4.0-19041-Microsoft', true],
    ['5.15.90.1-microsoft-standard-WSL2', true],
    ['6.1.0-13-amd64', false],
    ['', false],
  ])('%j is WSL: %s', (release, want) => {
    expect(isWslKernel(release)).toBe(want);
  });

  it('reads osrelease under the sysroot, finds /mnt/c and powershell.exe on PATH', async () => {
    const { root, bin } = wslRoot('5.15.90.1-microsoft-standard-WSL2', '');
    const info = await detectWsl(ctxFor(root, bin, { WSL_DISTRO_NAME: 'Ubuntu' }));
    expect(info).toEqual({
      wsl: true,
      distro: 'Ubuntu',
      windowsDrive: join(root, 'mnt/c'),
      powershell: join(bin, 'powershell.exe'),
    });
  });

  it('plain Linux is not WSL; WSL without interop has no powershell', async () => {
    const plain = wslRoot('6.1.0-13-amd64', null);
    expect((await detectWsl(ctxFor(plain.root, plain.bin))).wsl).toBe(false);
    const noInterop = wslRoot('4.4.0-19041-Microsoft', null);
    const info = await detectWsl(ctxFor(noInterop.root, noInterop.bin));
    expect(info.wsl).toBe(true);
    expect(info.powershell).toBeNull();
    expect((await windowsCandidates(ctxFor(noInterop.root, noInterop.bin))).note).toMatch(/not reachable/);
  });
});

describe('Windows stores through powershell.exe', () => {
  const listing = readFileSync(FIXTURE, 'utf8');

  it('parses every store section, CRLF and 76-column lines, and applies Disallowed', () => {
    const stores = parseStoreListing(listing);
    expect([...stores.keys()]).toEqual([
      'CurrentUser\\Root',
      'LocalMachine\\Root',
      'LocalMachine\\AuthRoot',
      'CurrentUser\\CA',
      'LocalMachine\\CA',
      'CurrentUser\\Disallowed',
      'LocalMachine\\Disallowed',
    ]);
    const { trusted, disallowed } = classify(stores);
    const names = trusted.map((c) => /CN=([^,]+)/.exec(c.subject)?.[1]).sort();
    expect(names).toEqual([
      'ISRG Root X1',
      'Microsoft Root Certificate Authority 2011',
      'NAVER Global Root Certification Authority',
    ]);
    expect(disallowed.map((c) => c.subject)).toEqual([expect.stringContaining('Class 1 Public Primary')]);
    expect(trusted.filter(isMicrosoftInfrastructure).length).toBe(1);
  });

  it('runs powershell.exe without a profile, non-interactively, over every store', async () => {
    const { root, bin } = wslRoot('5.15.90.1-microsoft-standard-WSL2', listing);
    const roots = await windowsRoots(ctxFor(root, bin), join(bin, 'powershell.exe'));
    expect(roots?.trusted).toHaveLength(3);
    const args = readFileSync(join(root, 'args.txt'), 'utf8');
    expect(args.startsWith('-NoProfile\n-NonInteractive\n-Command\n')).toBe(true);
    for (const s of [
      'CurrentUser\\Root',
      'LocalMachine\\Root',
      'LocalMachine\\CA',
      'LocalMachine\\Disallowed',
    ])
      expect(args).toContain(`'${s}'`);
    expect(listArgs()[3]).toContain("[Convert]::ToBase64String($_.RawData, 'InsertLineBreaks')");
  });

  it("fix is offered the company root from the Windows side, not the public or Microsoft's own roots", async () => {
    const pki = new Pki();
    const corp = pki.root('wslcorp', 'Example Corp Windows Root', { subjectPrefix: '/O=Example Corp' });
    const body = corp.pem.trim().replace(/\n/g, '\r\n');
    const withCorp = listing.replace(
      '# Cert:\\LocalMachine\\AuthRoot',
      `${body}\r\n# Cert:\\LocalMachine\\AuthRoot`,
    );
    const { root, bin } = wslRoot('5.15.90.1-microsoft-standard-WSL2', withCorp);
    const got = await windowsCandidates(ctxFor(root, bin));
    const offered = got.candidates.map((c) => c.cert.subject);
    const corpCert = parsePemCached(corp.pem)[0] as Cert;
    expect(offered).toEqual([corpCert.subject]);
    expect(offered.some((s) => /ISRG|Microsoft/.test(s))).toBe(false);
    expect(got.candidates.every((c) => c.origin === 'windows-store')).toBe(true);
    expect(got.trusted.has(corpCert.sha256)).toBe(true);

    // fix's default selection offers it beside the (here empty) Linux store, and says where it looked.
    const selection = await selectRoots({}, ctxFor(root, bin));
    expect(selection.candidates.map((c) => [c.cert.subject, c.origin, c.refusal])).toEqual([
      [corpCert.subject, 'windows-store', undefined],
    ]);
    expect(selection.notes?.[0]).toMatch(/^WSL: read the Windows stores through .*powershell\.exe/);
  });
});

describe('Windows store without a registry listing', () => {
  it('falls back to PowerShell when reg.exe lists nothing, Disallowed still applied', async () => {
    const listing = readFileSync(FIXTURE, 'utf8');
    const calls: string[] = [];
    const run: Context['run'] = async (cmd) => {
      calls.push(cmd);
      if (cmd === 'reg') return { code: 1, stdout: '', stderr: 'ERROR: Access is denied.' };
      return { code: 0, stdout: listing, stderr: '' };
    };
    // platform win32 on Linux: Node's native reader is not used for a simulated platform (stores/native.ts).
    const store = await systemStore({ env: {}, platform: 'win32', run });
    expect(calls).toContain('powershell.exe');
    expect(store.files).toEqual(['powershell.exe Cert:\\']);
    expect(store.certs.map((c) => /CN=([^,]+)/.exec(c.subject)?.[1]).sort()).toEqual([
      'ISRG Root X1',
      'Microsoft Root Certificate Authority 2011',
      'NAVER Global Root Certification Authority',
    ]);
  });
});
