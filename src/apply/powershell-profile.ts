/**
 * Windows: the PowerShell profiles that carry the managed block, so new PowerShell sessions get the variables
 * even where HKCU\Environment is not re-read (a terminal started before the change, a profile or policy that
 * resets them). `$PROFILE` (CurrentUserCurrentHost) is `<Documents>\PowerShell\Microsoft.PowerShell_profile.ps1`
 * for PowerShell 7 and `<Documents>\WindowsPowerShell\Microsoft.PowerShell_profile.ps1` for Windows PowerShell
 * 5.1 (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_profiles).
 *
 * <Documents> is the user's Documents known folder, which PowerShell takes from
 * `[Environment]::GetFolderPath('MyDocuments')`: OneDrive's folder backup and folder redirection move it, and
 * record the move in the `Personal` value of HKCU\...\Explorer\User Shell Folders (REG_EXPAND_SZ, such as
 * `%USERPROFILE%\OneDrive\Documents`; https://learn.microsoft.com/windows/win32/shell/knownfolderid, FOLDERID_Documents,
 * legacy name "Personal"; a tool that assumed %USERPROFILE%\Documents missed the profile:
 * https://github.com/moonrepo/proto/issues/404). That value is read with reg.exe; without it,
 * %USERPROFILE%\Documents.
 *
 * Only profiles that already exist are edited. Windows client's default execution policy is Restricted, under
 * which PowerShell refuses to run any profile and prints an error at every start
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_execution_policies):
 * creating a profile there would only add that error. An existing profile means profiles run (or the user
 * already sees the error).
 */
import { join } from 'node:path';
import type { Context, Runner } from '../types.ts';
import { readValue } from './registry.ts';

const SHELL_FOLDERS_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders';

const PROFILE_FILE = 'Microsoft.PowerShell_profile.ps1';
/** PowerShell 7's and Windows PowerShell 5.1's profile directories under Documents. */
const PROFILE_DIRS = { powershell: 'PowerShell', windowspowershell: 'WindowsPowerShell' } as const;

type Ctx = Pick<Context, 'env' | 'home'>;

/** %NAME% references expanded from the environment (names are case-insensitive on Windows); unknown kept. */
export function expandWindows(value: string, env: NodeJS.ProcessEnv): string {
  const lower = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  return value.replace(/%([^%]+)%/g, (m, name: string) => lower.get(name.toLowerCase()) ?? m);
}

/** The Documents folder: the registry's `Personal` value when it is set and absolute after expansion. */
export async function documentsDir(ctx: Ctx, run: Runner | null): Promise<string> {
  const fallback = join(ctx.env.USERPROFILE || ctx.home, 'Documents');
  if (!run) return fallback;
  const v = await readValue(run, SHELL_FOLDERS_KEY, 'Personal').catch(() => null);
  if (!v || !/^REG_(EXPAND_)?SZ$/.test(v.type)) return fallback;
  const path = expandWindows(v.data.trim(), ctx.env);
  return /^(?:[A-Za-z]:\\|\\\\)/.test(path) && !path.includes('%') ? path : fallback;
}

/** Is `path` one of the two profile files (whatever Documents is)? For the write guard. */
export function isProfilePath(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const dir = parts[parts.length - 2];
  return (
    parts[parts.length - 1] === PROFILE_FILE &&
    (dir === PROFILE_DIRS.powershell || dir === PROFILE_DIRS.windowspowershell)
  );
}

export function profilePath(documents: string, which: keyof typeof PROFILE_DIRS): string {
  return join(documents, PROFILE_DIRS[which], PROFILE_FILE);
}
