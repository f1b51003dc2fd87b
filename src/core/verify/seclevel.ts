/**
 * OpenSSL security levels as data, and the effective level of the system OpenSSL read from what it loads.
 *
 * A TLS client's verification runs at the SSL security level (`SSL_CTX_get_security_level`, handed to
 * `X509_VERIFY_PARAM_set_auth_level`); at level >= 1 `check_key_level`/`check_sig_level` reject keys and
 * signature digests below the level's bits (crypto/x509/x509_vfy.c, OpenSSL 3.0). The level is, in order:
 * 1. the library's compiled default (`OPENSSL_TLS_SECURITY_LEVEL`, 1 upstream in 3.0: ssl/ssl_cert.c; Debian
 *    and Ubuntu build 3.0 with `-DOPENSSL_TLS_SECURITY_LEVEL=2`, debian/rules, so Debian's system OpenSSL is 2),
 * 2. `@SECLEVEL=N` in the `CipherString` of the config's `system_default` section, applied by SSL_CTX_new
 *    (ssl/ssl_mcnf.c `ssl_ctx_system_config`; the config is OPENSSL_CONF or OPENSSLDIR/openssl.cnf,
 *    crypto/conf/conf_mod.c `CONF_get1_default_config_file`),
 * 3. the application's own cipher string: CPython >= 3.10 starts every context with
 *    `@SECLEVEL=2:ECDH+AESGCM:...` (`_ssl._DEFAULT_CIPHERS`, Modules/_ssl.c PY_SSL_DEFAULT_CIPHER_STRING).
 * Node uses its bundled OpenSSL (level 1) and reads only the `nodejs_conf` section of OPENSSL_CONF unless
 * started with --openssl-shared-config (https://nodejs.org/api/cli.html#--openssl-shared-config).
 */

import { dirname, isAbsolute, join } from 'node:path';
import { readFileBoundedSync } from '../../bounded.ts';

/**
 * Compiled-in default level and OPENSSLDIR of the system OpenSSL per distribution (/etc/os-release ID).
 * Debian: https://salsa.debian.org/debian/openssl/-/blob/debian/bookworm/debian/rules (CONFARGS
 * -DOPENSSL_TLS_SECURITY_LEVEL=2), OPENSSLDIR /usr/lib/ssl; Fedora/RHEL: level from crypto-policies through
 * an .include of /etc/crypto-policies/back-ends/opensslcnf.config, OPENSSLDIR /etc/pki/tls.
 */
const DISTROS: ReadonlyArray<{ ids: readonly string[]; level: number; dir: string }> = [
  { ids: ['debian', 'ubuntu'], level: 2, dir: '/usr/lib/ssl' },
  { ids: ['fedora', 'rhel', 'centos', 'rocky', 'almalinux'], level: 1, dir: '/etc/pki/tls' },
  { ids: ['alpine', 'arch', 'opensuse', 'sles'], level: 1, dir: '/etc/ssl' },
];
const UPSTREAM = { level: 1, dir: '/usr/local/ssl' };

type Sections = Map<string, Map<string, string>>;

const MAX_FILE = 1 << 20;
const MAX_FILES = 32;

/** Parse an openssl.cnf (NCONF syntax, `.include` followed through `read`) into sections. */
async function parseConf(
  path: string,
  read: (p: string) => Promise<string | null>,
  into: Sections = new Map([['default', new Map()]]),
  budget = { files: MAX_FILES },
): Promise<Sections> {
  if (--budget.files < 0) return into;
  const text = await read(path);
  if (text === null) return into;
  let section = into.get('default') as Map<string, string>;
  for (const raw of text.slice(0, MAX_FILE).split(/\r?\n/)) {
    const line = raw.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (!line) continue;
    const inc = /^\.include\s*=?\s*(.+)$/.exec(line);
    if (inc?.[1]) {
      const target = inc[1].trim();
      await parseConf(isAbsolute(target) ? target : join(dirname(path), target), read, into, budget);
      continue;
    }
    const sec = /^\[\s*([^\]\s]+)\s*\]$/.exec(line);
    if (sec?.[1]) {
      section = into.get(sec[1]) ?? new Map();
      into.set(sec[1], section);
      continue;
    }
    const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (kv?.[1]) section.set(kv[1], (kv[2] ?? '').replace(/^"(.*)"$/, '$1'));
  }
  return into;
}

/**
 * The `@SECLEVEL=N` the config applies to every new SSL_CTX for `app` ('openssl_conf' for applications,
 * 'nodejs_conf' for Node), or undefined when it sets none. Pure.
 */
function securityLevelFromConfig(conf: Sections, app = 'openssl_conf'): number | undefined {
  const init = conf.get(conf.get('default')?.get(app) ?? '');
  const ssl = conf.get(init?.get('ssl_conf') ?? '');
  const sys = conf.get(ssl?.get('system_default') ?? '');
  const cipher = sys?.get('CipherString');
  const m = cipher ? /@SECLEVEL=(\d)/.exec(cipher) : null;
  return m ? Number(m[1]) : undefined;
}

interface OpensslLevelSource {
  level: number;
  /** 'compiled' (the library's default) or 'config' (a CipherString @SECLEVEL). */
  from: 'compiled' | 'config';
  /** The config file consulted. */
  config: string;
  why: string;
}

/** A config file's text, or null (unreadable, or past MAX_FILE: not a config file). Synchronous: see host-files.ts. */
async function boundedRead(p: string): Promise<string | null> {
  try {
    return readFileBoundedSync(p, MAX_FILE).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The effective security level of the system OpenSSL (curl, git on OpenSSL, Python before its own cipher
 * string): the distro's compiled default, overridden by OPENSSL_CONF or OPENSSLDIR/openssl.cnf. System paths
 * are read under `sysroot` so tests can point them elsewhere; OPENSSL_CONF is taken as given.
 */
export async function opensslSecurityLevel(
  ctx: { env: NodeJS.ProcessEnv; sysroot?: string | undefined },
  read: (path: string) => Promise<string | null> = boundedRead,
): Promise<OpensslLevelSource> {
  const sys = (p: string) => (ctx.sysroot ? join(ctx.sysroot, p) : p);
  const osRelease = (await read(sys('/etc/os-release'))) ?? '';
  const ids = [
    ...(/^ID="?([^"\n]+)"?/m.exec(osRelease)?.[1]?.split(/\s+/) ?? []),
    ...(/^ID_LIKE="?([^"\n]+)"?/m.exec(osRelease)?.[1]?.split(/\s+/) ?? []),
  ];
  const distro = DISTROS.find((d) => ids.some((id) => d.ids.includes(id))) ?? UPSTREAM;
  const config = ctx.env.OPENSSL_CONF || sys(join(distro.dir, 'openssl.cnf'));
  const fromConf = securityLevelFromConfig(await parseConf(config, read));
  if (fromConf !== undefined)
    return { level: fromConf, from: 'config', config, why: `${config} sets @SECLEVEL=${fromConf}` };
  return {
    level: distro.level,
    from: 'compiled',
    config,
    why: `${config} sets no @SECLEVEL; the library's compiled default is ${distro.level}`,
  };
}
