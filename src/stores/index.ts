/**
 * The OS store, chosen once per platform with a lazy import() so macOS/Windows code never loads on Linux
 * (truststore's _api.py dispatch).
 */
import type { Cert } from '../core/cert.ts';
import { distroShippedRoots } from './distro-public.ts';
import { isMozillaRoot } from './mozilla.ts';
import type { StoreContext, SystemStore } from './types.ts';

export { loadTrust } from './load.ts';
export { isMozillaRoot, mozillaRoots } from './mozilla.ts';
export type { StoreContext } from './types.ts';

type StoreModule = { systemStore(ctx: StoreContext): Promise<SystemStore> };
const modules = new Map<string, Promise<StoreModule>>();

function storeFor(platform: NodeJS.Platform): Promise<StoreModule> {
  let m = modules.get(platform);
  if (!m) {
    m =
      platform === 'darwin'
        ? import('./darwin.ts')
        : platform === 'win32'
          ? import('./win32.ts')
          : import('./linux.ts'); // Linux and the BSDs: OpenSSL files
    modules.set(platform, m);
  }
  return m;
}

/** The roots the operating system trusts. */
export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  return (await storeFor(ctx.platform)).systemStore(ctx);
}

/** A predicate for public roots: Mozilla's (Node's list) or shipped by the distro itself. */
export async function publicRoots(ctx: StoreContext): Promise<(c: Cert) => boolean> {
  const distro = new Set((await distroShippedRoots(ctx.sysroot)).map((c) => c.sha256));
  return (c) => isMozillaRoot(c) || distro.has(c.sha256);
}

/** The store's roots that are neither public (`isPublic`) nor shipped by the OS vendor (Apple's roots). */
export function localOf(store: SystemStore, isPublic: (c: Cert) => boolean): Cert[] {
  const shipped = new Set(store.shipped?.map((c) => c.sha256));
  return store.certs.filter((c) => !isPublic(c) && !shipped.has(c.sha256));
}

/** Roots the OS trusts that Mozilla does not ship: a company root, a proxy's CA, mkcert's CA. */
export async function localRoots(ctx: StoreContext): Promise<Cert[]> {
  const [store, isPublic] = await Promise.all([systemStore(ctx), publicRoots(ctx)]);
  return localOf(store, isPublic);
}
