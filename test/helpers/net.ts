/** Loopback plumbing shared by the lab's servers and proxies. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * The lab's origins by a name that is not loopback: only the lab's proxies resolve it (to LOOPBACK), as a
 * company's proxy resolves the outside world for laptops that have no DNS of their own for it. Clients
 * that never proxy loopback (Go, Ruby, Java's default http.nonProxyHosts) do go through a proxy for it.
 * `.test` is reserved (RFC 2606): no real resolver answers for it, the laptop's included.
 */
export const PROXIED_HOST = 'origin.lab.test';

/** name → address, for the proxies' resolvers (Squid's hosts_file, mitmproxy's server_connect hook). */
export const PROXY_HOSTS: Readonly<Record<string, string>> = { [PROXIED_HOST]: LOOPBACK };

/** An unused loopback port (for daemons that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, LOOPBACK);
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: LOOPBACK });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Waits until `port` accepts connections. Fails early if `child` exits, with its output so far, because a
 * daemon that dies on a config error otherwise looks like a timeout.
 */
export async function waitForPort(
  port: number,
  opts: { child?: ChildProcess; timeoutMs?: number; log?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let delay = 10;
  while (Date.now() < deadline) {
    if (opts.child && opts.child.exitCode !== null)
      throw new Error(
        `exited with ${opts.child.exitCode} before listening on ${port}\n${opts.log?.() ?? ''}`,
      );
    if (await tryConnect(port)) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  throw new Error(
    `nothing listening on ${LOOPBACK}:${port} after ${opts.timeoutMs ?? 20_000} ms\n${opts.log?.() ?? ''}`,
  );
}

/**
 * Runs a daemon (Squid, mitmproxy) under a tiny sh guard that kills it when our end of the guard's stdin
 * closes, so a test process killed mid-run (Ctrl-C, SIGKILL) leaves no proxy behind. The guard exits when
 * the daemon does, so `child.exitCode` still tells a crashed daemon apart. Output is kept for errors.
 */
export function spawnDaemon(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  // Background jobs get /dev/null as stdin unless redirected, hence fd 3.
  const guard = 'exec 3<&0; "$@" </dev/null & p=$!; (cat <&3 >/dev/null; kill -9 $p 2>/dev/null) & wait $p';
  const child = spawn('/bin/sh', ['-c', guard, 'guard', cmd, ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A forgotten stop() must not keep the test process alive; the guard cleans up when it exits.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr])
    (s as unknown as { unref?: () => void })?.unref?.();
  return { child, output: () => out };
}

/** Stops a daemon started by `spawnDaemon` (SIGKILL via its guard), and waits for it. */
export async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.ref();
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** A minimal environment for helper daemons: none of the machine's CA or proxy variables. */
export function daemonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/nonexistent',
    LANG: 'C.UTF-8',
    ...extra,
  };
}
