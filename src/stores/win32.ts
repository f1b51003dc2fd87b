/**
 * Windows: the machine and user "Trusted Root Certification Authorities" stores (where group policy puts a
 * company root), read with PowerShell's certificate provider
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.security/about/about_certificate_provider).
 * Node >= 22.15 lists the same through `tls.getCACertificates('system')`; we prefer it when present.
 */
import * as tls from 'node:tls';
import { type Cert, certFromDer, uniqueCerts } from '../core/cert.ts';
import { parsePemCached } from './load.ts';
import type { StoreContext, SystemStore } from './types.ts';

/** Stores read, in the order Node's --use-system-ca documents them (https://nodejs.org/api/cli.html#--use-system-ca). */
export const STORES = [
  'Cert:\\LocalMachine\\Root',
  'Cert:\\LocalMachine\\AuthRoot', // third-party roots Windows Update installs on demand
  'Cert:\\CurrentUser\\Root',
] as const;

/** One line per certificate: `<thumbprint> <base64 DER>`. */
export const SCRIPT = `${STORES.map((s) => `'${s}'`).join(',')} | ForEach-Object { Get-ChildItem $_ } | ForEach-Object { $_.Thumbprint + ' ' + [Convert]::ToBase64String($_.RawData) }`;

/** Parse the SCRIPT output; lines that are not a thumbprint + base64 pair are ignored. */
export function parsePowerShell(stdout: string): Cert[] {
  const out: Cert[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^([0-9A-F]{40})\s+([A-Za-z0-9+/=]+)$/.exec(line.trim());
    if (!m?.[2]) continue;
    try {
      out.push(certFromDer(Buffer.from(m[2], 'base64')));
    } catch {
      // an unreadable entry: Windows stores can hold malformed certificates; skip as Node does
    }
  }
  return uniqueCerts(out);
}

export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  const files = [...STORES];
  const get = (tls as { getCACertificates?: (t: string) => string[] }).getCACertificates;
  if (typeof get === 'function') return { files, dirs: [], certs: parsePemCached(get('system').join('\n')) };
  const r = await ctx.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', SCRIPT], {
    env: ctx.env,
    timeoutMs: 30_000,
  });
  return { files, dirs: [], certs: parsePowerShell(r.stdout) };
}
