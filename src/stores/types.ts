import type { Cert } from '../core/cert.ts';
import type { Context } from '../types.ts';

/** What a store file needs from the context. */
export type StoreContext = Pick<Context, 'env' | 'platform' | 'run'> & { sysroot?: string | undefined };

/** The OS-trusted roots, with where they came from. Every OS file exports `systemStore(ctx)` of this shape. */
export interface SystemStore {
  /** CA bundle files read (Linux) or the keychains / stores listed (macOS, Windows). */
  files: string[];
  /** OpenSSL hashed directories searched. */
  dirs: string[];
  certs: Cert[];
}
