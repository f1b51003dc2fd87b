/**
 * The macOS reader on recorded `security` outputs (test/stores/fixtures/README.md cites each): trust settings as
 * `trust-settings-export` and `dump-trust-settings` printed them on real Macs, Apple's own root certificates
 * for the keychain listings, and the certificates a test makes where a recording names one only by its label.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Cert, isIssuedBy } from '../../src/core/cert.ts';
import { parseFindCertificate, systemStore, trustedFrom } from '../../src/stores/darwin.ts';
import {
  type DomainSettings,
  emptyDomain,
  nodeLists,
  osDecision,
  parseTrustDump,
  parseTrustExport,
  sslDecision,
} from '../../src/stores/darwin-trust.ts';
import { isMozillaRoot, localOf } from '../../src/stores/index.ts';
import { parsePemCached } from '../../src/stores/load.ts';
import { ADMIN_2017, fakeSecurity, fixture as fx } from '../helpers/fake-security.ts';
import { Pki } from '../helpers/pki.ts';

const exported = (n: string): DomainSettings => ({ bySha1: parseTrustExport(fx(n)), byLabel: new Map() });
const dumped = (n: string): DomainSettings => ({ bySha1: new Map(), byLabel: parseTrustDump(fx(n)) });
const cn = (subject: string) => /CN=([^,]+)/.exec(subject)?.[1];

/** Apple's roots (security_certificates-55093.1.2) as `find-certificate -p` lists SystemRootCertificates. */
const shipped = parseFindCertificate(fx('security-find-certificate-system-roots.txt'));
/** GeoTrust Primary Certification Authority - G3, placed in System.keychain for these tests. */
const systemKeychain = parseFindCertificate(fx('security-find-certificate-system-keychain.txt'));
/** Exported with `security trust-settings-export -d` (cert-manage's store/darwin.go) in 2017. */
const admin2017 = exported('security-trust-settings-export-certmanage-2017.plist');
const ADDTRUST_CLASS1 = 'CCAB0EA04C2301D6697BDD379FCD12EB24E3949D';

describe('trust-settings-export records (recorded)', () => {
  it('2015: unconstrained entries, Deny and Unspecified, keyed by SHA-1 so one name can carry both', () => {
    const record = parseTrustExport(fx('security-trust-settings-export-certmanage-2015.plist'));
    const lists = [...record.values()];
    expect(lists).toHaveLength(221);
    expect(lists.filter((l) => l.length === 0)).toHaveLength(188);
    const results = lists.flatMap((l) => l.map((s) => s.result));
    expect(results.filter((r) => r === 'kSecTrustSettingsResultDeny')).toHaveLength(21);
    expect(results.filter((r) => r === 'kSecTrustSettingsResultUnspecified')).toHaveLength(12);
    // Two certificates issued as "DigiNotar Root CA": one denied, one left to the system policy.
    expect(record.get('C060ED44CBD881BD0EF86C0BA287DDCF8167478C')).toEqual([
      { result: 'kSecTrustSettingsResultDeny' },
    ]);
    expect(record.get('FFAD0E26F05BBCD8063CCE1DFA60245E143D5380')).toEqual([
      { result: 'kSecTrustSettingsResultUnspecified' },
    ]);
    // Apple's roots are in it without constraints (155 of the 164 it shipped in 2017), so trusted.
    const domain = { bySha1: record, byLabel: new Map() };
    expect(shipped.map((c) => osDecision(c, emptyDomain(), domain))).toEqual(shipped.map(() => 'trust'));
  });

  it('2017: "Never Trust" as Keychain Access records it, one Deny per policy, SSL first', () => {
    const never = admin2017.bySha1.get(ADDTRUST_CLASS1) ?? [];
    expect(never).toHaveLength(13);
    expect(never[0]).toEqual({ policy: '1.2.840.113635.100.1.3', result: 'kSecTrustSettingsResultDeny' });
    expect(never.at(-1)).toEqual({ result: 'kSecTrustSettingsResultDeny' });
    const addTrust = shipped.find((c) => cn(c.subject) === 'AddTrust Class 1 CA Root');
    expect(addTrust && osDecision(addTrust, emptyDomain(), admin2017)).toBe('deny');
  });
});

describe('dump-trust-settings listings (recorded)', () => {
  it('"Always Trust" from Keychain Access: ten settings, Allowed Error and unknown policy OIDs', () => {
    const admin = parseTrustDump(fx('security-dump-trust-settings-kolide-admin.txt'));
    const settings = admin.get('Example Root CA') ?? [];
    expect(settings).toHaveLength(10);
    expect(settings[7]).toEqual({
      policy: 'Unknown OID length 9, value { 2C 72 48 86 D7 63 62 01 14  }',
      result: 'kSecTrustSettingsResultTrustRoot',
    });
    expect(settings[9]).toEqual({ result: 'kSecTrustSettingsResultTrustRoot' });
    expect(sslDecision(settings, true)).toBe('trust');
    expect(sslDecision(settings, false)).toBe('unspecified'); // TrustRoot is for roots
  });

  it('no settings at all ("Number of trust settings : 0"): always trust, for a root', () => {
    const system = parseTrustDump(fx('security-dump-trust-settings-kolide-system.txt'));
    expect([...system.keys()]).toContain('NAVER Global Root Certification Authority');
    expect([...system.values()].every((s) => s.length === 0 && sslDecision(s, true) === 'trust')).toBe(true);
    expect(parseTrustDump(fx('security-dump-trust-settings-kolide-mdm.txt')).get('SimpleMDM')).toEqual([]);
  });

  // golang/go#24652 (cvigo): trust for EAP/Basic only, or for SSL to one host only, is not trust for TLS.
  it('narrowed settings are not trust for TLS', () => {
    const dump = parseTrustDump(fx('security-dump-trust-settings-go24652.txt'));
    expect(dump.get('isepsncorpeditc2.igrupobbva')).toEqual([
      { policy: 'EAP', result: 'kSecTrustSettingsResultTrustAsRoot' },
      { policy: 'Apple X509 Basic', result: 'kSecTrustSettingsResultTrustAsRoot' },
    ]);
    expect(dump.get('link.live.es.platform.bbva.com')?.[0]).toEqual({
      policy: 'SSL',
      policyString: '185.24.6.15',
      result: 'kSecTrustSettingsResultTrustAsRoot',
    });
    for (const settings of dump.values()) expect(sslDecision(settings, false)).toBe('unspecified');
  });
});

describe('SSL decision rules', () => {
  it.each([
    { name: 'empty list: always trust a root', settings: [], self: true, want: 'trust' },
    { name: 'empty list: nothing for a non-root', settings: [], self: false, want: 'unspecified' },
    { name: 'no Result: TrustRoot', settings: [{ policy: 'SSL' }], self: true, want: 'trust' },
    {
      name: 'Never Trust for SSL',
      settings: [{ policy: 'SSL', result: 'kSecTrustSettingsResultDeny' }],
      self: true,
      want: 'deny',
    },
    {
      name: 'TrustAsRoot on a non-root',
      settings: [{ result: 'kSecTrustSettingsResultTrustAsRoot' }],
      self: false,
      want: 'trust',
    },
    {
      name: 'Unspecified then TrustRoot',
      settings: [
        { result: 'kSecTrustSettingsResultUnspecified' },
        { result: 'kSecTrustSettingsResultTrustRoot' },
      ],
      self: true,
      want: 'trust',
    },
    {
      name: 'one application only',
      settings: [{ application: '/Applications/X.app', result: 'kSecTrustSettingsResultTrustRoot' }],
      self: true,
      want: 'unspecified',
    },
  ])('$name', ({ settings, self, want }) => {
    expect(sslDecision(settings, self)).toBe(want);
  });
});

describe('the keychains and the settings together', () => {
  it("Apple's roots minus the denied one, plus the System keychain root the admin domain trusts", () => {
    const trusted = trustedFrom(shipped, systemKeychain, emptyDomain(), admin2017);
    const names = trusted.map((c) => cn(c.subject) ?? c.subject);
    expect(names).not.toContain('AddTrust Class 1 CA Root');
    expect(names).toContain('GeoTrust Primary Certification Authority - G3');
    expect(trusted).toHaveLength(shipped.length);
    // Locally added: the System keychain's root; Apple's own (Apple Root CA, SECOM EV RootCA1) are not, though
    // Mozilla ships neither.
    const local = localOf({ files: [], dirs: [], certs: trusted, shipped }, isMozillaRoot);
    expect(local.map((c) => cn(c.subject))).toEqual(['GeoTrust Primary Certification Authority - G3']);
  });

  it('a keychain certificate without settings is not trusted', () => {
    expect(trustedFrom([], systemKeychain, emptyDomain(), emptyDomain())).toEqual([]);
  });

  it('admin settings overrule the user domain (trustd), whichever says what', () => {
    const user2015 = exported('security-trust-settings-export-certmanage-2015.plist');
    const addTrust = shipped.find((c) => cn(c.subject) === 'AddTrust Class 1 CA Root');
    if (!addTrust) throw new Error('fixture');
    expect(osDecision(addTrust, user2015, admin2017)).toBe('deny');
    expect(osDecision(addTrust, admin2017, user2015)).toBe('trust');
  });
});

/**
 * Node's list (tls.getCACertificates('system') on macOS), modelled from crypto_context.cc on the same data:
 * it agrees with the reader on what the keychains add, and differs where its rules do.
 */
describe("Node's macOS rules against the reader", () => {
  const pki = new Pki();
  const company = pki.root('example-root', 'Example Root CA');
  const intermediate = pki.intermediate('example-int', 'Example Issuing CA', company);
  const [companyCert] = parsePemCached(company.pem);
  const [intermediateCert] = parsePemCached(intermediate.pem);
  if (!companyCert || !intermediateCert) throw new Error('pki');
  /** SecTrustEvaluateWithError, as far as modelled here: trusted itself, or issued by a trusted certificate. */
  const evaluates = (trusted: readonly Cert[]) => (c: Cert) =>
    trusted.some((t) => t.sha256 === c.sha256 || isIssuedBy(c, t));

  it('agree: the System keychain root that the admin domain trusts, the login root a recorded dump trusts', () => {
    const user = dumped('security-dump-trust-settings-kolide-admin.txt'); // "Example Root CA", Always Trust
    const keychains = [...systemKeychain, companyCert];
    const reader = trustedFrom(shipped, keychains, user, admin2017);
    const node = keychains.filter((c) => nodeLists(c, user, admin2017, () => evaluates(reader)(c)));
    const added = reader.filter((c) => !shipped.includes(c));
    expect(node.map((c) => c.sha256).sort()).toEqual(added.map((c) => c.sha256).sort());
  });

  it('differ: Node lists an intermediate that chains to a trusted root; the reader lists anchors only', () => {
    const user = dumped('security-dump-trust-settings-kolide-admin.txt');
    const keychains = [companyCert, intermediateCert];
    const reader = trustedFrom([], keychains, user, emptyDomain());
    expect(reader.map((c) => cn(c.subject))).toEqual(['Example Root CA']);
    const node = keychains.filter((c) => nodeLists(c, user, emptyDomain(), () => evaluates(reader)(c)));
    expect(node.map((c) => cn(c.subject))).toEqual(['Example Root CA', 'Example Issuing CA']);
  });

  it('differ: Node leaves out an expired root that the admin domain trusts (AddTrust External, 2020)', () => {
    const expired = shipped.find((c) => cn(c.subject) === 'AddTrust External CA Root');
    if (!expired) throw new Error('fixture');
    expect(trustedFrom([], [expired], emptyDomain(), admin2017)).toEqual([expired]);
    expect(nodeLists(expired, emptyDomain(), admin2017, () => true)).toBe(false);
  });

  it('differ: Node lets the user domain decide first, trustd the admin domain', () => {
    const user2015 = exported('security-trust-settings-export-certmanage-2015.plist');
    const addTrust = shipped.find((c) => cn(c.subject) === 'AddTrust Class 1 CA Root');
    if (!addTrust) throw new Error('fixture');
    // In a keychain, denied by the user domain (2017 record), trusted without constraints by the admin (2015).
    expect(osDecision(addTrust, admin2017, user2015)).toBe('trust');
    expect(nodeLists(addTrust, admin2017, user2015, () => true)).toBe(false);
  });
});

describe('systemStore through a `security` stand-in', () => {
  it('reads the exports by SHA-1, an empty domain as such, and leaves no file behind', async () => {
    const run = fakeSecurity(ADMIN_2017);
    const store = await systemStore({ env: {}, platform: 'darwin', run });
    expect(store.shipped).toHaveLength(shipped.length);
    expect(store.certs.map((c) => cn(c.subject))).toContain('GeoTrust Primary Certification Authority - G3');
    expect(store.certs.map((c) => cn(c.subject))).not.toContain('AddTrust Class 1 CA Root');
    expect(run.files).toHaveLength(2);
    for (const f of run.files) {
      expect(f.startsWith(tmpdir())).toBe(true);
      expect(existsSync(dirname(f))).toBe(false);
    }
  });

  it('falls back to dump-trust-settings (by label) when the export fails', async () => {
    const run = fakeSecurity({
      login: companyPem(),
      export: { admin: 'fail' },
      dump: { admin: 'security-dump-trust-settings-kolide-admin.txt' },
    });
    const store = await systemStore({ env: {}, platform: 'darwin', run });
    expect(store.certs.map((c) => cn(c.subject))).toContain('Example Root CA');
    expect(store.certs.map((c) => cn(c.subject))).not.toContain(
      'GeoTrust Primary Certification Authority - G3',
    );
    for (const f of run.files) expect(existsSync(dirname(f))).toBe(false);
  });
});

function companyPem(): string {
  return new Pki().root('example-root-login', 'Example Root CA').pem;
}
