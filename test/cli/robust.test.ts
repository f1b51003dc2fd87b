/**
 * The built CLI against hostile or unlucky surroundings, as real processes: endless input (/dev/zero), a
 * reader that goes away (`| head -1`), a full disk on stdout (/dev/full), and Ctrl-D / Ctrl-C at a prompt
 * on a real pseudo-terminal (`script`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, missing } from '../helpers/has.ts';
import { REPO } from '../helpers/paths.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { startTls, type TlsServer } from '../net/servers.ts';

const BIN = join(REPO, 'bin', 'certifix.js');

let home: string;
let pki: Pki;
let root: Issued;
let chain: string;
let server: TlsServer;
/** A server whose leaf names 50 caIssuers URLs on an HTTP server that never answers. */
let stalling: TlsServer;
let stallHttp: Server;

/** What is in HOME besides the CLI's own code cache (~/.cache/certifix): nothing, when nothing changed. */
const configured = () => readdirSync(home).filter((n) => n !== '.cache');

/** An environment with nothing of this machine's CA settings: a temp HOME, a plain PATH. */
const cleanEnv = (): NodeJS.ProcessEnv => ({ HOME: home, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' });

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set size of the certifix process, in MB (from its own getrusage). */
  rssMb: number;
}

/** Run the built CLI with `argv`; stdin from `stdin` (a path), stdout to `stdout` (a path or a pipe). */
function certifix(
  argv: string[],
  opts: { stdin?: string; stdout?: string; closeStdout?: boolean } = {},
): Promise<Ran> {
  // The CLI's own entry, plus a line on fd 3 with its peak RSS when it exits.
  const code = `process.on('exit', () => require('node:fs').writeSync(3, String(process.resourceUsage().maxRSS)));
process.argv.splice(1, 0, 'certifix'); require(${JSON.stringify(join(REPO, 'dist', 'certifix.cjs'))}).run();`;
  const stdin = opts.stdin ? openSync(opts.stdin, 'r') : 'ignore';
  const stdout = opts.stdout ? openSync(opts.stdout, 'w') : 'pipe';
  const start = Date.now();
  const child = spawn(process.execPath, ['-e', code, ...argv], {
    env: cleanEnv(),
    stdio: [stdin, stdout, 'pipe', 'pipe'],
  });
  // The reader of certifix's output goes away before certifix writes anything.
  if (opts.closeStdout) child.stdout?.destroy();
  let out = '';
  let err = '';
  let rss = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.stdio[3]?.on('data', (d) => {
    rss += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - start, rssMb: Number(rss) / 1024 }),
    ),
  );
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'certifix-robust-'));
  pki = new Pki();
  root = pki.root('root', 'Robust Test Root');
  const leaf = pki.leaf('leaf', 'localhost', root, { ips: ['127.0.0.1'] });
  chain = pki.bundle('chain', [leaf, root]);
  server = await startTls(leaf.keyPem, [leaf.pem, root.pem]);
  stallHttp = createServer(() => {}); // accepts, reads the request, never answers
  await new Promise<void>((r) => stallHttp.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(stallHttp.address() as AddressInfo).port}`;
  const urls = Array.from({ length: 50 }, (_, i) => `caIssuers;URI:${base}/ca${i}.der`).join(',');
  const int = pki.intermediate('int', 'Robust Issuing CA', root);
  const aiaLeaf = pki.leaf('aia-leaf', 'localhost', int, {
    ips: ['127.0.0.1'],
    extraExt: [`authorityInfoAccess=${urls}`],
  });
  stalling = await startTls(aiaLeaf.keyPem, [aiaLeaf.pem]);
}, 30_000);

afterAll(async () => {
  await server?.close();
  await stalling?.close();
  stallHttp?.closeAllConnections();
  await new Promise((r) => stallHttp?.close(r));
  rmSync(home, { recursive: true, force: true });
});

describe.skipIf(lacks('dist'))(`bounded input ${missing('dist')}`, () => {
  const cases: Array<[string, string[], string | undefined]> = [
    ['verify /dev/zero', ['verify', '/dev/zero'], undefined],
    ['explain - < /dev/zero', ['explain', '-', '--offline'], '/dev/zero'],
    ['fix --ca /dev/zero', ['fix', '--ca', '/dev/zero', '--dry-run'], undefined],
  ];
  it.each(cases)('%s exits 2 within seconds, under 200 MB', async (_name, argv, stdin) => {
    const r = await certifix(argv, stdin ? { stdin } : {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is larger than 4 MB; refusing to read more of it/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.rssMb).toBeGreaterThan(0);
    expect(r.rssMb).toBeLessThan(200);
    expect(r.ms).toBeLessThan(10_000);
    // Nothing was written in HOME.
    expect(configured()).toEqual([]);
  });
});

describe.skipIf(lacks('dist'))(`AIA chasing is bounded ${missing('dist')}`, () => {
  const target = () => `https://127.0.0.1:${stalling.port}/`;

  it('a leaf naming 50 slow AIA URLs does not hold diagnose --timeout 1 past its timeout', async () => {
    const argv = ['diagnose', target(), '--no-proxy', '--timeout', '1', '--json'];
    // The same run without AIA: process start and local prediction, whatever the machine's load.
    const base = await certifix([...argv, '--no-aia']);
    const r = await certifix([...argv, '--allow-private-aia']);
    expect(r.code).toBe(1);
    // Without one deadline: 4 URLs x 1 s (or 50 x 1 s without the cap). With it: at most the 1 s budget.
    expect(r.ms - base.ms).toBeLessThan(2500);
    const doc = JSON.parse(r.stdout);
    const f = doc.findings.find((x: { id: string }) => x.id === 'aia-unavailable');
    expect(f.details.errors[4].error).toMatch(/^46 more caIssuers URL\(s\) .* not tried \(at most 4 per/);
    expect(f.details.errors).toHaveLength(5);
  });

  it('a refused private address reaches the findings, naming --allow-private-aia', async () => {
    const r = await certifix(['diagnose', target(), '--no-proxy', '--timeout', '5', '--json']);
    expect(r.ms).toBeLessThan(5000); // refused at once, not waited for
    const doc = JSON.parse(r.stdout);
    const f = doc.findings.find((x: { id: string }) => x.id === 'aia-unavailable');
    expect(f.message).toContain('refused the private address 127.0.0.1 — pass --allow-private-aia');
  });
});

describe.skipIf(lacks('dist'))(`quiet output ${missing('dist')}`, () => {
  it('a reader that went away (| head -1) ends quietly with the command’s own exit code', async () => {
    const r = await certifix(['diagnose', `https://127.0.0.1:${server.port}/`, '--no-proxy'], {
      closeStdout: true,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the clients fail: the root is not trusted; no stack trace, no 70
  });

  it('a shell pipeline into head -1 prints one line and no trace', () => {
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" verify "${chain}" --ca "${root.certPath}" | head -1`],
      { env: cleanEnv(), encoding: 'utf8' },
    );
    expect(r.stdout).toBe('OK\n');
    expect(r.stderr).toBe('');
  });

  it('output larger than a pipe holds, to a reader that comes late, arrives whole (the CLI ends once it is out)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-pipe-'));
    const file = join(dir, 'system.pem');
    const direct = spawnSync(process.execPath, [BIN, 'export', 'system'], {
      env: cleanEnv(),
      stdio: ['ignore', openSync(file, 'w'), 'pipe'],
    });
    expect(direct.status).toBe(0);
    const expected = readFileSync(file, 'utf8');
    expect(expected.length).toBeGreaterThan(2 * 65_536); // more than a pipe holds
    // A non-blocking pipe: past its 64 kB a write(2) says EAGAIN, and the rest goes through process.stdout,
    // which waits for the reader. (Node writes pipes synchronously on Linux; on macOS and a Windows terminal
    // it does not, and there the CLI's early exit waits for that stream: io.ts flushed().)
    const fifo = join(dir, 'out');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const child = spawn(process.execPath, [BIN, 'export', 'system'], {
      env: cleanEnv(),
      stdio: ['ignore', writer, 'pipe'],
    });
    closeSync(writer);
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await new Promise((r) => setTimeout(r, 500)); // the reader is busy: the pipe fills
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65_536);
    for (;;) {
      let n: number;
      try {
        n = readSync(reader, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (n === 0) break; // no writer left
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    closeSync(reader);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full disk on stdout (>/dev/full) is one line on stderr and exit 2', async () => {
    const r = await certifix(['verify', chain, '--ca', root.certPath], { stdout: '/dev/full' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('certifix: could not write to standard output (ENOSPC)\n');
  });
});

describe.skipIf(lacks('dist', 'script'))(`a prompt on a terminal ${missing('dist', 'script')}`, () => {
  /** Run `fix --ca` on a pseudo-terminal and type `keys` once the question is on screen. */
  function atPrompt(keys: string) {
    const cmd = `exec env -i HOME='${home}' PATH=/usr/bin:/bin TERM=dumb "${process.execPath}" "${BIN}" fix --ca "${root.certPath}"`;
    return new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let typed = false;
      child.stdout.on('data', (d) => {
        out += d;
        if (!typed && out.includes('[y/N]')) {
          typed = true;
          child.stdin.write(keys);
        }
      });
      child.on('close', (code) => resolve({ code, out }));
    });
  }

  it('Ctrl-D means "nothing changed", exit 1', async () => {
    const r = await atPrompt('\x04');
    expect(r.out).toContain('no answer (end of input); nothing changed');
    expect(r.out).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    expect(configured()).toEqual([]);
  }, 30_000);

  it('Ctrl-C means "nothing changed", exit 130', async () => {
    const r = await atPrompt('\x03');
    expect(r.out).toContain('interrupted at the prompt; nothing changed');
    expect(r.out).not.toMatch(/internal error/);
    expect(r.code).toBe(130);
    expect(configured()).toEqual([]);
  }, 30_000);
});
