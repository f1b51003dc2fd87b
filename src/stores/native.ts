/**
 * Node's own view of the OS store: `tls.getCACertificates('system')` (v22.15.0 / v23.10.0,
 * https://nodejs.org/api/tls.html#tlsgetcacertificatestype), the roots `--use-system-ca` adds: the keychains'
 * trusted roots on macOS, the Root stores on Windows. Feature-detected, and used only when this process runs
 * on the platform being examined: a test that simulates macOS on Linux must not get Linux's store.
 * On Linux certifix reads OpenSSL's files itself (stores/linux.ts): it needs their paths, honours the
 * laptop's sysroot and SSL_CERT_* from the context, and reads the hashed directory only when asked.
 */
import * as tls from 'node:tls';
import type { StoreContext } from './types.ts';

type GetCACertificates = (type: 'system' | 'bundled' | 'default' | 'extra') => string[];

/** PEMs of the OS store as Node reads it, or null where Node cannot or the platform is simulated. */
export function nativeSystemPems(ctx: Pick<StoreContext, 'platform'>): readonly string[] | null {
  const get = (tls as { getCACertificates?: GetCACertificates }).getCACertificates;
  if (typeof get !== 'function' || ctx.platform !== process.platform) return null;
  return get('system');
}
