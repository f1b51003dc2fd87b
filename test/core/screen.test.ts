import { describe, expect, it } from 'vitest';
import { type Cert, formatFingerprint, parseCerts } from '../../src/core/cert.ts';
import { type Origin, type ScreenOptions, screen } from '../../src/core/screen.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const pki = new Pki();
const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;
const root = cert(pki.root('root', 'Acme Root CA'));
const rootIssued = pki.root('root2', 'Acme Root CA 2');
const leaf = cert(pki.leaf('leaf', 'app.acme.internal', rootIssued));
const expired = cert(pki.root('expired', 'Old Root', { notBeforeDays: -400, notAfterDays: -2 }));
const soon = cert(pki.root('soon', 'Expiring Root', { notAfterDays: 10 }));
const future = cert(pki.root('future', 'Future Root', { notBeforeDays: 3 }));
const weak = cert(pki.root('weak', 'Weak Root', { key: 'rsa1024' }));
const strong = cert(pki.root('strong', 'Strong Root', { key: 'rsa2048' }));

interface Row {
  name: string;
  cert: Cert;
  origin: Origin;
  opts?: ScreenOptions;
  refused: RegExp | null;
  warnings?: RegExp[];
}

const rows: Row[] = [
  { name: 'a root from the OS store', cert: root, origin: 'os-store', refused: null, warnings: [] },
  { name: 'a root from a file', cert: root, origin: 'file', refused: null, warnings: [] },
  { name: 'a leaf from a file is refused', cert: leaf, origin: 'file', refused: /is not a CA certificate/ },
  {
    name: 'a leaf from the OS store is refused too',
    cert: leaf,
    origin: 'os-store',
    refused: /--allow-non-ca/,
  },
  {
    name: 'a leaf with --allow-non-ca',
    cert: leaf,
    origin: 'file',
    opts: { allowNonCa: true },
    refused: null,
  },
  {
    name: 'a root seen only on the network is refused',
    cert: root,
    origin: 'network',
    refused: /came only from the network/,
  },
  {
    name: 'a network root with another fingerprint confirmed is still refused, the mismatch said',
    cert: root,
    origin: 'network',
    opts: { confirmed: new Set([leaf.sha256]) },
    refused: /^--trust-fingerprint [0-9A-F:]{95} matches no certificate here; the root sent is\n/,
  },
  {
    name: 'a network root with its fingerprint confirmed',
    cert: root,
    origin: 'network',
    opts: { confirmed: new Set([root.sha256]) },
    refused: null,
  },
  {
    name: 'a network leaf needs both --allow-non-ca and the fingerprint',
    cert: leaf,
    origin: 'network',
    opts: { allowNonCa: true },
    refused: /came only from the network/,
  },
  {
    name: 'a network leaf with both',
    cert: leaf,
    origin: 'network',
    opts: { allowNonCa: true, confirmed: new Set([leaf.sha256]) },
    refused: null,
  },
  {
    name: 'expired: a warning, not a refusal',
    cert: expired,
    origin: 'file',
    refused: null,
    warnings: [/^expired on \d{4}-\d\d-\d\d$/],
  },
  {
    name: 'expiring within 30 days',
    cert: soon,
    origin: 'file',
    refused: null,
    warnings: [/^expires soon \(/],
  },
  { name: 'not valid yet', cert: future, origin: 'file', refused: null, warnings: [/^not valid before /] },
  {
    name: 'RSA 1024',
    cert: weak,
    origin: 'os-store',
    refused: null,
    warnings: [/^weak key: RSA 1024 bits \(OpenSSL at security level 2 rejects < 2048\)$/],
  },
  { name: 'RSA 2048 is fine', cert: strong, origin: 'file', refused: null, warnings: [] },
];

describe('screen', () => {
  it.each(rows)('$name', (row) => {
    const s = screen({ cert: row.cert, origin: row.origin }, row.opts);
    if (row.refused) expect(s.refusal).toMatch(row.refused);
    else expect(s.refusal).toBeUndefined();
    if (row.warnings) {
      expect(s.warnings).toHaveLength(row.warnings.length);
      for (const [i, w] of row.warnings.entries()) expect(s.warnings[i]).toMatch(w);
    }
    expect(s.cert).toBe(row.cert);
    expect(s.origin).toBe(row.origin);
  });

  it('shows the fingerprint to check and the flag that confirms it', () => {
    const s = screen({ cert: root, origin: 'network' });
    expect(s.refusal).toContain(formatFingerprint(root.sha256));
    expect(s.refusal).toContain(`--trust-fingerprint ${root.sha256}`);
  });

  it('a refusal reads as a clause after `refusing to trust "<subject>": `', () => {
    expect(screen({ cert: root, origin: 'network' }).refusal).toMatch(
      /^it came only from the network, not from your OS store\. Check its fingerprint/,
    );
  });

  it('a wrong fingerprint is told apart from none: both fingerprints, and what the difference may mean', () => {
    const wrong = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    const s = screen({ cert: root, origin: 'network' }, { confirmed: new Set([wrong]) });
    expect(s.fingerprintMismatch).toBe(true);
    expect(s.refusal).toBe(
      `--trust-fingerprint ${formatFingerprint(wrong)} matches no certificate here; the root sent is\n` +
        `  ${formatFingerprint(root.sha256)}\n` +
        'a different proxy or root than the one IT told you about? Trust it only once IT confirms this fingerprint.',
    );
    // No fingerprint given: the plain refusal, no mismatch.
    expect(screen({ cert: root, origin: 'network' }).fingerprintMismatch).toBeUndefined();
  });

  it('a fingerprint of another certificate of the chain is named as that certificate', () => {
    const s = screen({ cert: root, origin: 'network' }, { confirmed: new Set([leaf.sha256]), chain: [leaf] });
    expect(s.refusal).toBe(
      `--trust-fingerprint ${formatFingerprint(leaf.sha256)} is the fingerprint of "CN=app.acme.internal" in the chain, not of its root; ` +
        `the root sent is\n  ${formatFingerprint(root.sha256)}\nCheck that one with your IT team, then pass --trust-fingerprint ${root.sha256}`,
    );
  });

  it('a matching fingerprint among several given confirms the root', () => {
    const other = 'ab'.repeat(32);
    const s = screen({ cert: root, origin: 'network' }, { confirmed: new Set([other, root.sha256]) });
    expect(s.refusal).toBeUndefined();
    expect(s.fingerprintMismatch).toBeUndefined();
  });

  it('keeps the file a refused certificate came from', () => {
    expect(screen({ cert: leaf, origin: 'file', file: '/tmp/site.pem' })).toMatchObject({
      file: '/tmp/site.pem',
      refusal: expect.stringMatching(/^it is not a CA certificate but a site's own; /),
    });
  });

  it('judges validity at the given time', () => {
    const later = new Date(root.notAfter.getTime() + 86400_000);
    expect(screen({ cert: root, origin: 'file' }, { now: later }).warnings).toEqual([
      `expired on ${root.notAfter.toISOString().slice(0, 10)}`,
    ]);
    const earlier = new Date(root.notBefore.getTime() - 86400_000);
    expect(screen({ cert: root, origin: 'file' }, { now: earlier }).warnings[0]).toMatch(/^not valid before/);
  });

  it('collects every warning: expired and weak together', () => {
    const old = cert(
      pki.root('old-weak', 'Old Weak Root', { key: 'rsa1024', notBeforeDays: -30, notAfterDays: -1 }),
    );
    const s = screen({ cert: old, origin: 'os-store' });
    expect(s.warnings.map((w) => w.split(' ')[0])).toEqual(['expired', 'weak']);
    expect(s.refusal).toBeUndefined();
  });
});
