import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { formatFingerprint } from '../../../src/core/cert.ts';
import { collectFindings } from '../../../src/core/findings/index.ts';
import type { Finding } from '../../../src/core/report.ts';
import { Pki } from '../../helpers/pki.ts';
import { type CaseInput, cert, client, input } from './fixtures.ts';

const pki = new Pki();
const corp = pki.root('corp', 'Acme Root CA', { subjectPrefix: '/O=Acme' });
const corpInt = pki.intermediate('corp-int', 'Acme Issuing CA', corp, { subjectPrefix: '/O=Acme' });
const corpLeaf = pki.leaf('corp-leaf', 'pypi.org', corpInt);
const twin = pki.root('twin', 'Acme Root CA', { subjectPrefix: '/O=Acme' });
const netskope = pki.root('netskope', 'caadmin.netskope.com', { subjectPrefix: '/O=Netskope Inc' });
const netskopeLeaf = pki.leaf('netskope-leaf', 'registry.npmjs.org', netskope);
const mitm = pki.root('mitm', 'mitmproxy', { subjectPrefix: '/O=mitmproxy' });
const mitmLeaf = pki.leaf('mitm-leaf', 'localhost', mitm);
const mitmPypi = pki.leaf('mitm-pypi', 'pypi.org', mitm);
const mitmTwin = pki.root('mitm-twin', 'mitmproxy', { subjectPrefix: '/O=mitmproxy' });
const PROXY = 'http://127.0.0.1:18480';

const TRUST_IDS = new Set(['interception', 'private-ca', 'unknown-anchor', 'client-store']);
const trustFindings = (c: CaseInput): Finding[] =>
  collectFindings(analyze(input(c))).filter((f) => TRUST_IDS.has(f.id));

describe('trust findings', () => {
  it('interception names the product, the root, and the failing clients', () => {
    const f = trustFindings({
      chain: [netskopeLeaf],
      host: 'registry.npmjs.org',
      system: [netskope],
      clients: [client('npm', []), client('curl', [netskope])],
    });
    expect(f.map((x) => x.id)).toEqual(['interception', 'client-store']);
    const [i, s] = f;
    expect(i?.severity).toBe('error');
    expect(i?.message).toBe(
      'registry.npmjs.org is intercepted by Netskope: the certificate is re-signed by "O=Netskope Inc, CN=caadmin.netskope.com". ' +
        'Your OS store trusts that root (so browsers, curl and urllib work), but it is not among the Mozilla roots that certifi and Node ship. Failing: npm.',
    );
    expect(i?.fix).toBe(
      'Run `certifix fix https://registry.npmjs.org:443/` to add it to one merged bundle (Mozilla roots + this root) that every client uses.',
    );
    expect(i?.details).toEqual({
      anchor: 'O=Netskope Inc, CN=caadmin.netskope.com',
      sha256: cert(netskope).sha256,
      product: 'Netskope',
      failing: ['npm'],
    });
    expect(s).toMatchObject({
      id: 'client-store',
      severity: 'error',
      message: 'npm does not trust the root: npm test store (/stores/npm.pem).',
      details: { client: 'npm', source: 'test', path: '/stores/npm.pem' },
    });
  });

  it('an unnamed interception says "a TLS-inspecting proxy"', () => {
    const [f] = trustFindings({ chain: [corpLeaf, corpInt], host: 'pypi.org', system: [corp] });
    expect(f?.message).toMatch(/^pypi\.org is intercepted by a TLS-inspecting proxy: /);
    expect(f?.severity).toBe('info');
  });

  it('a root only seen on the network asks for a confirmed fingerprint', () => {
    const [f] = trustFindings({ chain: [corpLeaf, corpInt, corp], host: 'pypi.org' });
    expect(f?.id).toBe('interception');
    expect(f?.message).toContain('That root is not in your OS store either: it came only from the network.');
    expect(f?.fix).toContain(formatFingerprint(cert(corp).sha256));
    expect(f?.fix).toContain(`--trust-fingerprint ${cert(corp).sha256}`);
  });

  it('through a proxy, the proxy is named as the one re-signing', () => {
    const [f] = trustFindings({
      chain: [netskopeLeaf],
      host: 'registry.npmjs.org',
      system: [netskope],
      proxy: PROXY,
    });
    expect(f?.message).toMatch(
      /^registry\.npmjs\.org is intercepted by Netskope: the proxy \(http:\/\/127\.0\.0\.1:18480\) re-signs the site's certificate with "O=Netskope Inc, CN=caadmin\.netskope\.com"\. Your OS store trusts/,
    );
  });

  it('a proxy sending only its leaf, its root in no store: interception by name, get the root as a file', () => {
    const f = trustFindings({
      chain: [mitmLeaf],
      host: 'localhost',
      proxy: PROXY,
      clients: [client('python-requests', []), client('curl', [])],
    });
    expect(f.map((x) => x.id)).toEqual(['interception']); // not unknown-anchor as well
    expect(f[0]).toEqual({
      id: 'interception',
      severity: 'error',
      message:
        'localhost is intercepted by mitmproxy: the proxy (http://127.0.0.1:18480) re-signs the site\'s certificate with "O=mitmproxy, CN=mitmproxy". ' +
        'That root is not in your OS store, and the proxy sent only the certificate it minted, not the root itself. Failing: python-requests, curl.',
      fix: 'Get that root as a file (mitmproxy: ~/.mitmproxy/mitmproxy-ca-cert.pem of the user running it), then run `certifix fix --ca root.pem`.',
      details: {
        anchor: null,
        issuer: 'O=mitmproxy, CN=mitmproxy',
        sha256: null,
        product: 'mitmproxy',
        failing: ['python-requests', 'curl'],
      },
    });
  });

  it('the same without a proxy (a public name): re-signed, not sent; a look-alike root in the store is named', () => {
    const [f] = trustFindings({ chain: [mitmPypi], host: 'pypi.org', system: [mitmTwin] });
    expect(f?.message).toBe(
      'pypi.org is intercepted by mitmproxy: the certificate is re-signed by "O=mitmproxy, CN=mitmproxy". ' +
        'That root is not in your OS store, and it was not sent with the chain. Your OS store holds a root with that name but another key: it did not sign this chain (a re-keyed or look-alike root).',
    );
  });

  it('unknown anchor through a proxy: neither sent one, and the proxy may be the one re-signing', () => {
    expect(trustFindings({ chain: [corpLeaf, corpInt], host: 'pypi.org', proxy: PROXY })).toEqual([
      {
        id: 'unknown-anchor',
        severity: 'error',
        message:
          'No root in your OS store issued this chain (top: "O=Acme, CN=Acme Root CA"), and neither the server nor the proxy (http://127.0.0.1:18480) sent one. If that proxy inspects TLS, the root is its own.',
        fix: "Get the issuing root from your IT team (the proxy's, or the service owner's), then run `certifix fix --ca root.pem`.",
      },
    ]);
  });

  it('unknown anchor: no root, nothing sent', () => {
    expect(trustFindings({ chain: [corpLeaf, corpInt], host: 'pypi.org' })).toEqual([
      {
        id: 'unknown-anchor',
        severity: 'error',
        message:
          'No root in your OS store issued this chain (top: "O=Acme, CN=Acme Root CA"), and the server did not send one.',
        fix: 'Get the issuing root from your IT team (or the service owner), then run `certifix fix --ca root.pem`.',
      },
    ]);
  });

  it('unknown anchor: a look-alike root (same name, other key) is named as such, never trusted', () => {
    const a = analyze(input({ chain: [corpLeaf, corpInt], host: 'pypi.org', system: [twin] }));
    expect(a.anchor).toBeNull();
    const f = collectFindings(a).filter((x) => TRUST_IDS.has(x.id));
    expect(f.map((x) => x.id)).toEqual(['unknown-anchor']);
    expect(f[0]?.message).toContain('holds a root with that name but another key');
  });

  it('a missing intermediate is not a trust failure for a client that holds the root', () => {
    const f = trustFindings({
      chain: [corpLeaf],
      host: 'pypi.org',
      system: [corp],
      fetched: [{ url: 'http://pki.acme.test/int.der', cert: corpInt }],
      clients: [client('python-ssl', [corp]), client('node', [])],
    });
    expect(f.map((x) => x.id)).toEqual(['interception']);
    expect(f[0]?.details?.failing).toEqual(['node']);
    expect(f[0]?.message).toContain('Your OS store trusts that root, but');
    expect(f[0]?.message).not.toContain('curl and urllib work');
  });

  it('no client-store finding for clients that fail for other reasons', () => {
    const expired = pki.leaf('expired', 'pypi.org', corpInt, { notBeforeDays: -10, notAfterDays: -1 });
    const f = trustFindings({
      chain: [expired, corpInt],
      host: 'pypi.org',
      system: [corp],
      clients: [client('pip', [corp])],
    });
    expect(f.map((x) => [x.id, x.severity])).toEqual([['interception', 'info']]);
  });
});
