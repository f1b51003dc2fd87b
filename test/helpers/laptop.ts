/**
 * A simulated pristine company laptop. Every command runs in a private mount namespace (`unshare -m`) where
 * /etc/ssl/certs is a fake Debian store (Mozilla roots + the corporate roots IT installed), the machine's
 * global pip/npm/git settings are hidden, /etc, /usr, /root and /opt are read-only, HOME is a fresh temp dir,
 * and the environment is built from scratch: nothing from process.env leaks in. Root is required.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Runner } from '../../src/clients/types.ts';
import { pyenvRoot, which } from './has.ts';
import { type LocalRoot, OsStore } from './os-store.ts';
import type { Issued } from './pki.ts';
import { type Snapshot, snapshotTree } from './snapshot.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What this machine configures globally and a pristine laptop does not have; each is hidden inside. */
const MASKS: { path: string; dir?: boolean; why: string }[] = [
  { path: '/etc/pip.conf', why: 'pip site-wide config (here: cert = system bundle)' },
  { path: '/etc/xdg/pip', dir: true, why: 'pip XDG site config and constraints' },
  { path: '/etc/npmrc', why: 'npm global config read by some distro builds' },
  { path: '/usr/etc/npmrc', why: 'npm globalconfig = $PREFIX/etc/npmrc, prefix /usr (here: cafile=)' },
  { path: '/etc/gitconfig', why: 'git --system config' },
  // HOME is a temp dir, so these are not read; hidden anyway in case a tool asks getpwuid() for HOME.
  { path: '/root/.npmrc', why: 'npm user config of the real root' },
  { path: '/root/.gitconfig', why: 'git global config of the real root' },
  { path: '/root/.config/pip', dir: true, why: 'pip user config of the real root' },
];

/** Trees made read-only inside, so a bug in certifix cannot touch the real machine. */
const READ_ONLY = ['/etc', '/usr', '/root', '/opt'];

export type ShellKind = 'login' | 'interactive';
export type Shell = 'bash' | 'zsh' | 'fish';
type RunOpts = NonNullable<Parameters<Runner>[2]>;
export type RunResult = Awaited<ReturnType<Runner>>;

export interface LaptopOptions {
  /** Roots IT installed in the OS store (/usr/local/share/ca-certificates + update-ca-certificates). */
  corporateRoots?: (Issued | LocalRoot)[];
  /** Include the Mozilla roots in the OS store (default true). */
  mozilla?: boolean;
  /** Extra variables for every command (on top of the clean base). */
  env?: Record<string, string>;
  /** Copy /etc/skel and add pyenv's documented shell setup to ~/.profile and ~/.bashrc (default true). */
  dotfiles?: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class Laptop {
  readonly dir: string;
  readonly home: string;
  readonly tmp: string;
  readonly store: OsStore;
  /** The clean base environment (plus LaptopOptions.env) every command starts from. */
  readonly env: Record<string, string>;
  private readonly script: string;

  private constructor(opts: LaptopOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'certifix-laptop-'));
    this.home = join(this.dir, 'home');
    this.tmp = join(this.dir, 'tmp');
    mkdirSync(this.home);
    mkdirSync(this.tmp);
    this.store = new OsStore(
      join(this.dir, 'etc-ssl-certs'),
      join(this.dir, 'local-ca'),
      opts.mozilla ?? true,
    );
    const roots = (opts.corporateRoots ?? []).map((r) => ({ name: r.name, pem: r.pem }));
    this.store.add(...roots);
    const pyenv = pyenvRoot();
    // pyenv first, as its shell setup puts it; node's own directory last (usually /usr/bin anyway).
    const path = pyenv ? [join(pyenv, 'shims'), join(pyenv, 'bin')] : [];
    path.push('/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin');
    path.push(dirname(process.execPath));
    this.env = {
      PATH: [...new Set(path)].join(':'),
      HOME: this.home,
      USER: 'root',
      LOGNAME: 'root',
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      TMPDIR: this.tmp,
      ...(pyenv ? { PYENV_ROOT: pyenv } : {}),
      ...opts.env,
    };
    if (opts.dotfiles ?? true) this.writeDotfiles(pyenv);
    this.script = this.mountScript();
  }

  /** Builds the laptop. Needs root and `unshare` (see `has('sandbox')`). */
  static async create(opts: LaptopOptions = {}): Promise<Laptop> {
    return new Laptop(opts);
  }

  private writeDotfiles(pyenv: string | null): void {
    if (existsSync('/etc/skel'))
      for (const f of readdirSync('/etc/skel'))
        if (statSync(join('/etc/skel', f)).isFile()) copyFileSync(join('/etc/skel', f), join(this.home, f));
    if (!pyenv) return;
    // https://github.com/pyenv/pyenv#b-set-up-your-shell-environment-for-pyenv (shims only: `pyenv init -` is slow)
    const block = `\nexport PYENV_ROOT=${q(pyenv)}\nexport PATH="$PYENV_ROOT/shims:$PYENV_ROOT/bin:$PATH"\n`;
    for (const f of ['.profile', '.bashrc']) writeFileSync(join(this.home, f), block, { flag: 'a' });
  }

  private mountScript(): string {
    const lines = ['set -e'];
    for (const d of READ_ONLY)
      if (existsSync(d)) lines.push(`mount --rbind ${d} ${d}`, `mount -o remount,bind,ro ${d}`);
    lines.push(`mount --bind ${q(this.store.certsDir)} /etc/ssl/certs`);
    if (existsSync('/usr/local/share/ca-certificates'))
      lines.push(`mount --bind ${q(this.store.localDir)} /usr/local/share/ca-certificates`);
    const masks = join(this.dir, 'masks');
    mkdirSync(masks);
    MASKS.forEach((m, i) => {
      if (!existsSync(m.path)) return;
      // An empty stand-in per path: reads see nothing; a stray write lands here, where a test can see it.
      const standIn = join(masks, `${i}-${m.path.replace(/\//g, '_')}`);
      if (m.dir) mkdirSync(standIn);
      else writeFileSync(standIn, '');
      lines.push(`mount --bind ${q(standIn)} ${q(m.path)}`);
    });
    lines.push('exec "$@"');
    return lines.join('\n');
  }

  /** Runs a command inside the laptop; the same signature as certifix's `Runner`. */
  readonly run: Runner = (cmd, args, opts: RunOpts = {}) => {
    const env: Record<string, string> = { ...this.env };
    for (const [k, v] of Object.entries(opts.env ?? {}))
      if (v === undefined) delete env[k];
      else env[k] = v;
    const unshare = which('unshare') ?? '/usr/bin/unshare';
    const child = spawn(unshare, ['-m', '--', '/bin/sh', '-c', this.script, 'laptop', cmd, ...args], {
      env,
      cwd: opts.cwd ?? this.home,
      detached: true, // own process group: a timeout kills the client and everything it spawned
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stderr += `\n[laptop] timed out after ${opts.timeoutMs} ms: ${cmd} ${args.join(' ')}`;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, opts.timeoutMs ?? 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  };

  /**
   * Runs `script` in a NEW shell, as a fresh terminal would: 'login' reads /etc/profile and ~/.profile,
   * 'interactive' reads ~/.bashrc (zsh: ~/.zshrc, fish: config.fish). Proves what certifix persisted.
   */
  shell(kind: ShellKind, script: string, opts: RunOpts & { shell?: Shell } = {}): Promise<RunResult> {
    const sh = opts.shell ?? 'bash';
    const flags = sh === 'fish' ? [kind === 'login' ? '-l' : '-i', '-c'] : [kind === 'login' ? '-lc' : '-ic'];
    return this.run(sh, [...flags, script], opts);
  }

  /** Runs the built CLI (`node bin/certifix.js ...`) inside the laptop. */
  certifix(args: readonly string[], opts: RunOpts = {}): Promise<RunResult> {
    return this.run(process.execPath, [join(REPO, 'bin', 'certifix.js'), ...args], opts);
  }

  /** A certifix `Context` whose runner is this laptop. */
  context(): Context {
    return { env: { ...this.env }, home: this.home, cwd: this.home, platform: 'linux', run: this.run };
  }

  /** Host path of a file in HOME. */
  homePath(...rel: string[]): string {
    return join(this.home, ...rel);
  }

  /** Appends to a HOME file as a user would by hand (e.g. a line in ~/.bashrc). */
  async appendHome(rel: string, text: string): Promise<void> {
    mkdirSync(dirname(this.homePath(rel)), { recursive: true });
    await appendFile(this.homePath(rel), text);
  }

  /** Every file in HOME: relative path → sha256 (symlinks: `symlink:<target>`, directories: `dir`). */
  snapshotHome(opts: { ignore?: RegExp } = {}): Promise<Snapshot> {
    return snapshotTree(this.home, opts);
  }

  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
