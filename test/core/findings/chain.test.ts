import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { collectFindings } from '../../../src/core/findings/index.ts';
import type { Finding } from '../../../src/core/report.ts';
import { type Issued, Pki } from '../../helpers/pki.ts';
import { type CaseInput, cert, input } from './fixtures.ts';

const pki = new Pki();
const root = pki.root('root', 'Acme Root CA', { subjectPrefix: '/O=Acme' });
const int = pki.intermediate('int', 'Acme Issuing CA', root, { subjectPrefix: '/O=Acme' });
const leaf = pki.leaf('leaf', 'app.acme.internal', int, { ips: ['127.0.0.1'] });
const expired = pki.leaf('expired', 'app.acme.internal', int, { notBeforeDays: -30, notAfterDays: -1 });
const future = pki.leaf('future', 'app.acme.internal', int, { notBeforeDays: 10, notAfterDays: 400 });
const soon = pki.leaf('soon', 'app.acme.internal', int, { notBeforeDays: 0.5, notAfterDays: 400 });
const other = pki.leaf('other', 'other.test', int, { dns: ['other.test', 'www.other.test'] });
const noSan = pki.leaf('nosan', 'legacy.acme.internal', int, { dns: [] });
const selfSigned = pki.issue('self', { cn: 'app.acme.internal' });
const sha1 = pki.leaf('sha1', 'app.acme.internal', int, { digest: 'sha1' });
const rsaInt = pki.intermediate('rsa-int', 'Acme RSA Issuing CA', root, { key: 'rsa2048' });
const sha1Rsa = pki.leaf('sha1-rsa', 'app.acme.internal', rsaInt, { digest: 'sha1' });
const sha1Root = pki.root('sha1-root', 'Old SHA-1 Root', { digest: 'sha1' });
const sha1RootLeaf = pki.leaf('sha1-root-leaf', 'app.acme.internal', sha1Root);
const unrelated = pki.root('unrelated', 'Unrelated CA');
// Not RFC 5280-strict: basicConstraints not critical / no key identifiers. OpenSSL accepts, Python 3.13 not.
const laxRoot = pki.root('lax-root', 'Lax Corp Root', { bcCritical: false });
const laxInt = pki.intermediate('lax-int', 'Lax Corp Issuing CA', laxRoot);
const laxLeaf = pki.leaf('lax-leaf', 'app.acme.internal', laxInt);
const nokidRoot = pki.root('nokid-root', 'NoKid Root', { keyIds: false });
const nokidInt = pki.intermediate('nokid-int', 'NoKid Issuing CA', nokidRoot, { keyIds: false });
const nokidLeaf = pki.leaf('nokid-leaf', 'app.acme.internal', nokidInt, { keyIds: false });

const CHAIN_IDS = new Set([
  'expired',
  'not-yet-valid',
  'hostname-mismatch',
  'self-signed-leaf',
  'weak-signature',
  'missing-intermediate',
  'chain-order',
  'extra-certs',
  'contains-anchor',
  'strict-x509',
]);

const HOST = 'app.acme.internal';
/** The roots are stand-ins for public ones, so only chain findings show (no private-ca noise). */
const trusted = (...roots: Issued[]): Pick<CaseInput, 'system' | 'mozilla'> => ({
  system: roots,
  mozilla: roots,
});

function findings(c: CaseInput): Finding[] {
  return collectFindings(analyze(input(c))).filter((f) => CHAIN_IDS.has(f.id));
}

const DAY = 86400_000;

interface Row {
  name: string;
  case: CaseInput;
  ids: string[];
  check?: (f: Finding[]) => void;
}

const rows: Row[] = [
  { name: 'a clean chain', case: { chain: [leaf, int], host: HOST, ...trusted(root) }, ids: [] },
  {
    name: 'expired leaf',
    case: { chain: [expired, int], host: HOST, ...trusted(root) },
    ids: ['expired'],
    check: ([f]) => {
      expect(f?.severity).toBe('error');
      expect(f?.message).toMatch(
        /^The certificate at depth 0 \("CN=app\.acme\.internal"\) expired on \d{4}-\d\d-\d\d\.$/,
      );
      expect(f?.fix).toContain('renew');
    },
  },
  {
    name: 'everything expired, root included (validation time a year ahead)',
    case: { chain: [leaf, int], host: HOST, ...trusted(root), at: new Date(Date.now() + 400 * DAY) },
    ids: ['expired', 'expired', 'expired'],
    check: (f) => {
      expect(f.map((x) => /at ([^(]+) \(/.exec(x.message)?.[1]?.trim())).toEqual([
        'depth 0',
        'depth 1',
        'the root',
      ]);
    },
  },
  {
    name: 'not yet valid (days ahead): the server owner',
    case: { chain: [future, int], host: HOST, ...trusted(root) },
    ids: ['not-yet-valid'],
    check: ([f]) => {
      expect(f?.message).toContain('is valid only from');
      expect(f?.fix).toMatch(/^The server owner installed a certificate that is not valid yet/);
    },
  },
  {
    name: 'not yet valid by hours: this machine’s clock',
    case: { chain: [soon, int], host: HOST, ...trusted(root) },
    ids: ['not-yet-valid'],
    check: ([f]) => expect(f?.fix).toContain("check this machine's clock"),
  },
  {
    name: 'hostname mismatch shows the names the certificate holds',
    case: { chain: [other, int], host: HOST, ...trusted(root) },
    ids: ['hostname-mismatch'],
    check: ([f]) => {
      expect(f?.message).toBe(
        'The certificate is not valid for app.acme.internal: it names DNS:other.test, DNS:www.other.test.',
      );
      expect(f?.details).toEqual({ names: 'DNS:other.test, DNS:www.other.test' });
    },
  },
  {
    name: 'hostname mismatch without a subjectAltName names the subject',
    case: { chain: [noSan, int], host: 'other.acme.internal', ...trusted(root) },
    ids: ['hostname-mismatch'],
    check: ([f]) => expect(f?.message).toContain('(no subjectAltName; subject CN=legacy.acme.internal)'),
  },
  {
    name: 'IP address in the SAN',
    case: { chain: [leaf, int], host: '127.0.0.1', ...trusted(root) },
    ids: [],
  },
  {
    name: 'another IP address',
    case: { chain: [leaf, int], host: '127.0.0.2', ...trusted(root) },
    ids: ['hostname-mismatch'],
    check: ([f]) => expect(f?.message).toContain('IP Address:127.0.0.1'),
  },
  {
    name: 'self-signed leaf',
    case: { chain: [selfSigned], host: HOST },
    ids: ['self-signed-leaf'],
    check: ([f]) => {
      expect(f?.message).toContain('"CN=app.acme.internal"');
      expect(f?.fix).toContain('--allow-non-ca');
    },
  },
  {
    name: 'SHA-1 leaf under an EC issuer',
    case: { chain: [sha1, int], host: HOST, ...trusted(root) },
    ids: ['weak-signature'],
    check: ([f]) => expect(f?.message).toContain('ecdsa-with-SHA1'),
  },
  {
    name: 'SHA-1 leaf under an RSA issuer',
    case: { chain: [sha1Rsa, rsaInt], host: HOST, ...trusted(root) },
    ids: ['weak-signature'],
    check: ([f]) => expect(f?.message).toMatch(/^The certificate at depth 0 .* sha1WithRSAEncryption/),
  },
  {
    name: 'a SHA-1 self-signed root is not a weak signature (its own signature is never checked)',
    case: { chain: [sha1RootLeaf], host: HOST, ...trusted(sha1Root) },
    ids: [],
  },
  {
    name: 'missing intermediate, fetched from AIA',
    case: {
      chain: [leaf],
      host: HOST,
      ...trusted(root),
      fetched: [{ url: 'http://pki.acme.internal/int.der', cert: int }],
    },
    ids: ['missing-intermediate'],
    check: ([f]) => {
      expect(f?.severity).toBe('error');
      expect(f?.message).toContain('"O=Acme, CN=Acme Issuing CA" (http://pki.acme.internal/int.der)');
      expect(f?.details).toEqual({
        fetched: [
          {
            url: 'http://pki.acme.internal/int.der',
            subject: 'O=Acme, CN=Acme Issuing CA',
            sha256: cert(int).sha256,
          },
        ],
      });
    },
  },
  {
    name: 'missing intermediate, as an earlier run fetched it (kept a day)',
    case: {
      chain: [leaf],
      host: HOST,
      ...trusted(root),
      fetched: [{ url: 'http://pki.acme.internal/int.der', cert: int, kept: true }],
    },
    ids: ['missing-intermediate'],
    check: ([f]) => {
      expect(f?.message).toContain(
        '"O=Acme, CN=Acme Issuing CA" (http://pki.acme.internal/int.der, as fetched by an earlier run)',
      );
      expect(f?.details).toMatchObject({ fetched: [{ kept: true }] });
    },
  },
  {
    name: 'an unrelated extra certificate',
    case: { chain: [leaf, int, unrelated], host: HOST, ...trusted(root) },
    ids: ['extra-certs'],
    check: ([f]) => {
      expect(f?.severity).toBe('warning');
      expect(f?.message).toBe(
        'The server sends 1 certificate(s) that are not part of its chain: "CN=Unrelated CA".',
      );
    },
  },
  {
    name: 'root before the intermediate',
    case: { chain: [leaf, root, int], host: HOST, ...trusted(root) },
    ids: ['chain-order', 'contains-anchor'],
  },
  {
    name: 'intermediate before the leaf',
    case: { chain: [leaf, unrelated, int], host: HOST, ...trusted(root) },
    ids: ['chain-order', 'extra-certs'],
  },
  {
    name: 'the root sent along',
    case: { chain: [leaf, int, root], host: HOST, ...trusted(root) },
    ids: ['contains-anchor'],
    check: ([f]) => {
      expect(f?.severity).toBe('info');
      expect(f?.message).toContain('"O=Acme, CN=Acme Root CA"');
    },
  },
  {
    name: 'basicConstraints not critical: Python 3.13 only',
    case: { chain: [laxLeaf, laxInt], host: HOST, ...trusted(laxRoot) },
    ids: ['strict-x509'],
    check: ([f]) => {
      expect(f?.severity).toBe('warning');
      expect(f?.details).toEqual({ code: 'CA_BCONS_NOT_CRITICAL', depth: 2 });
      expect(f?.message).toContain('"CN=Lax Corp Root"');
    },
  },
  {
    name: 'no key identifiers: Python 3.13 only',
    case: { chain: [nokidLeaf, nokidInt], host: HOST, ...trusted(nokidRoot) },
    ids: ['strict-x509'],
    check: ([f]) => expect(String(f?.details?.code)).toMatch(/^MISSING_(AUTHORITY|SUBJECT)_KEY_IDENTIFIER$/),
  },
  {
    name: 'strict-x509 only when OpenSSL accepts the chain (here it has no root)',
    case: { chain: [laxLeaf, laxInt], host: HOST },
    ids: [],
  },
];

describe('chain findings', () => {
  it.each(rows)('$name → $ids', (row) => {
    const f = findings(row.case);
    expect(f.map((x) => x.id).sort()).toEqual([...row.ids].sort());
    for (const x of f) {
      expect(x.message.length).toBeGreaterThan(10);
      expect(x.fix.length).toBeGreaterThan(10);
    }
    row.check?.(f);
  });

  it('a duplicated intermediate is a chain-order warning, not a foreign certificate', () => {
    const f = findings({ chain: [leaf, int, int], host: HOST, ...trusted(root) });
    expect(f.map((x) => x.id)).toEqual(['chain-order']);
    expect(f[0]?.message).toBe(
      'The server sends "O=Acme, CN=Acme Issuing CA" twice (or more); each certificate belongs in the chain once.',
    );
  });

  it('a leaf sent twice is both out of order and repeated', () => {
    const f = findings({ chain: [leaf, leaf, int], host: HOST, ...trusted(root) });
    expect(f.map((x) => x.id)).toEqual(['chain-order']);
    expect(f[0]?.message).toMatch(
      /^The server sends its certificates out of order .* "CN=app\.acme\.internal" twice/,
    );
  });

  it('an extra certificate sent twice is counted once', () => {
    const f = findings({ chain: [leaf, int, unrelated, unrelated], host: HOST, ...trusted(root) });
    expect(f.map((x) => x.id).sort()).toEqual(['chain-order', 'extra-certs']);
    expect(f.find((x) => x.id === 'extra-certs')?.message).toContain('sends 1 certificate(s)');
  });

  it('a self-signed leaf that is itself a public root is not flagged', () => {
    expect(findings({ chain: [selfSigned], host: HOST, ...trusted(selfSigned) })).toEqual([]);
  });
});

describe('collectFindings', () => {
  it('lists errors, then warnings, then info', () => {
    const f = collectFindings(analyze(input({ chain: [expired, root, int], host: HOST, system: [root] })));
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['expired', 'error'],
      ['chain-order', 'warning'],
      ['private-ca', 'info'],
      ['contains-anchor', 'info'],
    ]);
  });
});
