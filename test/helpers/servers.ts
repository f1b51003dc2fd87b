/**
 * Real HTTPS origins on 127.0.0.1 for the lab: one Node server per PKI answers every route a client test
 * needs — `GET /` (requests, curl, node), a PyPI simple index (`/simple/`), an npm registry (`/-/ping`,
 * `/certifix-probe`), and a dumb-HTTP git repository (`/git/repo.git`).
 */
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, normalize as normalizePath } from 'node:path';
import {
  findWheels,
  gitFixture,
  normalize,
  npmFixture,
  packument,
  simplePage,
  simpleRoot,
  type Wheel,
} from './fixtures.ts';
import { LOOPBACK, PROXIED_HOST } from './net.ts';
import type { Issued, Pki } from './pki.ts';

/** The names every lab leaf is valid for (clients use any; PROXIED_HOST only through a proxy). */
export const LAB_HOSTS = { dns: ['localhost', PROXIED_HOST], ips: ['127.0.0.1'] };

/** Where a client is pointed at an origin: its base URL and the routes derived from it. */
export interface Address {
  /** `https://<host>:<port>/` */
  url: string;
  /** For `pip --index-url`. */
  pypiIndex: string;
  /** For `npm --registry`. */
  npmRegistry: string;
  /** For `git clone`. */
  gitRepo: string;
}

function address(url: string): Address {
  return { url, pypiIndex: `${url}simple/`, npmRegistry: url, gitRepo: `${url}git/repo.git` };
}

export interface Chain {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
}

/** The root `makeChain` would make; made first when a proxy must trust it before the chain exists. */
export function makeRoot(pki: Pki, prefix: string, org: string): Issued {
  return pki.root(`${prefix}-root`, `${org} Root CA`, { subjectPrefix: `/O=${org}` });
}

/** root → intermediate → leaf for localhost/127.0.0.1/origin.lab.test (LAB_HOSTS), named `<prefix>-root`, `<prefix>-int`, `<prefix>-leaf`. */
export function makeChain(pki: Pki, prefix: string, org: string, root = makeRoot(pki, prefix, org)): Chain {
  const subjectPrefix = `/O=${org}`;
  const intermediate = pki.intermediate(`${prefix}-int`, `${org} Issuing CA 1`, root, {
    subjectPrefix,
    pathLen: 0,
  });
  const leaf = pki.leaf(`${prefix}-leaf`, 'localhost', intermediate, LAB_HOSTS);
  return { root, intermediate, leaf };
}

/** Which certificates the server sends in its handshake. */
export type Sends = 'leaf' | 'leaf+intermediate' | 'full';

export interface OriginOptions {
  chain: Chain;
  /** Default 'leaf+intermediate', as a correctly configured server does. */
  sends?: Sends;
  /** Extra TLS options, e.g. `ciphers: 'DEFAULT@SECLEVEL=0'` to serve a SHA-1 or RSA-1024 certificate. */
  tls?: { ciphers?: string };
  /** Exactly these certificates, in this order (the first one's key serves): overrides `chain`/`sends`. */
  serve?: Issued[];
  /** Projects for the PyPI index, taken from the wheelhouse. Default certifi and idna. */
  pypi?: string[];
  /** Extra route: return true when handled. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export class Origin implements Address {
  /** Request lines seen (`GET /simple/certifi/`), to prove a request reached the origin. */
  readonly hits: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly chain: Chain,
  ) {}

  /** `https://localhost:<port>/` */
  get url(): string {
    return `https://localhost:${this.port}/`;
  }
  /** `https://127.0.0.1:<port>/` (same leaf: it has an IP SAN). */
  get ipUrl(): string {
    return `https://${LOOPBACK}:${this.port}/`;
  }
  /** For `pip --index-url`. */
  get pypiIndex(): string {
    return address(this.url).pypiIndex;
  }
  /** For `npm --registry`. */
  get npmRegistry(): string {
    return address(this.url).npmRegistry;
  }
  /** For `git clone`. */
  get gitRepo(): string {
    return address(this.url).gitRepo;
  }
  /**
   * The same origin as `https://origin.lab.test:<port>/` (PROXIED_HOST): reachable only through the lab's
   * proxies, and not loopback to a client deciding whether to use one (Go, Ruby).
   */
  get proxied(): Address {
    return address(`https://${PROXIED_HOST}:${this.port}/`);
  }
  /** The CA a client must trust to reach this origin directly. */
  get root(): Issued {
    return this.chain.root;
  }

  static async start(opts: OriginOptions): Promise<Origin> {
    const { chain } = opts;
    const sends = opts.sends ?? 'leaf+intermediate';
    const certs = opts.serve ? [...opts.serve] : [chain.leaf];
    if (!opts.serve && sends !== 'leaf') certs.push(chain.intermediate);
    if (!opts.serve && sends === 'full') certs.push(chain.root);
    const wheels = new Map<string, Wheel[]>(
      (opts.pypi ?? ['certifi', 'idna']).map((p) => [normalize(p), findWheels(p)]),
    );
    const files = new Map([...wheels.values()].flat().map((w) => [w.file, w.path]));
    const git = gitFixture();
    const npm = npmFixture();
    let origin: Origin | undefined;
    const server = createServer(
      { key: (certs[0] ?? chain.leaf).keyPem, cert: certs.map((c) => c.pem).join(''), ...opts.tls },
      (req, res) => {
        const url = new URL(req.url ?? '/', 'https://x');
        origin?.hits.push(`${req.method} ${url.pathname}`);
        if (opts.handle?.(req, res)) return;
        const path = decodeURIComponent(url.pathname);
        const send = (status: number, type: string, body: string | Buffer) => {
          res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
        };
        if (path === '/') return send(200, 'text/plain', 'certifix lab origin\n');
        if (path === '/simple/' || path === '/simple')
          return send(200, 'text/html', simpleRoot([...wheels.keys()]));
        const project = /^\/simple\/([^/]+)\/?$/.exec(path)?.[1];
        if (project) {
          const found = wheels.get(normalize(project));
          return found
            ? send(200, 'text/html', simplePage(project, found, '/files/'))
            : send(404, 'text/plain', 'no such project\n');
        }
        const wheel = /^\/files\/([^/]+)$/.exec(path)?.[1];
        if (wheel && files.has(wheel))
          return send(200, 'application/octet-stream', readFileSync(files.get(wheel) ?? ''));
        if (path === '/-/ping') return send(200, 'application/json', '{}');
        if (path === `/${npm.name}`)
          return send(200, 'application/json', JSON.stringify(packument(npm, origin?.npmRegistry ?? '')));
        if (path === `/${npm.name}/-/${npm.name}-${npm.version}.tgz`)
          return send(200, 'application/octet-stream', npm.tarball);
        if (path.startsWith('/git/repo.git/')) {
          // Dumb HTTP: git asks for info/refs (ignoring our content type it falls back), then objects.
          const rel = normalizePath(path.slice('/git/repo.git/'.length));
          const file = join(git, rel);
          if (!rel.startsWith('..') && statSync(file, { throwIfNoEntry: false })?.isFile())
            return send(200, 'application/octet-stream', readFileSync(file));
        }
        send(404, 'text/plain', 'not found\n');
      },
    );
    server.listen(0, LOOPBACK);
    await once(server, 'listening');
    origin = new Origin(server, (server.address() as AddressInfo).port, chain);
    return origin;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
