/**
 * The laptop's private mount namespace: made once (`unshare -m`), held open by a process that exits when
 * the test process goes away (it waits for EOF on a pipe from us), and entered per command with
 * `nsenter -m`. Inside: the real /etc, /usr, /root, /opt, /var, ... and the repository read-only; /etc/ssl/certs the fake store
 * (overlayfs: shared Mozilla template + this laptop's layer); the machine's global client settings hidden.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from './has.ts';
import { REPO } from './paths.ts';

/** What this machine configures globally and a pristine laptop does not have; each is hidden inside. */
export const MASKS: { path: string; dir?: boolean; why: string }[] = [
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

/**
 * Trees made read-only inside, so neither a bug in certifix nor a tool it runs can touch the real machine
 * (update-ca-certificates' Java hook, for one, writes /var/lib and runs dpkg triggers). /tmp stays
 * writable: the laptop itself lives there.
 */
export const READ_ONLY = ['/etc', '/usr', '/root', '/opt', '/var', '/home', '/srv', REPO];

export interface Layout {
  /** Laptop's private dir for stand-ins and overlay work dirs. */
  dir: string;
  /** Lower layer of /etc/ssl/certs (read-only, shared), or null for no Mozilla roots. */
  lower: string | null;
  /** Upper layer of /etc/ssl/certs (this laptop's). */
  upper: string;
  /** Stands in for /usr/local/share/ca-certificates. */
  localCa: string;
  /** Files hidden inside this laptop only (LaptopOptions.hide). */
  hide?: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function mountScript(l: Layout): string {
  const lines = ['set -e'];
  for (const d of READ_ONLY)
    if (existsSync(d)) lines.push(`mount --rbind ${q(d)} ${q(d)}`, `mount -o remount,bind,ro ${q(d)}`);
  if (l.lower) {
    const work = join(l.dir, 'overlay-work');
    mkdirSync(work, { recursive: true });
    // Where overlayfs is missing, fall back to copying the template into the laptop's layer (~0.5 s).
    lines.push(
      `mount -t overlay overlay -o lowerdir=${q(l.lower)},upperdir=${q(l.upper)},workdir=${q(work)} /etc/ssl/certs 2>/dev/null ||` +
        ` { cp -a ${q(l.lower)}/. ${q(l.upper)}/ && mount --bind ${q(l.upper)} /etc/ssl/certs; }`,
    );
  } else lines.push(`mount --bind ${q(l.upper)} /etc/ssl/certs`);
  // Programs expect a writable /var/tmp: give them the laptop's own.
  const varTmp = join(l.dir, 'var-tmp');
  mkdirSync(varTmp, { recursive: true, mode: 0o1777 });
  if (existsSync('/var/tmp')) lines.push(`mount --bind ${q(varTmp)} /var/tmp`);
  if (existsSync('/usr/local/share/ca-certificates'))
    lines.push(`mount --bind ${q(l.localCa)} /usr/local/share/ca-certificates`);
  const masks = join(l.dir, 'masks');
  mkdirSync(masks, { recursive: true });
  MASKS.forEach((m, i) => {
    if (!existsSync(m.path)) return;
    // An empty stand-in per path: reads see nothing; a stray write lands here, where a test can see it.
    const standIn = join(masks, `${i}-${m.path.replace(/\//g, '_')}`);
    if (m.dir) mkdirSync(standIn, { recursive: true });
    else writeFileSync(standIn, '');
    lines.push(`mount --bind ${q(standIn)} ${q(m.path)}`);
  });
  (l.hide ?? []).forEach((path, i) => {
    if (!existsSync(path)) return;
    // Empty and mode 0644: PATH lookups (the shell's, certifix's) pass over it as over a missing file.
    const standIn = join(masks, `hide-${i}-${path.replace(/\//g, '_')}`);
    writeFileSync(standIn, '', { mode: 0o644 });
    lines.push(`mount --bind ${q(standIn)} ${q(path)}`);
  });
  return lines.join('\n');
}

export class Namespace {
  private constructor(
    private readonly holder: ChildProcess,
    readonly pid: number,
  ) {}

  /** Makes the namespace and waits until every mount is in place. */
  static async create(layout: Layout): Promise<Namespace> {
    const unshare = which('unshare') ?? '/usr/bin/unshare';
    const script = `${mountScript(layout)}\necho ready\nexec cat >/dev/null`;
    const holder = spawn(unshare, ['-m', '--', '/bin/sh', '-c', script], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    holder.stderr?.on('data', (d) => {
      err += d;
    });
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (d) => {
        if (String(d).includes('ready')) resolve();
      });
      holder.on('error', reject);
      holder.on('exit', (code) => reject(new Error(`laptop namespace setup failed (${code}): ${err}`)));
    });
    if (!holder.pid) throw new Error('no pid for the namespace holder');
    // Don't keep the test process alive for it; when that process exits, the pipe closes and `cat` ends.
    holder.unref();
    for (const s of [holder.stdin, holder.stdout, holder.stderr])
      (s as unknown as { unref?: () => void })?.unref?.();
    return new Namespace(holder, holder.pid);
  }

  /** argv prefix that runs a command inside (nsenter execs it: same pid, so timeouts kill the right one). */
  enter(): string[] {
    return [which('nsenter') ?? '/usr/bin/nsenter', '-t', String(this.pid), '-m', '--'];
  }

  async close(): Promise<void> {
    if (this.holder.exitCode !== null || this.holder.signalCode !== null) return;
    const gone = new Promise((r) => this.holder.once('exit', r));
    this.holder.ref(); // keep the event loop alive until it is really gone
    this.holder.stdin?.end();
    await gone;
  }
}
