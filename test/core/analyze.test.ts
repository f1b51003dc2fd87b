import { describe, expect, it } from 'vitest';
import { analyze, findAnchor, looksInternal, toReport } from '../../src/core/analyze.ts';
import { TrustIndex } from '../../src/core/trust-index.ts';
import { Pki } from '../helpers/pki.ts';
import { type CaseInput, cert, client, input } from './findings/fixtures.ts';

// One PKI for the file (openssl is synchronous, so the table below can name its certificates directly).
const pki = new Pki();
const corp = pki.root('corp', 'Acme Corp Root CA', { subjectPrefix: '/O=Acme Corp' });
const corpInt = pki.intermediate('corp-int', 'Acme Corp Issuing CA', corp, { subjectPrefix: '/O=Acme Corp' });
const corpPypi = pki.leaf('corp-pypi', 'pypi.org', corpInt);
const corpGit = pki.leaf('corp-git', 'git.acme.internal', corpInt);
// Same subject as the corporate root, different key: a look-alike that must never be taken as the anchor.
const lookalike = pki.root('lookalike', 'Acme Corp Root CA', { subjectPrefix: '/O=Acme Corp' });
// Without key identifiers only the name and the signature can link the chain.
const bare = pki.root('bare', 'Bare Root', { keyIds: false });
const bareInt = pki.intermediate('bare-int', 'Bare Issuing CA', bare, { keyIds: false });
const bareLeaf = pki.leaf('bare-leaf', 'app.bare.internal', bareInt, { keyIds: false });
const bareTwin = pki.root('bare-twin', 'Bare Root', { keyIds: false });
const zscaler = pki.root('zscaler', 'Zscaler Root CA', { subjectPrefix: '/O=Zscaler Inc./OU=Zscaler Inc.' });
const zInt = pki.intermediate('z-int', 'Zscaler Intermediate Root CA (zscaler.net)', zscaler, {
  subjectPrefix: '/O=Zscaler Inc./OU=Zscaler Inc.',
});
const zLeaf = pki.leaf('z-leaf', 'git.acme.internal', zInt);
const mitm = pki.root('mitm', 'mitmproxy', { subjectPrefix: '/O=mitmproxy' });
const mitmLeaf = pki.leaf('mitm-leaf', 'localhost', mitm);
const mitmPypi = pki.leaf('mitm-pypi', 'pypi.org', mitm);
// A FortiGate's own admin page on the LAN: its leaf and its CA both Fortinet's, the root not sent.
const fortiCa = pki.root('forti-ca', 'FortiGate CA', { subjectPrefix: '/O=Fortinet' });
const fortiAdmin = pki.leaf('forti-admin', '192.168.1.99', fortiCa, { subjectPrefix: '/O=Fortinet' });
// A CA whose name holds a product's inside a longer word.
const philo = pki.root('philo', 'Philosophos Issuing CA', { subjectPrefix: '/O=Philosophos' });
const philoLeaf = pki.leaf('philo-leaf', 'pypi.org', philo);
// A look-alike named mitmproxy CA (another key): the one in the OS store did not sign mitmLeaf.
const mitmTwin = pki.root('mitm-twin', 'mitmproxy', { subjectPrefix: '/O=mitmproxy' });
const unnamedProxyRoot = pki.root('proxy-root', 'Example Corp Proxy Root CA', {
  subjectPrefix: '/O=Example Corp',
});
const unnamedProxyLeaf = pki.leaf('proxy-leaf', 'localhost', unnamedProxyRoot);
// A site whose own name is a product's (www.sophos.com), its chain incomplete: not Sophos inspecting it.
const sophosSite = pki.leaf('sophos-site', 'www.sophos.com', corpInt);
const publicRoot = pki.root('public', 'Public Test Root', { subjectPrefix: '/O=Public Trust' });
const publicInt = pki.intermediate('public-int', 'Public Test CA 1', publicRoot);
const publicLeaf = pki.leaf('public-leaf', 'pypi.org', publicInt);

describe('looksInternal', () => {
  it.each([
    ['localhost', true],
    ['api.localhost', true],
    ['intranet', true],
    ['git.acme.internal', true],
    ['nas.home', true],
    ['build.corp', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['pypi.org', false],
    ['registry.npmjs.org', false],
    ['8.8.8.8', false],
  ])('%s → %s', (host, internal) => {
    expect(looksInternal(host)).toBe(internal);
  });
});

interface AnchorCase {
  name: string;
  case: CaseInput;
  anchor: string | null;
  inSystem: boolean;
  intercepted: boolean;
  product: string | null;
  trustFinding: string | null;
}

const anchorCases: AnchorCase[] = [
  {
    name: 'private CA on an internal name (no proxy): private-ca, not interception',
    case: { chain: [corpGit, corpInt], host: 'git.acme.internal', system: [corp] },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: true,
    intercepted: false,
    product: null,
    trustFinding: 'private-ca',
  },
  {
    name: 'the same private root on a public name: interception by an unnamed product',
    case: { chain: [corpPypi, corpInt], host: 'pypi.org', system: [corp] },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: true,
    intercepted: true,
    product: null,
    trustFinding: 'interception',
  },
  {
    name: 'through a proxy, even an internal name: interception',
    case: {
      chain: [corpGit, corpInt],
      host: 'git.acme.internal',
      system: [corp],
      proxy: 'http://proxy:3128',
    },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: true,
    intercepted: true,
    product: null,
    trustFinding: 'interception',
  },
  {
    name: 'a known product name wins over an internal host name (Zscaler)',
    case: { chain: [zLeaf, zInt], host: 'git.acme.internal', system: [zscaler] },
    anchor: 'O=Zscaler Inc., OU=Zscaler Inc., CN=Zscaler Root CA',
    inSystem: true,
    intercepted: true,
    product: 'Zscaler',
    trustFinding: 'interception',
  },
  {
    name: 'mitmproxy signing the leaf directly, on localhost',
    case: { chain: [mitmLeaf], host: 'localhost', system: [mitm] },
    anchor: 'O=mitmproxy, CN=mitmproxy',
    inSystem: true,
    intercepted: true,
    product: 'mitmproxy',
    trustFinding: 'interception',
  },
  {
    name: 'mitmproxy sending only the leaf, its CA in no store, through the proxy: interception, no anchor',
    case: { chain: [mitmLeaf], host: 'localhost', system: [], proxy: 'http://127.0.0.1:18480' },
    anchor: null,
    inSystem: false,
    intercepted: true,
    product: 'mitmproxy',
    trustFinding: 'interception',
  },
  {
    name: 'a leaf-only mitmproxy chain for a public name without a proxy (transparent): interception by name',
    case: { chain: [mitmPypi], host: 'pypi.org', system: [] },
    anchor: null,
    inSystem: false,
    intercepted: true,
    product: 'mitmproxy',
    trustFinding: 'interception',
  },
  {
    name: 'leaf-only mitmproxy chain next to a look-alike mitmproxy root in the store: interception, no anchor',
    case: { chain: [mitmLeaf], host: 'localhost', system: [mitmTwin], proxy: 'http://127.0.0.1:18480' },
    anchor: null,
    inSystem: false,
    intercepted: true,
    product: 'mitmproxy',
    trustFinding: 'interception',
  },
  {
    name: 'a leaf-only chain through a proxy, its issuer named after no product: not called interception',
    case: { chain: [unnamedProxyLeaf], host: 'localhost', system: [], proxy: 'http://127.0.0.1:3128' },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'an unanchored internal chain on a direct connection: not interception',
    case: { chain: [corpGit, corpInt], host: 'git.acme.internal', system: [], proxy: null },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'the same leaf-only mitmproxy chain for an internal name reached directly: not called interception',
    case: { chain: [mitmLeaf], host: 'localhost', system: [] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: "an appliance's own admin page (its leaf and its CA named after the product), even through a proxy",
    case: { chain: [fortiAdmin], host: '192.168.1.99', system: [], proxy: 'http://127.0.0.1:3128' },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'an unanchored chain whose CA holds a product name inside a longer word (Philosophos): no product',
    case: { chain: [philoLeaf], host: 'pypi.org', system: [] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'an unanchored chain of a site named after a product: the site’s own name is no evidence',
    case: { chain: [sophosSite], host: 'www.sophos.com', system: [] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'a public chain (root among the Mozilla roots): no trust finding',
    case: { chain: [publicLeaf, publicInt], host: 'pypi.org', system: [publicRoot], mozilla: [publicRoot] },
    anchor: 'O=Public Trust, CN=Public Test Root',
    inSystem: true,
    intercepted: false,
    product: null,
    trustFinding: null,
  },
  {
    name: 'the anchor is found by key and signature, not by name: a look-alike root in the store is ignored',
    case: { chain: [corpGit, corpInt], host: 'git.acme.internal', system: [lookalike] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'look-alike listed before the real root: the real root is the anchor',
    case: { chain: [corpGit, corpInt], host: 'git.acme.internal', system: [lookalike, corp] },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: true,
    intercepted: false,
    product: null,
    trustFinding: 'private-ca',
  },
  {
    name: 'without key identifiers, a same-name root with another key is still not the anchor',
    case: { chain: [bareLeaf, bareInt], host: 'app.bare.internal', system: [bareTwin] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
  {
    name: 'without key identifiers, the real root is found by name and signature',
    case: { chain: [bareLeaf, bareInt], host: 'app.bare.internal', system: [bareTwin, bare] },
    anchor: 'CN=Bare Root',
    inSystem: true,
    intercepted: false,
    product: null,
    trustFinding: 'private-ca',
  },
  {
    name: 'network-only anchor: the server sends a root the OS store lacks',
    case: { chain: [corpGit, corpInt, corp], host: 'git.acme.internal', system: [] },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'private-ca',
  },
  {
    name: 'network-only anchor next to a look-alike in the store: still network-only',
    case: { chain: [corpGit, corpInt, corp], host: 'git.acme.internal', system: [lookalike] },
    anchor: 'O=Acme Corp, CN=Acme Corp Root CA',
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'private-ca',
  },
  {
    name: 'unknown anchor: no root anywhere',
    case: { chain: [corpGit, corpInt], host: 'git.acme.internal', system: [] },
    anchor: null,
    inSystem: false,
    intercepted: false,
    product: null,
    trustFinding: 'unknown-anchor',
  },
];

describe('analyze: anchor, interception, product', () => {
  it.each(anchorCases)('$name', (c) => {
    const a = analyze(input(c.case));
    expect(a.anchor?.subject ?? null).toBe(c.anchor);
    expect(a.anchorInSystem).toBe(c.inSystem);
    expect(a.intercepted).toBe(c.intercepted);
    expect(a.product).toBe(c.product);
    const report = toReport(a);
    expect(report.interception).toEqual({
      detected: c.intercepted,
      product: c.intercepted ? c.product : null,
    });
    const trustIds = report.findings
      .map((f) => f.id)
      .filter((id) => ['interception', 'private-ca', 'unknown-anchor'].includes(id));
    expect(trustIds).toEqual(c.trustFinding ? [c.trustFinding] : []);
    if (c.anchor) expect(report.anchor?.sha256).toBe(a.anchor?.sha256);
    else expect(report.anchor).toBeNull();
  });

  it('anchors on the exact real root (sha256), whatever the store order', () => {
    for (const system of [
      [lookalike, corp],
      [corp, lookalike],
    ]) {
      const a = analyze(input({ chain: [corpGit, corpInt], host: 'git.acme.internal', system }));
      expect(a.anchor?.sha256).toBe(cert(corp).sha256);
    }
  });

  it('tells the network-only root apart and asks for its fingerprint', () => {
    const a = analyze(input({ chain: [corpGit, corpInt, corp], host: 'git.acme.internal' }));
    const f = toReport(a).findings.find((x) => x.id === 'private-ca');
    expect(f?.message).toContain('not in your OS store either');
    expect(f?.fix).toContain(`--trust-fingerprint ${cert(corp).sha256}`);
  });

  it('says the unknown anchor by the top issuer name', () => {
    const a = analyze(input({ chain: [corpGit, corpInt], host: 'git.acme.internal' }));
    expect(a.systemVerdict.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const f = toReport(a).findings.find((x) => x.id === 'unknown-anchor');
    expect(f).toMatchObject({ severity: 'error' });
    expect(f?.message).toContain('"O=Acme Corp, CN=Acme Corp Root CA"');
  });

  it('uses fetched issuers to find the anchor, but not for the clients’ verdicts', () => {
    const a = analyze(
      input({
        chain: [corpGit],
        host: 'git.acme.internal',
        system: [corp],
        fetched: [{ url: 'http://pki.acme.internal/int.der', cert: corpInt }],
        clients: [client('python-ssl', [corp])],
      }),
    );
    expect(a.anchor?.sha256).toBe(cert(corp).sha256);
    expect(a.verdicts[0]?.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('refuses an empty chain', () => {
    expect(() => analyze(input({ chain: [], host: 'x.test' }))).toThrow(/empty chain/);
  });
});

describe('findAnchor', () => {
  it('follows the sent chain in any order to a store root', () => {
    const sys = new TrustIndex([cert(corp)]);
    expect(findAnchor([cert(corpGit), cert(corpInt)], sys)?.inSystem).toBe(true);
    expect(findAnchor([cert(corpGit), cert(corp), cert(corpInt)], sys)).toMatchObject({ inSystem: true });
  });

  it('takes a sent self-signed root that the store also holds as in the store', () => {
    const found = findAnchor([cert(corpGit), cert(corpInt), cert(corp)], new TrustIndex([cert(corp)]));
    expect(found?.inSystem).toBe(true);
    expect(found?.cert.sha256).toBe(cert(corp).sha256);
  });

  it('returns null when the links break and nothing is self-signed', () => {
    expect(findAnchor([cert(corpGit)], new TrustIndex([cert(lookalike)]))).toBeNull();
  });
});

describe('analyze: per-client verdicts and the client-store finding', () => {
  const clients = () => [
    client('python-requests', []), // certifi: Mozilla only
    client('python-ssl', [corp]), // OS store
    client('node', [publicRoot], 'node'),
  ];

  it('predicts each client and names the ones whose store lacks the root', () => {
    const a = analyze(
      input({ chain: [corpGit, corpInt], host: 'git.acme.internal', system: [corp], clients: clients() }),
    );
    expect(a.verdicts.map((v) => v.code)).toEqual([
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'OK',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ]);
    const r = toReport(a);
    expect(r.clients.map((c) => [c.id, c.ok, c.code])).toEqual([
      ['python-requests', false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
      ['python-ssl', true, 'OK'],
      ['node', false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ]);
    expect(r.clients[0]?.printed).toBe(
      'python-requests: UNABLE_TO_GET_ISSUER_CERT_LOCALLY for git.acme.internal',
    );
    expect(r.clients[1]?.printed).toBeUndefined();
    const store = r.findings.filter((f) => f.id === 'client-store');
    expect(store.map((f) => f.details?.client)).toEqual(['python-requests', 'node']);
    const trust = r.findings.find((f) => f.id === 'private-ca');
    expect(trust).toMatchObject({ severity: 'error' });
    expect(trust?.details?.failing).toEqual(['python-requests', 'node']);
    expect(trust?.fix).toContain('certifix fix https://git.acme.internal:443/');
  });

  it('is info, not error, when every client already trusts the private root', () => {
    const a = analyze(
      input({
        chain: [corpGit, corpInt],
        host: 'git.acme.internal',
        system: [corp],
        clients: [client('python-ssl', [corp])],
      }),
    );
    const r = toReport(a);
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['private-ca', 'info']]);
  });

  it('reports no client-store finding when the OS store fails too (the root is not the problem)', () => {
    const a = analyze(input({ chain: [corpGit, corpInt], host: 'git.acme.internal', clients: clients() }));
    expect(toReport(a).findings.map((f) => f.id)).toEqual(['unknown-anchor']);
  });
});
