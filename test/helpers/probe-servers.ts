/**
 * Servers for the probe tests: TLS endpoints bound to chosen loopback addresses (Linux routes all of 127/8 to
 * lo, so 127.0.0.1 and 127.0.0.2 can share a port, like two backends behind one name), and a TCP relay that
 * alternates between two backends per connection (selective interception seen from one address).
 */
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Issued } from './pki.ts';

export interface Bound {
  port: number;
  /** SNI names received, one per handshake that sent one. */
  servernames: string[];
  close(): Promise<void>;
}

function track(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A TLS server on `host:port` (port 0 = any) sending `chain`, keyed by `chain[0]`'s key. */
export async function tlsOn(host: string, port: number, chain: Issued[]): Promise<Bound> {
  const servernames: string[] = [];
  const server = createTlsServer(
    {
      key: (chain[0] as Issued).keyPem,
      cert: chain.map((c) => c.pem).join(''),
      SNICallback: (name, cb) => {
        servernames.push(name);
        cb(null, undefined);
      },
    },
    (s) => s.end(),
  );
  server.on('tlsClientError', () => {}); // the capture hangs up after the Certificate
  const close = track(server);
  return { port: await listen(server, host, port), servernames, close };
}

/** Relay connection i to backends[i % n]: one address, chains that change from one connection to the next. */
export async function alternating(
  host: string,
  port: number,
  backends: Array<{ host: string; port: number }>,
): Promise<Bound> {
  let i = 0;
  const server = createNetServer((client) => {
    const up = connect(backends[i++ % backends.length] as { host: string; port: number });
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.pipe(up).pipe(client);
  });
  const close = track(server);
  return { port: await listen(server, host, port), servernames: [], close };
}

/** Two servers on the same port, at 127.0.0.1 and 127.0.0.2; retries if the port is taken on .2. */
export async function pairOnOnePort(a: Issued[], b: Issued[]): Promise<[Bound, Bound]> {
  for (let attempt = 0; ; attempt++) {
    const first = await tlsOn('127.0.0.1', 0, a);
    try {
      return [first, await tlsOn('127.0.0.2', first.port, b)];
    } catch (e) {
      await first.close();
      if (attempt > 5) throw e;
    }
  }
}
