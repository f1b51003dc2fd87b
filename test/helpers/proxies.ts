/**
 * Real TLS-intercepting proxies on loopback, as a company network runs them: Squid with ssl-bump and
 * mitmproxy. Each re-signs every site with a "corporate" CA (the one IT puts in the OS store) and trusts
 * only the upstream roots it is given.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './has.ts';
import { daemonEnv, freePort, LOOPBACK, PROXY_HOSTS, spawnDaemon, stopDaemon, waitForPort } from './net.ts';
import type { Issued } from './pki.ts';

export interface ProxyOptions {
  /** The interception CA: leaves are minted under it. Put it (or its root) in the laptop's OS store. */
  ca: Issued;
  /**
   * Certificates above `ca`, e.g. [corporateRoot] when `ca` is an intermediate. Squid always sends `ca`
   * (twice, in fact) plus these; mitmproxy sends the bare leaf unless a chain is given, then `ca` + chain.
   */
  chain?: Issued[];
  /** Roots the proxy trusts for upstream (origin) connections. */
  upstreamCAs: Issued[];
}

export interface InterceptingProxy {
  kind: 'squid' | 'mitmproxy';
  port: number;
  /** `http://127.0.0.1:<port>` for https_proxy / --proxy. */
  url: string;
  ca: Issued;
  /** The proxy's own log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function workDir(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `certifix-${kind}-`));
  chmodSync(dir, 0o755);
  return dir;
}

function proxyIds(): { uid: number; gid: number } {
  // Squid drops to cache_effective_user (Debian: `proxy`); its helpers and logs must be writable by it.
  const out = execFileSync('id', ['proxy'], { encoding: 'utf8' });
  return { uid: Number(/uid=(\d+)/.exec(out)?.[1]), gid: Number(/gid=(\d+)/.exec(out)?.[1]) };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

/**
 * Squid 5 (squid-openssl) in ssl-bump mode: peek at the SNI, stare at the server certificate, then bump,
 * so the minted leaf mimics the origin's names (as Zscaler/Netskope do). It sends the signing CA with the
 * leaf, so OpenSSL clients report "self-signed certificate in certificate chain".
 */
export async function startSquid(opts: ProxyOptions): Promise<InterceptingProxy> {
  const squid = which('squid');
  const certgen = which('certgen');
  if (!squid || !certgen) throw new Error('squid-openssl is not installed (apt-get install squid-openssl)');
  const dir = workDir('squid');
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, [opts.ca, ...(opts.chain ?? [])].map((c) => c.pem).join(''));
  writeFileSync(join(dir, 'ca.key'), opts.ca.keyPem);
  writeFileSync(join(dir, 'upstream.pem'), opts.upstreamCAs.map((c) => c.pem).join(''));
  // Squid's own hosts file instead of /etc/hosts (http://www.squid-cache.org/Doc/config/hosts_file/).
  const hosts = Object.entries({ localhost: LOOPBACK, ...PROXY_HOSTS }).map(([n, a]) => `${a} ${n}\n`);
  writeFileSync(join(dir, 'hosts'), hosts.join(''));
  const db = join(dir, 'ssl_db');
  execFileSync(certgen, ['-c', '-s', db, '-M', '4MB'], { stdio: 'pipe' });
  const port = await freePort();
  const conf = [
    `http_port ${LOOPBACK}:${port} ssl-bump generate-host-certificates=on dynamic_cert_mem_cache_size=4MB tls-cert=${caFile} tls-key=${join(dir, 'ca.key')}`,
    `sslcrtd_program ${certgen} -s ${db} -M 4MB`,
    'sslcrtd_children 2 startup=1 idle=1',
    'acl step1 at_step SslBump1',
    'acl step2 at_step SslBump2',
    'ssl_bump peek step1',
    'ssl_bump stare step2',
    'ssl_bump bump all',
    `tls_outgoing_options cafile=${join(dir, 'upstream.pem')}`,
    'http_access allow all',
    'cache deny all',
    'cache_mem 8 MB',
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log stdio:${join(dir, 'cache.log')}`,
    `access_log stdio:${join(dir, 'access.log')}`,
    `coredump_dir ${dir}`,
    'netdb_filename none',
    'visible_hostname certifix-lab',
    'cache_effective_user proxy',
    'shutdown_lifetime 0 seconds',
    'pinger_enable off',
    // Loopback only: no DNS servers needed, the hosts file answers for localhost and PROXY_HOSTS.
    'dns_nameservers 127.0.0.1',
    `hosts_file ${join(dir, 'hosts')}`,
    '',
  ].join('\n');
  const confFile = join(dir, 'squid.conf');
  writeFileSync(confFile, conf);
  mkdirSync(join(dir, 'run'), { recursive: true });
  const { uid, gid } = proxyIds();
  chownTree(dir, uid, gid);
  // -N: stay in the foreground (no daemon, no kid processes); -d1: fatal errors to stderr.
  const { child, output } = spawnDaemon(squid, ['-N', '-d', '1', '-f', confFile], daemonEnv());
  const log = () => {
    let cache = '';
    try {
      cache = execFileSync('tail', ['-n', '40', join(dir, 'cache.log')], { encoding: 'utf8' });
    } catch {}
    return `${output()}\n${cache}`;
  };
  await waitForPort(port, { child, log });
  return {
    kind: 'squid',
    port,
    url: `http://${LOOPBACK}:${port}`,
    ca: opts.ca,
    log,
    async stop() {
      // SIGKILL via the guard (SIGTERM costs ~2 s even with shutdown_lifetime 0); certgen exits on EOF.
      await stopDaemon(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * mitmproxy has no hosts-file option: this addon answers for PROXY_HOSTS by rewriting the address of the
 * upstream connection before it opens (mitmproxy 8 `server_connect` hook, proxy/server.py `open_connection`
 * reads `connection.address` after the hook; https://docs.mitmproxy.org/stable/api/events.html). The SNI and
 * the name the upstream certificate is checked against stay the client's.
 */
const MITM_HOSTS = `HOSTS = ${JSON.stringify(PROXY_HOSTS)}

def server_connect(data):
    host, port = data.server.address
    if host in HOSTS:
        data.server.address = (HOSTS[host], port)
`;

/**
 * mitmproxy (mitmdump) with our CA as `mitmproxy-ca.pem` in a private confdir. It sends the minted leaf
 * plus `chain` only, so with the default (no chain) OpenSSL clients report "unable to get local issuer
 * certificate".
 */
export async function startMitmproxy(opts: ProxyOptions): Promise<InterceptingProxy> {
  const mitmdump = which('mitmdump');
  if (!mitmdump) throw new Error('mitmproxy is not installed (apt-get install mitmproxy)');
  const dir = workDir('mitm');
  // mitmproxy reads key + CA (+ chain) from one file; with more than one certificate it also sends the chain.
  const chain = opts.chain?.length ? [opts.ca, ...opts.chain] : [opts.ca];
  writeFileSync(join(dir, 'mitmproxy-ca.pem'), opts.ca.keyPem + chain.map((c) => c.pem).join(''));
  writeFileSync(join(dir, 'upstream.pem'), opts.upstreamCAs.map((c) => c.pem).join(''));
  writeFileSync(join(dir, 'hosts.py'), MITM_HOSTS);
  const port = await freePort();
  const args = [
    '--scripts',
    join(dir, 'hosts.py'),
    '--listen-host',
    LOOPBACK,
    '--listen-port',
    String(port),
    '--set',
    `confdir=${dir}`,
    '--set',
    `ssl_verify_upstream_trusted_ca=${join(dir, 'upstream.pem')}`,
    '--set',
    'termlog_verbosity=warn',
    '--set',
    'flow_detail=0',
  ];
  const { child, output } = spawnDaemon(mitmdump, args, daemonEnv({ HOME: dir }));
  await waitForPort(port, { child, log: output, timeoutMs: 30_000 });
  return {
    kind: 'mitmproxy',
    port,
    url: `http://${LOOPBACK}:${port}`,
    ca: opts.ca,
    log: output,
    async stop() {
      await stopDaemon(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
