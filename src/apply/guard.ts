/**
 * `sudo certifix` runs in other users' homes, so everything found there is untrusted input: the journal
 * (which tells undo what to write where), the lock, and any symlink in certifix's own directory. The rules:
 * - undo writes only where fix may write: HOME's dotfiles and dot-directories, the XDG directories, the
 *   files the clients' own variables name (GIT_CONFIG_GLOBAL, NPM_CONFIG_USERCONFIG, PIP_CONFIG_FILE, WGETRC,
 *   AWS_CONFIG_FILE, the Gradle user home's gradle.properties), certifix's data directory, its own file in the
 *   Docker daemon's certs.d, and a JDK's cacerts the user asked certifix to import into (javaKeystore below).
 *   A journal naming anything else is refused before
 *   anything is changed (`assertJournalPaths` in journal.ts).
 * - as root, the journal and lock must belong to HOME's owner (or a user could plant one for root to obey).
 * - nothing in the data directory is written or read through a symlink (bundle.pem -> /etc/shadow).
 * A user's own symlinked dotfiles (~/.bashrc -> ~/dotfiles/bashrc) are followed as before: their target is
 * recorded, and must still be where the link points.
 */
import { constants, statSync } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { readStreamBounded } from '../bounded.ts';
import { gradleUserHome } from '../clients/gradle-settings.ts';
import { CertifixError } from '../core/errors.ts';
import { sys } from '../host-files.ts';
import type { Context } from '../types.ts';
import { assertNotSymlink, isRoot, resolveTarget } from './atomic.ts';
import { certifixPaths, configHome, dataDir, zdotdir } from './paths.ts';
import { isProfilePath } from './powershell-profile.ts';

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & Partial<Pick<Context, 'sysroot'>>;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** `p` is `dir` or inside it (both absolute, normalized). */
export function within(p: string, dir: string): boolean {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r) && !r.split(sep).includes('..'));
}

/** The places certifix may write, for this HOME and environment. */
function writableRoots(ctx: Ctx): { trees: string[]; files: string[] } {
  const xdgData = ctx.env.XDG_DATA_HOME;
  const trees = [dataDir(ctx), configHome(ctx)];
  if (xdgData && isAbsolute(xdgData)) trees.push(xdgData);
  const files = [
    'GIT_CONFIG_GLOBAL',
    'NPM_CONFIG_USERCONFIG',
    'npm_config_userconfig',
    'PIP_CONFIG_FILE',
    // wget's user wgetrc and botocore's config file, when moved (wget.ts, boto3.ts).
    'WGETRC',
    'AWS_CONFIG_FILE',
  ]
    .map((n) => ctx.env[n])
    .filter((v): v is string => Boolean(v) && isAbsolute(v as string));
  // Gradle's user gradle.properties, when -Dgradle.user.home or GRADLE_USER_HOME moves it out of ~/.gradle.
  files.push(join(gradleUserHome(ctx), 'gradle.properties'));
  // macOS: the LaunchAgent that sets the variables for GUI apps (launchd.ts).
  if (ctx.platform === 'darwin') trees.push(join(ctx.home, 'Library', 'LaunchAgents'));
  // Windows: pip's user config directory, %APPDATA%\pip (windows.ts).
  if (ctx.platform === 'win32')
    trees.push(join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), 'pip'));
  // zsh's dotfiles live in $ZDOTDIR when set.
  const zdot = zdotdir(ctx);
  if (zdot !== ctx.home) files.push(resolve(zdot, '.zshenv'));
  return { trees: trees.map((t) => resolve(t)), files: files.map((f) => resolve(f)) };
}

/**
 * The Docker daemon's certs.d (docker.ts): only certifix's own file in a registry's directory, that directory
 * and certs.d itself (created on the way), and only for a journal in a HOME owned by this process's user: as
 * root in another user's HOME, a journal that user wrote must not put roots where root's daemon reads them.
 */
function dockerCertsD(p: string, ctx: Ctx): boolean {
  const dir = resolve(sys(ctx, '/etc/docker/certs.d'));
  if (!within(p, dir)) return false;
  if (statSync(ctx.home, { throwIfNoEntry: false })?.uid !== process.getuid?.()) return false;
  const parts = relative(dir, p).split(sep).filter(Boolean);
  return parts.length <= 1 || (parts.length === 2 && parts[1] === 'certifix-ca.crt');
}

/**
 * A JDK's own keystore, imported into only on request (`fix --java-cacerts`, apply/cacerts.ts): a Java home's
 * lib/security/cacerts or jssecacerts (jre/lib/security in JDK 8), or Debian's /etc/ssl/certs/java/cacerts,
 * which Debian's JDKs link theirs to. Only a file (once gone: a directory) this process's user owns, and only
 * for a journal in a HOME that user owns: as root in another user's HOME, a journal that user wrote must not
 * decide what root's JVMs trust (`sudo -H` gives root its own HOME).
 */
function javaKeystore(p: string, ctx: Ctx): boolean {
  if (basename(p) !== 'cacerts' && basename(p) !== 'jssecacerts') return false;
  const dir = dirname(p);
  if (!dir.endsWith(`${sep}lib${sep}security`) && dir !== resolve(sys(ctx, '/etc/ssl/certs/java')))
    return false;
  const uid = process.getuid?.();
  const owner = (statSync(p, { throwIfNoEntry: false }) ?? statSync(dir, { throwIfNoEntry: false }))?.uid;
  return uid !== undefined && owner === uid && statSync(ctx.home, { throwIfNoEntry: false })?.uid === uid;
}

/** May certifix write `path`? HOME itself only through a dotfile or dot-directory. */
export function mayWrite(path: string, ctx: Ctx): boolean {
  const p = resolve(path);
  const home = resolve(ctx.home);
  const { trees, files } = writableRoots(ctx);
  if (files.includes(p)) return true;
  if (dockerCertsD(p, ctx)) return true;
  if (javaKeystore(p, ctx)) return true;
  // Windows: the PowerShell profiles, wherever Documents is (OneDrive, redirection: powershell-profile.ts).
  if (ctx.platform === 'win32' && isProfilePath(p)) return true;
  if (trees.some((t) => within(p, t))) return true;
  // A directory certifix created on the way to one of those (~/Library, ~/Library/Application Support).
  if (p !== home && within(p, home) && trees.some((t) => within(t, p))) return true;
  if (!within(p, home) || p === home) return false;
  return (relative(home, p).split(sep)[0] as string).startsWith('.');
}

/** The uid HOME belongs to (what root must act for). */
async function homeOwner(ctx: Ctx): Promise<number | null> {
  try {
    return (await stat(ctx.home)).uid;
  } catch {
    return null;
  }
}

/** As root: refuse a file in HOME that HOME's owner does not own (someone else planted it). */
export async function assertOwnedByHomeOwner(path: string, ctx: Ctx, what: string): Promise<void> {
  if (!isRoot()) return;
  const owner = await homeOwner(ctx);
  let uid: number;
  try {
    uid = (await lstat(path)).uid;
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  if (owner !== null && uid !== owner) {
    throw new CertifixError(
      'REFUSED',
      `${what} ${path} belongs to uid ${uid}, not to ${ctx.home}'s owner (uid ${owner}); refusing to use it as root`,
      { hint: `check who created it; remove it if it is not yours, then run certifix again` },
    );
  }
}

/** A path inside certifix's data directory (bundle, journal, lock, backups, roots). */
function inDataDir(path: string, ctx: Ctx): boolean {
  return within(resolve(path), resolve(certifixPaths(ctx).dir));
}

/**
 * Read a file of our own without following a symlink (O_NOFOLLOW: ELOOP on a link), bounded, only when it is
 * a regular file. Null when it does not exist.
 */
export async function readOwnFile(path: string, limit: number): Promise<Buffer | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO in its place is refused below instead of blocking the open.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return null;
    if (code(e) === 'ELOOP') await assertNotSymlink(path);
    throw e;
  }
  try {
    if (!(await fh.stat()).isFile())
      throw new CertifixError('REFUSED', `${path} is not a regular file; certifix only reads its own files`);
    return await readStreamBounded(fh.createReadStream({ autoClose: false }), path, limit);
  } finally {
    await fh.close();
  }
}

/** Before certifix uses its data directory: no symlinks, and as root, nothing a stranger put there. */
export async function assertDataDirSafe(ctx: Ctx): Promise<void> {
  const paths = certifixPaths(ctx);
  await assertNotSymlink(paths.dir, 'certifix’s data directory');
  for (const p of [paths.bundle, paths.journal, paths.lock, paths.backups]) await assertNotSymlink(p);
  await assertOwnedByHomeOwner(paths.dir, ctx, 'the certifix data directory');
  await assertOwnedByHomeOwner(paths.journal, ctx, 'the certifix journal');
  await assertOwnedByHomeOwner(paths.lock, ctx, 'the certifix lock');
}

/**
 * Where a plan's write really lands. Files in the data directory are never followed through a symlink; as
 * root, a symlinked dotfile may only lead to a file HOME's owner owns (not to /etc/profile).
 */
export async function writeTarget(path: string, ctx: Ctx): Promise<string> {
  if (inDataDir(path, ctx)) {
    await assertNotSymlink(path);
    return resolve(path);
  }
  const target = await resolveTarget(path);
  if (target !== resolve(path)) await assertOwnedByHomeOwner(target, ctx, `the target of the link ${path},`);
  return target;
}
