/**
 * WSL: a Linux whose OpenSSL store does not see the Windows roots (a company root pushed by group policy, a
 * proxy's root installed by hand in certmgr), while the laptop's proxy intercepts both sides. certifix offers
 * those roots to `fix` as one more source, read from the Windows side through interop.
 *
 * Detection (https://github.com/microsoft/WSL/issues/423): the kernel release names Microsoft
 * (`4.4.0-19041-Microsoft` on WSL 1, `5.15.90.1-microsoft-standard-WSL2` on WSL 2); WSL also sets
 * WSL_DISTRO_NAME in every session and mounts the Windows drive at /mnt/c
 * (https://learn.microsoft.com/windows/wsl/filesystems). Interop (running `powershell.exe` from Linux) can be
 * disabled in /etc/wsl.conf, and the Windows PATH may not be appended; so powershell.exe is looked up on PATH,
 * then at its fixed place under /mnt/c, the way ASP.NET Core's dev-certs reaches it from WSL
 * (https://github.com/dotnet/aspnetcore/pull/64966).
 */
import { readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Cert } from '../core/cert.ts';
import type { Context } from '../types.ts';
import { type PsStores, readStores } from './powershell.ts';

interface WslInfo {
  /** The kernel release says WSL (or WSL_DISTRO_NAME is set). */
  wsl: boolean;
  distro: string | null;
  /** Where the Windows system drive is mounted, when it is. */
  windowsDrive: string | null;
  /** The powershell.exe to run, when interop can reach one. */
  powershell: string | null;
}

type Ctx = Pick<Context, 'env' | 'platform'> & { sysroot?: string | undefined };

/** Paths read, injectable for tests (a fake /proc). */
interface WslPaths {
  osrelease?: string;
  mnt?: string;
}

const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() === true;
const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true;

/** `4.4.0-19041-Microsoft`, `5.15.90.1-microsoft-standard-WSL2`: WSL's kernels say so in their release. */
export function isWslKernel(osrelease: string): boolean {
  return /microsoft|wsl/i.test(osrelease);
}

export async function detectWsl(ctx: Ctx, paths: WslPaths = {}): Promise<WslInfo> {
  const none: WslInfo = { wsl: false, distro: null, windowsDrive: null, powershell: null };
  if (ctx.platform !== 'linux') return none;
  const root = ctx.sysroot ?? '/';
  const osrelease = paths.osrelease ?? join(root, 'proc/sys/kernel/osrelease');
  const release = await readFile(osrelease, 'utf8').catch(() => '');
  const distro = ctx.env.WSL_DISTRO_NAME || null;
  if (!isWslKernel(release.slice(0, 256)) && !distro) return none;
  const mnt = paths.mnt ?? join(root, 'mnt/c');
  const windowsDrive = (await isDir(join(mnt, 'Windows'))) ? mnt : null;
  return { wsl: true, distro, windowsDrive, powershell: await findPowershell(ctx, windowsDrive) };
}

async function findPowershell(ctx: Ctx, drive: string | null): Promise<string | null> {
  for (const dir of (ctx.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'powershell.exe');
    if (await isFile(p)) return p;
  }
  if (!drive) return null;
  const fixed = join(drive, 'Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
  return (await isFile(fixed)) ? fixed : null;
}

interface WindowsRoots extends PsStores {
  /** Where they were read from, for the plan and status. */
  source: string;
}

/**
 * The Windows stores through powershell.exe, or null when it cannot run (interop off, no Windows side).
 */
export async function windowsRoots(
  ctx: Pick<Context, 'env' | 'run'>,
  powershell: string,
): Promise<WindowsRoots | null> {
  const stores = await readStores(ctx.run, powershell, ctx.env);
  return stores && { ...stores, source: `${powershell} (Cert:\\CurrentUser, Cert:\\LocalMachine)` };
}

/**
 * Roots of Microsoft's own PKI (code signing, Windows Update, time stamping) that every Windows Root store
 * holds and no company proxy issues under: not offered as company roots. Matched on the subject's
 * organisation, as `certutil -store Root` shows it on every Windows install.
 */
export function isMicrosoftInfrastructure(c: Cert): boolean {
  return /(?:^|, )O=Microsoft (?:Corporation|Trust Network)(?:,|$)/.test(c.subject);
}
