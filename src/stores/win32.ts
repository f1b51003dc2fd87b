/**
 * Windows: the roots Windows trusts for TLS, minus the ones it distrusts.
 *
 * Trusted: Node >= 22.15 lists them with `tls.getCACertificates('system')`, which follows Chromium's policy
 * for locally trusted certificates: "Trusted Root Certification Authorities" of the local machine, its
 * Enterprise and Group Policy stores, and of the current user and its Group Policy store
 * (https://nodejs.org/api/cli.html#--use-system-ca). Older Node: the same stores read from the registry with
 * `reg query` (reg.exe is on every Windows, and under Wine), where CryptoAPI keeps them
 * (https://learn.microsoft.com/windows/win32/seccrypto/system-store-locations).
 *
 * When reg.exe lists nothing (blocked by policy), PowerShell's certificate provider lists the same stores
 * (stores/powershell.ts).
 *
 * Distrusted: Node does not apply the "Untrusted Certificates" (Disallowed) store on Windows ("distrust ...
 * not currently supported": https://nodejs.org/api/cli.html#--use-system-ca, nodejs/node#58990), but
 * Windows' own verification does; so do we, reading it from the registry the same way.
 */
import { type Cert, certFromDer, uniqueCerts } from '../core/cert.ts';
import { parsePemCached } from './load.ts';
import { nativeSystemPems } from './native.ts';
import { readStores as readPsStores } from './powershell.ts';
import type { StoreContext, SystemStore } from './types.ts';

const HKLM = 'HKLM\\SOFTWARE';
const HKCU = 'HKCU\\Software';

/**
 * Registry homes of the physical stores that make up the logical ones
 * (https://learn.microsoft.com/windows/win32/seccrypto/system-store-locations): the machine's, its
 * Group Policy and Enterprise stores, the user's and the user's Group Policy store.
 */
const LOCATIONS = [
  `${HKLM}\\Microsoft\\SystemCertificates`, // CERT_SYSTEM_STORE_LOCAL_MACHINE
  `${HKLM}\\Policies\\Microsoft\\SystemCertificates`, // CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY
  `${HKLM}\\Microsoft\\EnterpriseCertificates`, // CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE
  `${HKCU}\\Microsoft\\SystemCertificates`, // CERT_SYSTEM_STORE_CURRENT_USER
  `${HKCU}\\Policies\\Microsoft\\SystemCertificates`, // CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY
] as const;

/** Logical stores read as trusted (Root; AuthRoot holds the Microsoft program roots already fetched). */
const TRUSTED_STORES = ['Root', 'AuthRoot'] as const;
const DISALLOWED_STORE = 'Disallowed';

/** `<location>\<store>\Certificates` for every location. */
function storeKeys(store: string): string[] {
  return LOCATIONS.map((l) => `${l}\\${store}\\Certificates`);
}

/** CERT_CERT_PROP_ID: the property of a serialized store element holding the encoded certificate (wincrypt.h). */
const CERT_CERT_PROP_ID = 32;

/**
 * The DER certificate inside a registry `Blob`: a run of serialized properties, each
 * `{ DWORD propId; DWORD encodingType (1); DWORD cb; BYTE data[cb] }`, little-endian, the certificate being
 * property 32 (Wine's CryptoAPI reads the same layout: dlls/crypt32/serialize.c, WINE_CERT_PROP_HEADER).
 */
export function certFromBlob(blob: Buffer): Buffer | null {
  for (let off = 0; off + 12 <= blob.length; ) {
    const id = blob.readUInt32LE(off);
    const cb = blob.readUInt32LE(off + 8);
    const start = off + 12;
    if (start + cb > blob.length) return null;
    if (id === CERT_CERT_PROP_ID) return blob.subarray(start, start + cb);
    off = start + cb;
  }
  return null;
}

/** The `Blob` a store holds for `der` (for tests and for writing fixtures under Wine). */
export function blobFor(der: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(CERT_CERT_PROP_ID, 0);
  head.writeUInt32LE(1, 4);
  head.writeUInt32LE(der.length, 8);
  return Buffer.concat([head, der]);
}

/**
 * Parse `reg query <store>\Certificates /s`: one subkey per certificate (named by its SHA-1 thumbprint) with a
 * `Blob` REG_BINARY value printed as hex (https://learn.microsoft.com/windows-server/administration/windows-commands/reg-query).
 */
export function parseRegStore(stdout: string): Cert[] {
  const out: Cert[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^ {4}Blob {4}REG_BINARY {4}([0-9A-Fa-f]+)\s*$/.exec(line);
    if (!m?.[1]) continue;
    const der = certFromBlob(Buffer.from(m[1], 'hex'));
    if (!der) continue;
    try {
      out.push(certFromDer(der));
    } catch {
      // a malformed entry: Windows stores can hold them; skip, as CryptoAPI's chain engine would
    }
  }
  return uniqueCerts(out);
}

async function readStores(ctx: StoreContext, store: string): Promise<Cert[]> {
  const lists = await Promise.all(
    storeKeys(store).map(async (key) => {
      const r = await ctx.run('reg', ['query', key, '/s'], { env: ctx.env, timeoutMs: 30_000 });
      return r.code === 0 ? parseRegStore(r.stdout) : []; // exit 1: the key does not exist
    }),
  );
  return uniqueCerts(lists.flat());
}

/** Trusted minus distrusted: a certificate listed as Disallowed in any location is not trusted. */
export function withoutDisallowed(trusted: Cert[], disallowed: Cert[]): Cert[] {
  const shas = new Set(disallowed.map((c) => c.sha256));
  return trusted.filter((c) => !shas.has(c.sha256));
}

export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  const native = nativeSystemPems(ctx);
  const disallowedP = readStores(ctx, DISALLOWED_STORE).catch(() => [] as Cert[]);
  let trusted: Cert[];
  let files: string[];
  if (native) {
    trusted = parsePemCached(native.join('\n'));
    files = ['tls.getCACertificates("system")'];
  } else {
    const lists = await Promise.all(TRUSTED_STORES.map((s) => readStores(ctx, s)));
    trusted = uniqueCerts(lists.flat());
    files = TRUSTED_STORES.flatMap(storeKeys);
    if (trusted.length === 0) {
      // No registry listing (reg.exe blocked by policy, or absent): the same stores through PowerShell.
      const ps = await readPsStores(ctx.run, 'powershell.exe', ctx.env);
      if (ps) return { files: ['powershell.exe Cert:\\'], dirs: [], certs: ps.trusted };
    }
  }
  return { files, dirs: [], certs: withoutDisallowed(trusted, await disallowedP) };
}
