/**
 * The gnutls profile on chains made with the real openssl CLI, each case checked against its expected GnuTLS
 * status flags and against the real `certtool --verify` (same trust file, host name and purpose), plus what only
 * libcurl-gnutls (git) does: the host name is checked after the chain, and no purpose is asked for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../../src/core/cert.ts';
import { type GnutlsProfile, verifyChain } from '../../../src/core/verify/index.ts';
import { type Issued, Pki } from '../../helpers/pki.ts';
import { hasCerttool, runCerttool } from './gnutls-oracle.ts';
import { hasOpenssl } from './oracle.ts';

const P: Record<string, Issued> = {};
const cert = (n: string): Cert => parseCerts((P[n] as Issued).pem).certs[0] as Cert;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

interface Case {
  name: string;
  chain: string[];
  trusted: string[];
  host?: string;
  purpose?: string;
  profile?: GnutlsProfile;
  /** flags without the GNUTLS_CERT_ prefix, GNUTLS_CERT_INVALID left out; [] = trusted */
  status: string[];
  code: string;
}

const cases: Case[] = [
  {
    name: 'valid chain',
    chain: ['leaf', 'int'],
    trusted: ['root'],
    host: 'app.corp.test',
    status: [],
    code: 'OK',
  },
  {
    name: 'missing intermediate',
    chain: ['leaf'],
    trusted: ['root'],
    status: ['SIGNER_NOT_FOUND'],
    code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  },
  {
    name: 'wrong host, trusted root',
    chain: ['leaf', 'int'],
    trusted: ['root'],
    host: 'other.test',
    status: ['UNEXPECTED_OWNER'],
    code: 'HOSTNAME_MISMATCH',
  },
  {
    name: 'root in no store, wrong host',
    chain: ['leaf', 'int', 'root'],
    trusted: ['other'],
    host: 'other.test',
    status: ['SIGNER_NOT_FOUND', 'UNEXPECTED_OWNER'],
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  },
  {
    name: 'clientAuth-only EKU, no purpose (git)',
    chain: ['clientLeaf', 'int'],
    trusted: ['root'],
    status: [],
    code: 'OK',
  },
  {
    name: 'clientAuth-only EKU, TLS server purpose (gnutls-cli)',
    chain: ['clientLeaf', 'int'],
    trusted: ['root'],
    purpose: SERVER_AUTH,
    status: ['PURPOSE_MISMATCH'],
    code: 'INVALID_PURPOSE',
  },
  {
    name: 'SHA-1 leaf',
    chain: ['sha1Leaf', 'int'],
    trusted: ['root'],
    status: ['INSECURE_ALGORITHM'],
    code: 'CA_MD_TOO_WEAK',
  },
  {
    name: 'RSA-1024 leaf, no profile',
    chain: ['weakLeaf', 'int'],
    trusted: ['root'],
    status: [],
    code: 'OK',
  },
  {
    name: 'RSA-1024 leaf, profile LOW (git)',
    chain: ['weakLeaf', 'int'],
    trusted: ['root'],
    profile: 'low',
    status: [],
    code: 'OK',
  },
  {
    name: 'RSA-1024 leaf, profile MEDIUM',
    chain: ['weakLeaf', 'int'],
    trusted: ['root'],
    profile: 'medium',
    status: ['INSECURE_ALGORITHM'],
    code: 'EE_KEY_TOO_SMALL',
  },
  {
    name: 'expired leaf',
    chain: ['expiredLeaf', 'int'],
    trusted: ['root'],
    status: ['EXPIRED'],
    code: 'CERT_HAS_EXPIRED',
  },
  {
    name: 'CN-only certificate: CN fallback',
    chain: ['cnOnly', 'int'],
    trusted: ['root'],
    host: 'cn.corp.test',
    status: [],
    code: 'OK',
  },
  {
    name: 'wrong order, root and an unrelated certificate included',
    chain: ['leaf', 'other', 'root', 'int'],
    trusted: ['root'],
    host: 'app.corp.test',
    status: [],
    code: 'OK',
  },
  {
    name: 'self-signed leaf',
    chain: ['selfLeaf'],
    trusted: ['root'],
    status: ['SIGNER_NOT_FOUND'],
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  },
  {
    name: 'IP target, IP SAN',
    chain: ['ipLeaf', 'int'],
    trusted: ['root'],
    host: '10.1.2.3',
    status: [],
    code: 'OK',
  },
  {
    name: 'IP target, IP only in the CN',
    chain: ['ipCn', 'int'],
    trusted: ['root'],
    host: '10.9.9.9',
    status: ['UNEXPECTED_OWNER'],
    code: 'IP_ADDRESS_MISMATCH',
  },
  {
    name: 'path length violated',
    chain: ['deepLeaf', 'sub', 'pl0'],
    trusted: ['root'],
    status: ['SIGNER_CONSTRAINTS_FAILURE'],
    code: 'PATH_LENGTH_EXCEEDED',
  },
];

const skip = !hasOpenssl() || (!hasCerttool() && process.env.CI !== 'true');

describe.skipIf(skip)(
  `gnutls profile on generated PKIs, certtool as oracle${skip ? ' (skipped: openssl or certtool missing)' : ''}`,
  () => {
    let pki: Pki;
    beforeAll(() => {
      pki = new Pki();
      P.root = pki.root('root', 'Corp Root CA');
      P.other = pki.root('other', 'Other Root CA');
      P.int = pki.intermediate('int', 'Corp Issuing CA', P.root);
      P.leaf = pki.leaf('leaf', 'app.corp.test', P.int);
      P.clientLeaf = pki.leaf('clientLeaf', 'client.corp.test', P.int, {
        noEku: true,
        extraExt: ['extendedKeyUsage=clientAuth'],
      });
      P.sha1Leaf = pki.leaf('sha1Leaf', 'sha1.corp.test', P.int, { digest: 'sha1' });
      P.weakLeaf = pki.leaf('weakLeaf', 'weak.corp.test', P.int, { key: 'rsa1024' });
      P.expiredLeaf = pki.leaf('expiredLeaf', 'old.corp.test', P.int, {
        notBeforeDays: -30,
        notAfterDays: -1,
      });
      P.cnOnly = pki.leaf('cnOnly', 'cn.corp.test', P.int, { dns: [] });
      P.selfLeaf = pki.issue('selfLeaf', { cn: 'self.corp.test' });
      P.ipLeaf = pki.leaf('ipLeaf', 'ip.corp.test', P.int, { ips: ['10.1.2.3'] });
      P.ipCn = pki.leaf('ipCn', '10.9.9.9', P.int, { dns: [] });
      P.pl0 = pki.intermediate('pl0', 'Corp Policy CA', P.root, { pathLen: 0 });
      P.sub = pki.intermediate('sub', 'Corp Sub CA', P.pl0);
      P.deepLeaf = pki.leaf('deepLeaf', 'deep.corp.test', P.sub);
    }, 60_000);

    for (const c of cases)
      it(`${c.name} -> ${c.status.join(' ') || 'trusted'}`, async () => {
        const r = verifyChain({
          leaf: cert(c.chain[0] as string),
          untrusted: c.chain.slice(1).map(cert),
          trusted: c.trusted.map(cert),
          host: c.host,
          profile: 'gnutls',
          gnutls: { caller: 'certtool', purpose: c.purpose, profile: c.profile },
        });
        const want = c.status.length ? ['INVALID', ...c.status].map((s) => `GNUTLS_CERT_${s}`).sort() : [];
        expect([...(r.gnutls?.status ?? [])].sort()).toEqual(want);
        expect({ ok: r.ok, code: r.code }).toEqual({ ok: c.status.length === 0, code: c.code });
        const o = await runCerttool({
          chain: pki.bundle(
            `g-${c.chain.join('-')}`,
            c.chain.map((n) => P[n] as Issued),
          ),
          caFile: pki.bundle(
            `ca-${c.trusted.join('-')}`,
            c.trusted.map((n) => P[n] as Issued),
          ),
          hostname: c.host,
          purpose: c.purpose,
          profile: c.profile,
        });
        expect(o.status).toEqual(want);
      });

    it('git (libcurl-gnutls) checks the host name only once the chain verified', () => {
      const input = {
        leaf: cert('leaf'),
        untrusted: [cert('int')],
        host: 'other.test',
        profile: 'gnutls' as const,
      };
      const untrusted = verifyChain({ ...input, trusted: [cert('other')] });
      expect(untrusted.gnutls).toMatchObject({
        hostMismatch: false,
        status: ['GNUTLS_CERT_INVALID', 'GNUTLS_CERT_SIGNER_NOT_FOUND'],
      });
      const trusted = verifyChain({ ...input, trusted: [cert('root')] });
      expect(trusted).toMatchObject({ ok: false, code: 'HOSTNAME_MISMATCH', gnutls: { hostMismatch: true } });
    });

    it('git accepts the clientAuth-only leaf OpenSSL refuses', () => {
      const input = { leaf: cert('clientLeaf'), untrusted: [cert('int')], trusted: [cert('root')] };
      expect(verifyChain({ ...input, profile: 'openssl' }).code).toBe('INVALID_PURPOSE');
      expect(verifyChain({ ...input, profile: 'gnutls' }).ok).toBe(true);
    });
  },
);
