/**
 * The bench's targets: real TLS servers, an AIA web server and an intercepting proxy on loopback, each
 * paired with the bare Node script a user's fastest possible client would be (one TLS handshake to the same
 * name, trusting the right root).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../test/helpers/has.ts';
import type { Issued, Pki } from '../test/helpers/pki.ts';
import { type InterceptingProxy, startMitmproxy, startSquid } from '../test/helpers/proxies.ts';

export interface Target {
  name: string;
  /** certifix's arguments after `diagnose` */
  args: string[];
  /** the bare handshake script to compare with */
  bare: string;
}

export interface Servers {
  /** sends leaf + intermediate + root */
  complete: number;
  /** sends the leaf alone; its AIA names the intermediate on `http` */
  leafOnly: number;
  http: number;
  stop(): void;
}

/**
 * Both TLS servers and the AIA server in a child process: the bench times its commands with spawnSync, which
 * blocks this process's event loop, so an in-process server would never answer.
 */
export async function startServers(
  dir: string,
  pki: Pki,
  aiaPort: number,
): Promise<Servers & { root: Issued }> {
  const root = pki.root('root', 'Bench Root');
  const int = pki.intermediate('int', 'Bench Issuing CA', root, {
    caIssuers: `http://127.0.0.1:${aiaPort}/root.der`,
  });
  const ips = { ips: ['127.0.0.1'] };
  const full = pki.leaf('full', 'localhost', int, ips);
  const bare = pki.leaf('bare', 'localhost', int, {
    ...ips,
    caIssuers: `http://127.0.0.1:${aiaPort}/int.der`,
  });
  const der = (i: Issued) =>
    Buffer.from(i.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
  const script = join(dir, 'servers.cjs');
  writeFileSync(
    script,
    `const tls = require('node:tls'), http = require('node:http');
const files = { '/int.der': Buffer.from(${JSON.stringify(der(int))}, 'base64'), '/root.der': Buffer.from(${JSON.stringify(der(root))}, 'base64') };
const up = (s, port) => new Promise((r) => s.listen(port, '127.0.0.1', () => r(s.address().port)));
const tlsServer = (key, cert) => { const s = tls.createServer({ key, cert }, (c) => c.end()); s.on('tlsClientError', () => {}); return s; };
Promise.all([
  up(tlsServer(${JSON.stringify(full.keyPem)}, ${JSON.stringify(full.pem + int.pem + root.pem)}), 0),
  up(tlsServer(${JSON.stringify(bare.keyPem)}, ${JSON.stringify(bare.pem)}), 0),
  up(http.createServer((q, a) => { const f = files[q.url]; if (f) a.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(f); else a.writeHead(404).end(); }), ${aiaPort}),
]).then((ports) => console.log(ports.join(' ')));
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim().split(' ').map(Number)));
    child.once('exit', (code) => reject(new Error(`bench servers exited (${code})`)));
  });
  const [complete = 0, leafOnly = 0, http = 0] = ports;
  return { complete, leafOnly, http, root, stop: () => child.kill() };
}

/** A proxy re-signing with its own CA, trusting `root` upstream: Squid if installed, else mitmproxy. */
export async function startProxy(pki: Pki, root: Issued): Promise<InterceptingProxy | string> {
  const ca = pki.root('proxy-ca', 'Bench Inspection CA');
  const opts = { ca, upstreamCAs: [root] };
  if (which('squid') && which('certgen') && process.getuid?.() === 0) return startSquid(opts);
  if (which('mitmdump')) return startMitmproxy(opts);
  return 'neither squid-openssl (as root) nor mitmproxy is installed';
}

/** One TLS handshake to localhost:port trusting `ca`, directly or through an HTTP CONNECT proxy. */
export function bareScript(dir: string, name: string, port: number, ca: string, proxyPort?: number): string {
  const file = join(dir, `${name}.cjs`);
  const connect = `(socket) => {
  const s = require('node:tls').connect({ socket, host: 'localhost', servername: 'localhost', port: ${port}, ca: ${JSON.stringify(ca)} }, () => s.end());
  s.on('error', fail);
}`;
  writeFileSync(
    file,
    `const fail = (e) => { console.error(e.message); process.exit(1); };
const handshake = ${connect};
${
  proxyPort === undefined
    ? 'handshake(undefined);'
    : `require('node:http').request({ host: '127.0.0.1', port: ${proxyPort}, method: 'CONNECT', path: 'localhost:${port}' })
  .on('connect', (res, socket) => (res.statusCode === 200 ? handshake(socket) : fail(new Error('CONNECT ' + res.statusCode))))
  .on('error', fail).end();`
}
`,
  );
  return file;
}
