/**
 * The Windows stores as PowerShell lists them: for Windows without Node's native reader and without a usable
 * `reg.exe`, and for WSL, where `powershell.exe` is the Windows side reached through interop (stores/wsl.ts).
 *
 * The certificate provider's logical stores (`Cert:\LocalMachine\Root`, ...) already merge their physical
 * stores: `.Default`, `.GroupPolicy` and `.Enterprise` for LocalMachine, and CurrentUser's view adds the
 * machine's (https://learn.microsoft.com/windows/win32/seccrypto/system-store-locations), so roots pushed by
 * group policy or enterprise enrolment are in these listings.
 *
 * Each certificate is printed as PEM, `[Convert]::ToBase64String($_.RawData, 'InsertLineBreaks')` between the
 * marker lines: the exact form people already use to carry Windows roots into WSL and Node
 * (https://github.com/microsoft/WSL/issues/3161, https://github.com/ukoloff/win-ca/issues/55).
 * InsertLineBreaks breaks every 76 characters with CRLF
 * (https://learn.microsoft.com/dotnet/api/system.base64formattingoptions), and PowerShell ends each output
 * line with CRLF, so the parser takes both line ends. A `# Cert:\<location>\<store>` line heads each store.
 */
import { type Cert, uniqueCerts } from '../core/cert.ts';
import type { Runner } from '../types.ts';
import { parsePemCached } from './pem.ts';

/** Stores listed: the trusted roots, the intermediates, and the distrusted ("Untrusted Certificates"). */
const PS_STORES = {
  trusted: ['CurrentUser\\Root', 'LocalMachine\\Root', 'LocalMachine\\AuthRoot'],
  intermediate: ['CurrentUser\\CA', 'LocalMachine\\CA'],
  disallowed: ['CurrentUser\\Disallowed', 'LocalMachine\\Disallowed'],
} as const;

const ALL = [...PS_STORES.trusted, ...PS_STORES.intermediate, ...PS_STORES.disallowed];

/** The script: one header line per store, then its certificates as PEM. Store names are ours (no input). */
function listScript(stores: readonly string[] = ALL): string {
  const list = stores.map((s) => `'${s}'`).join(',');
  return [
    "$ErrorActionPreference = 'SilentlyContinue'",
    `foreach ($s in @(${list})) {`,
    '  "# Cert:\\$s"',
    '  Get-ChildItem -Path "Cert:\\$s" | Where-Object { $_.RawData } | ForEach-Object {',
    "    '-----BEGIN CERTIFICATE-----'",
    "    [Convert]::ToBase64String($_.RawData, 'InsertLineBreaks')",
    "    '-----END CERTIFICATE-----'",
    '  }',
    '}',
  ].join('\n');
}

/** `powershell.exe` arguments: no profile (a user's profile may print), no prompts. */
export function listArgs(stores?: readonly string[]): string[] {
  return ['-NoProfile', '-NonInteractive', '-Command', listScript(stores)];
}

/** Per store (`CurrentUser\Root`), the certificates printed under its header. */
export function parseStoreListing(stdout: string): Map<string, Cert[]> {
  const out = new Map<string, Cert[]>();
  const text = stdout.replace(/^\uFEFF/, '');
  const heads = [...text.matchAll(/^# Cert:\\(\S+)\s*$/gm)];
  heads.forEach((h, i) => {
    const end = heads[i + 1]?.index ?? text.length;
    const body = text.slice((h.index ?? 0) + h[0].length, end);
    out.set(h[1] as string, parsePemCached(body));
  });
  return out;
}

export interface PsStores {
  /** Roots Windows trusts for TLS: the Root and AuthRoot stores minus every Disallowed certificate. */
  trusted: Cert[];
  /** Intermediate CAs (the CA stores): help complete chains, never anchors. */
  intermediate: Cert[];
  disallowed: Cert[];
}

/** Split a listing into trusted, intermediate and distrusted, Disallowed winning as in Windows. */
export function classify(listing: Map<string, Cert[]>): PsStores {
  const pick = (names: readonly string[]) => uniqueCerts(names.flatMap((n) => listing.get(n) ?? []));
  const disallowed = pick(PS_STORES.disallowed);
  const denied = new Set(disallowed.map((c) => c.sha256));
  return {
    trusted: pick(PS_STORES.trusted).filter((c) => !denied.has(c.sha256)),
    intermediate: pick(PS_STORES.intermediate).filter((c) => !denied.has(c.sha256)),
    disallowed,
  };
}

/**
 * Run the listing with `exe` (`powershell.exe`, or its path under /mnt/c from WSL) and classify it; null when
 * PowerShell cannot run or lists no store. Bounded: 60 s, and the runner's output limit.
 */
export async function readStores(run: Runner, exe: string, env: NodeJS.ProcessEnv): Promise<PsStores | null> {
  const r = await run(exe, listArgs(), { env, timeoutMs: 60_000 }).catch(() => null);
  if (r?.code !== 0) return null;
  const listing = parseStoreListing(r.stdout);
  return listing.size > 0 ? classify(listing) : null;
}
