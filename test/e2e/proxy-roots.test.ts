/**
 * What `diagnose` and `fix` say about the root a real mitmproxy shows or hides, as library calls with a
 * controlled context (the "OS store" is SSL_CERT_FILE → a temp bundle holding only the origin's root, a sysroot
 * that hides the machine's files, a temp HOME):
 * - mitmproxy with its default-named CA (`CN=mitmproxy, O=mitmproxy`) sends only the leaf it minted: no root
 *   anchors the chain, yet it is interception, by mitmproxy, through the proxy;
 * - a mitmproxy that sends its issuing CA and root: a --trust-fingerprint that is not that root's is said as
 *   such (with the root's own), not as a missing one.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/cli/context.ts';
import { diagnoseTarget } from '../../src/commands/diagnose.ts';
import { fix } from '../../src/commands/fix.ts';
import { formatFingerprint, parseCerts } from '../../src/core/cert.ts';
import type { Context } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { type InterceptingProxy, startMitmproxy } from '../helpers/proxies.ts';
import { startTls, type TlsServer } from '../net/servers.ts';

const sha = (i: Issued) => parseCerts(i.pem).certs[0]?.sha256 as string;

describe.skipIf(lacks('mitmproxy'))(`roots a real mitmproxy shows or hides ${missing('mitmproxy')}`, () => {
  let pki: Pki;
  let tmp: string;
  let ctx: Context;
  let origin: TlsServer;
  let url: string;
  /** Default-named CA, leaf only. */
  let leafOnly: InterceptingProxy;
  /** Corporate-named issuing CA + root, both sent. */
  let withRoot: InterceptingProxy;
  let proxyRoot: Issued;
  let proxyInt: Issued;

  beforeAll(async () => {
    pki = new Pki();
    const originRoot = pki.root('origin-root', 'Proxy Roots Origin CA', { subjectPrefix: '/O=Origin' });
    const originLeaf = pki.leaf('origin-leaf', 'localhost', originRoot, { ips: ['127.0.0.1'] });
    const mitmCa = pki.root('mitm-ca', 'mitmproxy', { subjectPrefix: '/O=mitmproxy' });
    proxyRoot = pki.root('proxy-root', 'Example Corp Proxy Root CA', { subjectPrefix: '/O=Example Corp' });
    proxyInt = pki.intermediate('proxy-int', 'Example Corp Proxy Issuing CA', proxyRoot, {
      subjectPrefix: '/O=Example Corp',
    });
    [origin, leafOnly, withRoot] = await Promise.all([
      startTls(originLeaf.keyPem, [originLeaf.pem]),
      startMitmproxy({ ca: mitmCa, upstreamCAs: [originRoot] }),
      startMitmproxy({ ca: proxyInt, chain: [proxyRoot], upstreamCAs: [originRoot] }),
    ]);
    url = `https://localhost:${origin.port}/`;
    tmp = mkdtempSync(join(tmpdir(), 'certifix-proxy-roots-'));
    const home = join(tmp, 'home');
    const certDir = join(tmp, 'certs');
    const sysroot = join(tmp, 'sysroot');
    for (const d of [home, certDir, sysroot]) mkdirSync(d);
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      // The OS store holds the origin's root only: a direct connection verifies, neither proxy's root is known.
      SSL_CERT_FILE: pki.bundle('os-store', [originRoot]),
      SSL_CERT_DIR: certDir,
    };
    ctx = { env, home, cwd: tmp, platform: 'linux', run: runProcess, sysroot };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([leafOnly?.stop(), withRoot?.stop(), origin?.close()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('a direct connection: the origin’s private root, in the OS store, is no interception', async () => {
    const { report } = await diagnoseTarget(url, { proxy: null, clients: ['node'], noAia: true }, ctx);
    expect(report.interception).toEqual({ detected: false, product: null });
    expect(report.anchor).toMatchObject({
      subject: 'O=Origin, CN=Proxy Roots Origin CA',
      inSystemStore: true,
    });
    expect(report.findings.map((f) => f.id)).toEqual(['private-ca', 'client-store']);
  });

  it('mitmproxy sending only its leaf: interception by mitmproxy, the proxy named, no anchor', async () => {
    const { report } = await diagnoseTarget(
      url,
      { proxy: leafOnly.url, clients: ['node'], noAia: true },
      ctx,
    );
    expect(report.chain.map((c) => c.issuer)).toEqual(['O=mitmproxy, CN=mitmproxy']);
    expect(report.anchor).toBeNull();
    expect(report.interception).toEqual({ detected: true, product: 'mitmproxy' });
    expect(report.findings.map((f) => f.id)).toEqual(['interception']);
    const [f] = report.findings;
    expect(f?.severity).toBe('error');
    expect(f?.message).toBe(
      `localhost is intercepted by mitmproxy: the proxy (${leafOnly.url}) re-signs the site's certificate with "O=mitmproxy, CN=mitmproxy". ` +
        'That root is not in your OS store, and the proxy sent only the certificate it minted, not the root itself. Failing: node.',
    );
    expect(f?.fix).toContain('~/.mitmproxy/mitmproxy-ca-cert.pem');
    expect(f?.fix).toContain('certifix fix --ca root.pem');
  });

  it('fix through it: refused, the re-signing product named, and --ca as the way out', async () => {
    const refused = fix({ url, proxy: leafOnly.url, clients: ['git'], dryRun: true }, ctx);
    await expect(refused).rejects.toMatchObject({
      code: 'REFUSED',
      message: `no root anchors the chain of localhost: mitmproxy re-signs it with "O=mitmproxy, CN=mitmproxy", whose root is in no store here and was not sent`,
      hint: expect.stringContaining('certifix fix --ca root.pem'),
    });
    // A fingerprint cannot stand in for a root that was never sent.
    const withFp = fix(
      { url, proxy: leafOnly.url, clients: ['git'], dryRun: true, trustFingerprints: ['ab'.repeat(32)] },
      ctx,
    );
    await expect(withFp).rejects.toMatchObject({
      message: expect.stringContaining(
        '(--trust-fingerprint confirms a root that was sent; this one was not)',
      ),
    });
  });

  it('a wrong --trust-fingerprint is said as a mismatch, with the root actually sent', async () => {
    const wrong = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    const report = await fix(
      { url, proxy: withRoot.url, clients: ['git'], dryRun: true, trustFingerprints: [wrong] },
      ctx,
    );
    expect(report.roots).toEqual([]);
    expect(report.refused).toEqual([
      {
        subject: 'O=Example Corp, CN=Example Corp Proxy Root CA',
        sha256: sha(proxyRoot),
        reason:
          `--trust-fingerprint ${formatFingerprint(wrong)} matches no certificate here; the root sent is\n` +
          `  ${formatFingerprint(sha(proxyRoot))}\n` +
          'a different proxy or root than the one IT told you about? Trust it only once IT confirms this fingerprint.',
      },
    ]);
  });

  it('the issuing CA’s fingerprint is named as such; the root’s own confirms it', async () => {
    const report = await fix(
      { url, proxy: withRoot.url, clients: ['git'], dryRun: true, trustFingerprints: [sha(proxyInt)] },
      ctx,
    );
    expect(report.refused[0]?.reason).toMatch(
      /^--trust-fingerprint [0-9A-F:]+ is the fingerprint of "O=Example Corp, CN=Example Corp Proxy Issuing CA" in the chain, not of its root; the root sent is\n/,
    );
    const ok = await fix(
      { url, proxy: withRoot.url, clients: ['git'], dryRun: true, trustFingerprints: [sha(proxyRoot)] },
      ctx,
    );
    expect(ok.refused).toEqual([]);
    expect(ok.roots.map((r) => [r.subject, r.origin])).toEqual([
      ['O=Example Corp, CN=Example Corp Proxy Root CA', 'network'],
    ]);
  });

  it('a mismatched root is not offered on the terminal: the user already said which root they expect', async () => {
    const asked: string[] = [];
    const report = await fix(
      {
        url,
        proxy: withRoot.url,
        clients: ['git'],
        trustFingerprints: ['ab'.repeat(32)],
        confirm: async (q) => {
          asked.push(q.kind);
          return true;
        },
      },
      ctx,
    );
    expect(asked).toEqual([]);
    expect(report.roots).toEqual([]);
    expect(report.refused.map((r) => r.subject)).toEqual(['O=Example Corp, CN=Example Corp Proxy Root CA']);
  });
});
