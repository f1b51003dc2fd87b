/** Loopback plumbing shared by the lab's servers and proxies. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

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

/** Spawns a daemon, capturing its output (for error messages) without letting it block on a full pipe. */
export function spawnDaemon(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

/** SIGTERM, then SIGKILL after `graceMs` if it is still there. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
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
