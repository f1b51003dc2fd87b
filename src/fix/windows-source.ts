/**
 * Under WSL, the Windows side's roots as a trust source for `fix` (stores/wsl.ts): the company root that
 * group policy pushed to Windows, which WSL's own OpenSSL store does not hold. Offered like the OS store's
 * local roots (the user sees and confirms them); public roots (Mozilla's, the distro's) and Microsoft's own
 * infrastructure roots are left out, as they are for the OS store.
 */
import type { Candidate } from '../core/screen.ts';
import { publicRoots } from '../stores/index.ts';
import { detectWsl, isMicrosoftInfrastructure, windowsRoots } from '../stores/wsl.ts';
import type { Context } from '../types.ts';

interface WindowsCandidates {
  candidates: Candidate[];
  /** sha256 of every root the Windows side trusts (public ones included), to vouch for a chain's anchor. */
  trusted: Set<string>;
  /** What was read, or why nothing was (shown by fix). */
  note: string | null;
}

const cache = new WeakMap<object, Promise<WindowsCandidates>>();

/** The Windows roots to offer; nothing outside WSL or when interop cannot reach powershell.exe. */
export function windowsCandidates(ctx: Context): Promise<WindowsCandidates> {
  let p = cache.get(ctx);
  if (!p) {
    p = read(ctx);
    cache.set(ctx, p);
  }
  return p;
}

async function read(ctx: Context): Promise<WindowsCandidates> {
  const none = (note: string | null): WindowsCandidates => ({ candidates: [], trusted: new Set(), note });
  const wsl = await detectWsl(ctx);
  if (!wsl.wsl) return none(null);
  if (!wsl.powershell)
    return none('WSL: powershell.exe is not reachable (interop off?); the Windows roots were not read');
  const roots = await windowsRoots(ctx, wsl.powershell);
  if (!roots) return none(`WSL: ${wsl.powershell} did not list the Windows stores`);
  const isPublic = await publicRoots(ctx);
  const candidates = roots.trusted
    .filter((c) => c.ca && !isPublic(c) && !isMicrosoftInfrastructure(c))
    .map((cert): Candidate => ({ cert, origin: 'windows-store' }));
  return {
    candidates,
    trusted: new Set(roots.trusted.map((c) => c.sha256)),
    note: `WSL: read the Windows stores through ${roots.source}`,
  };
}
