/**
 * Node's own view of the OS store: `tls.getCACertificates('system')` (v22.15.0 / v23.10.0,
 * https://nodejs.org/api/tls.html#tlsgetcacertificatestype), the roots `--use-system-ca` adds: the keychains'
 * trusted roots on macOS, the Root stores on Windows. Feature-detected, and used only when this process runs
 * on the platform being examined: a test that simulates macOS on Linux must not get Linux's store.
 * On Linux certifix reads OpenSSL's files itself (stores/linux.ts), because there Node's 'system' list is
 * not what the other clients trust. Node's Linux support (nodejs/node#57009, v23.9.0 / v22.15.0: "load from
 * the OpenSSL default certificate file and directory ... caches the certificates on first load") reads, in
 * src/crypto/crypto_context.cc, X509_get_default_cert_file() or this process's SSL_CERT_FILE, and *every
 * file* in X509_get_default_cert_dir() or SSL_CERT_DIR (https://github.com/nodejs/node/pull/57009):
 * - the defaults are those of the OpenSSL inside that Node: official builds link their own, with OPENSSLDIR
 *   /etc/ssl (so /etc/ssl/cert.pem, absent on Debian, and /etc/ssl/certs: the official 24.22.3 binary on
 *   Debian 12 opens /etc/ssl/cert.pem, ENOENT, then each file of /etc/ssl/certs, under strace), while the system's OpenSSL, which
 *   Python, curl and git use, says /usr/lib/ssl on Debian; one Node's answer is not the OS store of the others;
 * - it reads this process's environment once, not the context's env or a sysroot (the laptop under test);
 * - it loads every file of the directory, where OpenSSL's by_dir (what clients verify with) finds only
 *   `<subject hash>.N` names: a root dropped into /etc/ssl/certs without `c_rehash` is trusted by one and not
 *   the other, which is exactly what diagnosis must tell apart;
 * - it returns the list, not the file paths the clients' verdicts and the fix plan name.
 * It is the right source where Node itself is the client being modelled with NODE_USE_SYSTEM_CA, and on Windows,
 * where Node reads the platform store and certifix has no other reader in-process. Not on macOS: there Node
 * lists only the keychains' trusted certificates, without Apple's roots (stores/darwin.ts).
 */
import type { StoreContext } from './types.ts';

type GetCACertificates = (type: 'system' | 'bundled' | 'default' | 'extra') => string[];

/**
 * `tls.getCACertificates` where this Node has it (>= 22.15 / 23.10), else undefined. Looked up through
 * process.getBuiltinModule (>= 20.16, so on every Node that has the function): a named import of it fails to
 * link where it is missing, and a namespace import would load node:tls with this module, where the CLI loads
 * a builtin on first use (a diagnose answering from its caches never needs node:tls).
 */
export function getCACertificates(): GetCACertificates | undefined {
  const tls = process.getBuiltinModule?.('node:tls') as { getCACertificates?: unknown } | undefined;
  return typeof tls?.getCACertificates === 'function'
    ? (tls.getCACertificates as GetCACertificates)
    : undefined;
}

/** PEMs of the OS store as Node reads it, or null where Node cannot or the platform is simulated. */
export function nativeSystemPems(ctx: Pick<StoreContext, 'platform'>): readonly string[] | null {
  const get = getCACertificates();
  if (!get || ctx.platform !== process.platform) return null;
  return get('system');
}
