/**
 * The Linux system store is whatever OpenSSL is pointed at: the distro's CA bundle file and hashed directory,
 * unless SSL_CERT_FILE / SSL_CERT_DIR override them (OpenSSL reads both variables in
 * X509_get_default_cert_file_env / _dir_env: https://docs.openssl.org/3.0/man3/SSL_CTX_load_verify_locations/).
 */
import { type Cert, uniqueCerts } from '../core/cert.ts';
import { isDir, isFile, sys } from '../host-files.ts';
import { readBundleSync, readHashDirSync } from './load.ts';
import type { StoreContext, SystemStore } from './types.ts';

/**
 * Distro CA bundle files, first existing wins (as Go and truststore do).
 * Sources: Go crypto/x509 root_linux.go (https://github.com/golang/go/blob/master/src/crypto/x509/root_linux.go),
 * truststore _CA_FILE_CANDIDATES (https://github.com/sethmlarson/truststore/blob/main/src/truststore/_openssl.py).
 */
export const CA_FILES: readonly { path: string; distro: string }[] = [
  // Debian/Ubuntu/Gentoo (update-ca-certificates): root_linux.go
  { path: '/etc/ssl/certs/ca-certificates.crt', distro: 'Debian/Ubuntu/Gentoo' },
  // Fedora/RHEL 6 (update-ca-trust keeps it as a compat link): root_linux.go
  { path: '/etc/pki/tls/certs/ca-bundle.crt', distro: 'Fedora/RHEL' },
  // OpenSUSE/SLES: root_linux.go, truststore
  { path: '/etc/ssl/ca-bundle.pem', distro: 'openSUSE/SLES' },
  // OpenELEC: root_linux.go
  { path: '/etc/pki/tls/cacert.pem', distro: 'OpenELEC' },
  // CentOS/RHEL 7+ (the file update-ca-trust extracts): root_linux.go
  { path: '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', distro: 'CentOS/RHEL 7+' },
  // Alpine, Arch, Fedora 34+, RHEL 9+, OpenWRT: root_linux.go ("Alpine Linux"), truststore ("Alpine, Arch, Fedora 34+")
  { path: '/etc/ssl/cert.pem', distro: 'Alpine/Arch/Fedora 34+' },
  // Fedora <= 34, RHEL <= 9, CentOS <= 9: truststore
  { path: '/etc/pki/tls/cert.pem', distro: 'Fedora <= 34/RHEL <= 9' },
];

/**
 * Hashed certificate directories (c_rehash / openssl rehash).
 * Source: root_linux.go certDirectories.
 */
export const CA_DIRS: readonly { path: string; distro: string }[] = [
  // Debian/Ubuntu, SLES10/SLES11 (https://golang.org/issue/12139): root_linux.go
  { path: '/etc/ssl/certs', distro: 'Debian/Ubuntu/SLES' },
  // Fedora/RHEL: root_linux.go
  { path: '/etc/pki/tls/certs', distro: 'Fedora/RHEL' },
];

interface OpenSslPaths {
  file: string | null;
  /** SSL_CERT_DIR may list several directories (':'-separated), as OpenSSL's by_dir lookup allows. */
  dirs: string[];
  /** 'env' when SSL_CERT_FILE/SSL_CERT_DIR chose them. */
  via: string | undefined;
}

/**
 * Where an OpenSSL-based client looks by default: SSL_CERT_FILE / SSL_CERT_DIR, else the distro files.
 * `compiled` is the library's OPENSSLDIR default (`/usr/lib/ssl` on Debian, whose cert.pem and certs/ link to
 * /etc/ssl/certs): when given and present, it wins over the distro table, because that is what OpenSSL opens.
 */
export async function openSslPaths(
  ctx: Pick<StoreContext, 'env' | 'sysroot'>,
  compiled?: { file: string; dir: string },
): Promise<OpenSslPaths> {
  const envFile = ctx.env.SSL_CERT_FILE || undefined;
  const envDir = ctx.env.SSL_CERT_DIR || undefined;
  let file: string | null = envFile ?? null;
  let dirs: string[] = envDir ? envDir.split(':').filter(Boolean) : [];
  if (!envFile) {
    if (compiled && (await isFile(sys(ctx, compiled.file)))) file = sys(ctx, compiled.file);
    else file = await firstExisting(ctx, CA_FILES, isFile);
  }
  if (!envDir) {
    const dir =
      compiled && (await isDir(sys(ctx, compiled.dir)))
        ? sys(ctx, compiled.dir)
        : await firstExisting(ctx, CA_DIRS, isDir);
    dirs = dir ? [dir] : [];
  }
  const via = [envFile && 'SSL_CERT_FILE', envDir && 'SSL_CERT_DIR'].filter(Boolean).join('+') || undefined;
  return { file, dirs, via };
}

async function firstExisting(
  ctx: Pick<StoreContext, 'sysroot'>,
  table: readonly { path: string }[],
  test: (p: string) => Promise<boolean>,
): Promise<string | null> {
  for (const { path } of table) if (await test(sys(ctx, path))) return sys(ctx, path);
  return null;
}

/**
 * The OS-trusted roots on Linux: the bundle file plus the hashed directory OpenSSL would search. Listing the
 * directory (~150 files) is left until `certs` is read: verification asks it by name instead (`systemIndex`).
 */
export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  const { file, dirs } = await openSslPaths(ctx);
  const files = file ? [file] : [];
  let certs: Cert[] | undefined;
  return {
    files,
    dirs,
    // Listed when asked: diagnosis asks a TrustIndex of these files instead (stores/load.ts systemTrustIndex).
    // A local root added with only a c_rehash link (no update-ca-certificates run) is only in the directory.
    get certs() {
      certs ??= uniqueCerts([...files.flatMap(readBundleSync), ...dirs.flatMap(readHashDirSync)]);
      return certs;
    },
  };
}
