/**
 * Real loopback servers for the net tests: node:tls endpoints, an HTTP CONNECT proxy, and raw TCP peers.
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

export interface Running {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<Running> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TlsServer extends Running {
  /** SNI names the server was asked for, one per handshake that sent one. */
  servernames: string[];
}

/** A node:tls server sending `chain` (PEMs, in this order) for `keyPem`. */
export async function startTls(keyPem: string, chain: string[], opts: TlsOptions = {}): Promise<TlsServer> {
  const servernames: string[] = [];
  const server = createTlsServer(
    {
      key: keyPem,
      cert: chain.join(''),
      // Called only when the ClientHello carries server_name; no context = keep the default one.
      SNICallback: (name, cb) => {
        servernames.push(name);
        cb(null, undefined);
      },
      ...opts,
    },
    (s) => s.end(),
  );
  // Our capture hangs up right after the Certificate: that is expected, not a server failure.
  server.on('tlsClientError', () => {});
  const running = await listen(server, new Set());
  return { ...running, servernames };
}

export interface ProxyServer extends Running {
  /** CONNECT authorities requested, in order. */
  connects: string[];
}

export interface ProxyOptions {
  /** `user:password` the proxy demands (407 otherwise). */
  credentials?: string;
  /** Answer every CONNECT with this status line instead of tunnelling, e.g. `403 Forbidden`. */
  refuse?: string;
}

/** A minimal HTTP CONNECT proxy, the shape of corporate forward proxies (without interception). */
export async function startProxy(opts: ProxyOptions = {}): Promise<ProxyServer> {
  const connects: string[] = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const reply = (status: string, extra = '') => client.end(`HTTP/1.1 ${status}\r\n${extra}\r\n`);
    if (opts.credentials) {
      const want = `Basic ${Buffer.from(opts.credentials).toString('base64')}`;
      if (req.headers['proxy-authorization'] !== want) {
        return reply('407 Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="corp"\r\n');
      }
    }
    if (opts.refuse) return reply(opts.refuse);
    const url = new URL(`http://${req.url}`);
    const upstream = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.once('error', () => reply('502 Bad Gateway'));
    client.on('error', () => upstream.destroy());
  });
  const running = await listen(server as unknown as Server, new Set());
  return { ...running, connects };
}

/** A raw TCP peer: `onConnection` decides what (not-)TLS bytes to answer with. */
export async function startRaw(onConnection: (s: Socket) => void): Promise<Running> {
  const server = createNetServer((s) => {
    s.on('error', () => {});
    onConnection(s);
  });
  return listen(server, new Set());
}

/** A port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const r = await startRaw(() => {});
  await r.close();
  return r.port;
}
