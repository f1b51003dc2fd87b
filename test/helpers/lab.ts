/**
 * The whole company network in one call, for an e2e test file's beforeAll:
 *
 *   corporate root ──signs──▶ leaves minted by Squid / mitmproxy ──▶ public-like origin (its own root)
 *   internal root ─▶ internal issuing CA ─▶ internal service (reached directly, no proxy)
 *
 * A laptop from `lab.laptop()` has the corporate and internal roots in its OS store, as IT would install
 * them, and nothing else changed: curl/urllib/git work, requests/pip 23/node/npm fail.
 */
import { rmSync } from 'node:fs';
import { Laptop, type LaptopOptions } from './laptop.ts';
import { type Issued, Pki } from './pki.ts';
import { type InterceptingProxy, startMitmproxy, startSquid } from './proxies.ts';
import { type Chain, makeChain, makeRoot, Origin, type Sends } from './servers.ts';

export interface LabOptions {
  /** Start Squid ssl-bump (default true). */
  squid?: boolean;
  /** Start mitmproxy (default true). */
  mitmproxy?: boolean;
  /** What the internal service sends (default 'leaf+intermediate'). */
  internalSends?: Sends;
}

export class Lab {
  private readonly laptops: Laptop[] = [];
  private constructor(
    readonly pki: Pki,
    /** The interception CA Squid and mitmproxy sign with (a root, as Zscaler's and most proxies' are). */
    readonly corporateRoot: Issued,
    /** The public-like origin's chain: proxies trust its root; laptops never do. */
    readonly publicChain: Chain,
    /** The public-like origin (PyPI index, npm registry, git, GET /), reached through a proxy. */
    readonly origin: Origin,
    /** The internal CA's chain (root in the laptops' OS store). */
    readonly internalChain: Chain,
    /** An internal HTTPS service signed by the internal CA, reached directly. */
    readonly internal: Origin,
    readonly squid: InterceptingProxy | undefined,
    readonly mitmproxy: InterceptingProxy | undefined,
  ) {}

  static async start(opts: LabOptions = {}): Promise<Lab> {
    const pki = new Pki();
    const corporateRoot = pki.root('corp-proxy-root', 'Example Corp Proxy Root CA', {
      subjectPrefix: '/O=Example Corp/OU=Security',
    });
    const publicRoot = makeRoot(pki, 'public', 'Public Trust Services');
    const internalRoot = makeRoot(pki, 'internal', 'Example Corp Internal');
    // Proxies need only the roots: start them (mitmproxy takes ~1 s to import) while the chains are issued.
    const proxyOpts = { ca: corporateRoot, upstreamCAs: [publicRoot, internalRoot] };
    const proxies = Promise.all([
      (opts.squid ?? true) ? startSquid(proxyOpts) : undefined,
      (opts.mitmproxy ?? true) ? startMitmproxy(proxyOpts) : undefined,
    ]);
    let publicChain: Chain;
    let internalChain: Chain;
    try {
      publicChain = makeChain(pki, 'public', 'Public Trust Services', publicRoot);
      internalChain = makeChain(pki, 'internal', 'Example Corp Internal', internalRoot);
    } catch (e) {
      for (const p of await proxies) await p?.stop();
      throw e;
    }
    const [origin, internal, [squid, mitmproxy]] = await Promise.all([
      Origin.start({ chain: publicChain }),
      Origin.start({ chain: internalChain, sends: opts.internalSends ?? 'leaf+intermediate' }),
      proxies,
    ]);
    return new Lab(pki, corporateRoot, publicChain, origin, internalChain, internal, squid, mitmproxy);
  }

  /** The proxies that are running, for `describe.each`. */
  get proxies(): InterceptingProxy[] {
    return [this.squid, this.mitmproxy].filter((p): p is InterceptingProxy => p !== undefined);
  }

  /** A fresh laptop whose OS store holds the corporate and internal roots (override with opts). */
  async laptop(opts: LaptopOptions = {}): Promise<Laptop> {
    const laptop = await Laptop.create({
      corporateRoots: [this.corporateRoot, this.internalChain.root],
      ...opts,
    });
    this.laptops.push(laptop);
    return laptop;
  }

  async close(): Promise<void> {
    await Promise.all([
      ...this.proxies.map((p) => p.stop()),
      this.origin.close(),
      this.internal.close(),
      ...this.laptops.map((l) => l.dispose()),
    ]);
    rmSync(this.pki.dir, { recursive: true, force: true });
  }
}
