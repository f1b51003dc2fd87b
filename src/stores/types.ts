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
  /**
   * Roots the OS vendor ships in the store (macOS: SystemRootCertificates.keychain): public by definition, so
   * never "locally added" even when Mozilla does not ship them (Apple's own roots).
   */
  shipped?: readonly Cert[];
}
