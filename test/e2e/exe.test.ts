/**
 * The standalone executables (`npm run build:exe`), run as a user without Node would: `--version`, and a
 * `diagnose` of a local HTTPS server whose private root nothing trusts. The Windows one runs under Wine,
 * with a throw-away prefix; Node refuses Wine's reported Windows version without NODE_SKIP_PLATFORM_CHECK=1,
 * and Windows Node writes nothing to a pipe under Wine, so its output goes to files.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXE, lacks, missing, which } from '../helpers/has.ts';
import { REPO } from '../helpers/paths.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain, Origin } from '../helpers/servers.ts';

const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` with stdout and stderr sent to files (not pipes), in a clean environment. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, dir: string): Promise<Run> {
  const out = join(dir, 'stdout');
  const err = join(dir, 'stderr');
  const fds = [openSync(out, 'w'), openSync(err, 'w')] as const;
  const child = spawn(cmd, args, { env, stdio: ['ignore', fds[0], fds[1]] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const fd of fds) closeSync(fd);
      resolve({ code, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') });
    });
  });
}

let origin: Origin;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certifix-exe-'));
  origin = await Origin.start({ chain: makeChain(new Pki(), 'exe', 'Exe Test Corp') });
}, 60_000);
afterAll(async () => {
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a diagnose of the lab origin must show, whichever OS the executable believes it runs on. */
function expectDiagnosis(r: Run): void {
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout) as { chain: { subject: string }[]; findings: { id: string }[] };
  expect(doc.chain.map((c) => c.subject)).toEqual([
    'CN=localhost',
    'O=Exe Test Corp, CN=Exe Test Corp Issuing CA 1',
  ]);
  expect(doc.findings.map((f) => f.id)).toContain('unknown-anchor');
}

describe.skipIf(lacks('exe-linux'))(`certifix-linux-x64 ${missing('exe-linux')}`, () => {
  const env = () => ({ PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' });

  it('prints its version', async () => {
    const r = await run(EXE.linux, ['--version'], env(), dir);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('diagnoses a local server', async () => {
    const r = await run(EXE.linux, ['diagnose', origin.url, '--no-proxy', '--json'], env(), dir);
    expectDiagnosis(r);
  });

  it('without Node on PATH, reports no node or npm client (it never runs itself as node)', async () => {
    const r = await run(
      EXE.linux,
      ['diagnose', origin.url, '--no-proxy', '--json'],
      { ...env(), PATH: dir },
      dir,
    );
    expectDiagnosis(r);
    const ids = (JSON.parse(r.stdout) as { clients: { id: string }[] }).clients.map((c) => c.id);
    expect(ids).not.toContain('node');
    expect(ids).not.toContain('npm');
  });
});

describe.skipIf(lacks('exe-win', 'wine'))(
  `certifix-win-x64.exe under Wine ${missing('exe-win', 'wine')}`,
  () => {
    let prefix: string;
    const env = (): NodeJS.ProcessEnv => ({
      PATH: '/usr/bin:/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      WINEPREFIX: prefix,
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono/Gecko install prompts on the first run
      NODE_SKIP_PLATFORM_CHECK: '1',
    });
    const wine = (args: string[]) => run(which('wine64') ?? 'wine64', [EXE.win, ...args], env(), dir);

    beforeAll(() => {
      prefix = mkdtempSync(join(tmpdir(), 'certifix-wine-'));
    });
    afterAll(async () => {
      // The prefix's wineserver lingers a few seconds after its last process; stop it before removing it.
      if (prefix) await run(which('wineserver') ?? 'wineserver', ['-k'], env(), dir).catch(() => undefined);
      if (prefix) rmSync(prefix, { recursive: true, force: true });
    });

    // The first command creates the prefix (wineboot): 30-60 s on a busy machine.
    it('prints its version', async () => {
      const r = await wine(['--version']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }, 180_000);

    it('diagnoses a local server', async () => {
      const r = await wine(['diagnose', origin.url, '--no-proxy', '--json']);
      // Wine's own diagnostics may reach stderr; the document is what counts.
      expectDiagnosis({ ...r, stderr: '' });
    }, 120_000);
  },
);
