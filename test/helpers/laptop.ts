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
import { dirname, join } from 'node:path';
import type { Context, Runner } from '../../src/types.ts';
import { pyenvRoot } from './has.ts';
import { Namespace } from './namespace.ts';
import { type LocalRoot, mozillaTemplate, OsStore } from './os-store.ts';
import { REPO } from './paths.ts';
import type { Issued } from './pki.ts';
import { type Snapshot, snapshotTree } from './snapshot.ts';

export { REPO };

/** The CLI's caches under ~/.cache (or $XDG_CACHE_HOME) of the laptop's HOME: V8 code, CA file indexes, resolutions. */
const CODE_CACHE = /^\.cache\/certifix\/(code-[^/]+|bundles-v\d+|reads-v\d+)(\/|$)/;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

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
  /** The user's login shell ($SHELL); its rc files get the pyenv setup too (default bash). */
  shell?: Shell;
  /**
   * Files of the real machine that this laptop does not have, each replaced inside by an empty file that is
   * not executable (e.g. `/usr/bin/node`, for a laptop whose only Nodes are the ones the test installs).
   */
  hide?: string[];
}

/** Where each shell lives on Debian and the rc files its user has (pyenv's documented setup goes there). */
const SHELLS: Record<Shell, { path: string; rc: string[]; pyenv: (root: string) => string }> = {
  bash: {
    path: '/bin/bash',
    rc: ['.profile', '.bashrc'],
    pyenv: (r) => `\nexport PYENV_ROOT=${q(r)}\nexport PATH="$PYENV_ROOT/shims:$PYENV_ROOT/bin:$PATH"\n`,
  },
  zsh: {
    path: '/bin/zsh',
    rc: ['.zprofile', '.zshrc'],
    pyenv: (r) => `\nexport PYENV_ROOT=${q(r)}\nexport PATH="$PYENV_ROOT/shims:$PYENV_ROOT/bin:$PATH"\n`,
  },
  fish: {
    path: '/usr/bin/fish',
    rc: ['.config/fish/config.fish'],
    pyenv: (r) => `\nset -gx PYENV_ROOT ${q(r)}\nset -gx PATH $PYENV_ROOT/shims $PYENV_ROOT/bin $PATH\n`,
  },
};

export class Laptop {
  readonly dir: string;
  readonly home: string;
  readonly tmp: string;
  readonly store: OsStore;
  /** The clean base environment (plus LaptopOptions.env) every command starts from. */
  readonly env: Record<string, string>;
  private readonly hide: string[];
  private ns: Namespace | undefined;

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
    // pyenv first, as its shell setup puts it; then the Node running the tests when it is not the system's
    // (CI runs the suite on Node 22 and 24 from node_modules/.cache: the laptop's node and npm are that one).
    const path = pyenv ? [join(pyenv, 'shims'), join(pyenv, 'bin')] : [];
    const system = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
    if (!system.includes(dirname(process.execPath))) path.push(dirname(process.execPath));
    path.push(...system);
    this.env = {
      PATH: [...new Set(path)].join(':'),
      HOME: this.home,
      USER: 'root',
      LOGNAME: 'root',
      SHELL: SHELLS[opts.shell ?? 'bash'].path,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      TMPDIR: this.tmp,
      ...(pyenv ? { PYENV_ROOT: pyenv } : {}),
      ...opts.env,
    };
    this.hide = opts.hide ?? [];
    if (opts.dotfiles ?? true) this.writeDotfiles(pyenv, opts.shell ?? 'bash');
  }

  /** Builds the laptop. Needs root, `unshare` and `nsenter` (see `has('sandbox')`). */
  static async create(opts: LaptopOptions = {}): Promise<Laptop> {
    const laptop = new Laptop(opts);
    await laptop.mount();
    return laptop;
  }

  private async mount(): Promise<void> {
    this.ns = await Namespace.create({
      dir: this.dir,
      lower: this.store.withMozilla ? mozillaTemplate().dir : null,
      upper: this.store.certsDir,
      localCa: this.store.localDir,
      hide: this.hide,
    });
  }

  /**
   * IT installs (more) roots into the OS store later: rewrites the store and remounts, so commands started
   * afterwards see it (running ones keep the old view).
   */
  async trustInOs(...roots: (Issued | LocalRoot)[]): Promise<void> {
    await this.ns?.close();
    rmSync(join(this.dir, 'overlay-work'), { recursive: true, force: true });
    this.store.add(...roots.map((r) => ({ name: r.name, pem: r.pem })));
    await this.mount();
  }

  private writeDotfiles(pyenv: string | null, shell: Shell): void {
    if (existsSync('/etc/skel'))
      for (const f of readdirSync('/etc/skel'))
        if (statSync(join('/etc/skel', f)).isFile()) copyFileSync(join('/etc/skel', f), join(this.home, f));
    // https://github.com/pyenv/pyenv#b-set-up-your-shell-environment-for-pyenv (shims only: `pyenv init -`
    // is slow). A zsh or fish user also gets rc files, so zsh never starts its new-user wizard.
    const sh = SHELLS[shell];
    for (const f of new Set([...SHELLS.bash.rc, ...sh.rc])) {
      mkdirSync(dirname(join(this.home, f)), { recursive: true });
      const setup = pyenv ? (SHELLS.bash.rc.includes(f) ? SHELLS.bash : sh).pyenv(pyenv) : '';
      writeFileSync(join(this.home, f), setup, { flag: 'a' });
    }
  }

  /** Runs a command inside the laptop; the same signature as certifix's `Runner`. */
  readonly run: Runner = (cmd, args, opts: RunOpts = {}) => {
    const env: Record<string, string> = { ...this.env };
    for (const [k, v] of Object.entries(opts.env ?? {}))
      if (v === undefined) delete env[k];
      else env[k] = v;
    if (!this.ns) throw new Error('laptop is disposed');
    const [nsenter = 'nsenter', ...enter] = this.ns.enter();
    // Entering the mount namespace moves the process to its root (setns(2), CLONE_NEWNS), so an asked-for
    // directory is entered inside it with `env -C` (nsenter's --wd opens it outside, where getcwd() then
    // fails); without one, commands keep running in / as they always have.
    // By its full path: the command's PATH may be one the test narrowed (no coreutils on it).
    const chdir = opts.cwd ? ['/usr/bin/env', '-C', opts.cwd] : [];
    const child = spawn(nsenter, [...enter, ...chdir, cmd, ...args], {
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
    const timeoutMs = opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stderr += `\n[laptop] timed out after ${timeoutMs} ms: ${cmd} ${args.join(' ')}`;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, timeoutMs);
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

  /**
   * Every file in HOME: relative path → sha256 (symlinks: `symlink:<target>`, directories: `dir`). The CLI's own caches (~/.cache/certifix/code-…, bundles-v3, reads-v2) are left out: a
   * cache, not a change certifix makes to the user's configuration (so are the directories made for it alone).
   */
  async snapshotHome(opts: { ignore?: RegExp } = {}): Promise<Snapshot> {
    const snap = await snapshotTree(this.home, opts);
    const keys = Object.keys(snap);
    for (const k of keys) if (CODE_CACHE.test(k)) delete snap[k];
    for (const dir of ['.cache/certifix', '.cache']) {
      if (snap[dir] === 'dir' && !Object.keys(snap).some((k) => k.startsWith(`${dir}/`))) delete snap[dir];
    }
    return snap;
  }

  async dispose(): Promise<void> {
    await this.ns?.close();
    this.ns = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
