/**
 * The stack table and its printed lines, offline: where each client checks the name decides which error wins,
 * and each template reproduces the real wording (the outputs quoted here were recorded by the fidelity matrix).
 */
import { describe, expect, it } from 'vitest';
import { nodeCode, printLine, pyRepr } from '../../src/clients/printed.ts';
import { STACKS } from '../../src/clients/stack-table.ts';
import { observable, stackOf } from '../../src/clients/stacks.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { predict, type VerifyPolicy } from '../../src/core/predict.ts';
import { TrustIndex } from '../../src/core/trust-index.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const cert = (pem: string) => parseCerts(pem).certs[0] as Cert;
const root = pki.root('root', 'Stacks Root');
const other = pki.leaf('other', 'other.test', root);
const cnOnly = pki.leaf('cn-only', 'localhost', root, { dns: [] });
const rsa1024 = pki.leaf('rsa1024', 'localhost', root, { key: 'rsa1024' });
const trusted = new TrustIndex([cert(root.pem)]);
const nothing = new TrustIndex([]);

const policy = (id: 'python-ssl' | 'python-requests' | 'curl' | 'node', level: number): VerifyPolicy => {
  const s = STACKS[id]?.at(-1);
  if (!s) throw new Error(id);
  const profile = s.profile === 'python' ? 'openssl' : s.profile;
  return { profile, securityLevel: level, hostCheck: s.hostCheck, hostFlags: s.host };
};

describe('the order of chain and name checks', () => {
  it.each([
    // Node checks the name only once the chain verified: an unknown issuer wins over a wrong name (a lone
    // leaf: Node reports OpenSSL's last error, "unable to verify the first certificate").
    ['node', nothing, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['node', trusted, 'HOSTNAME_MISMATCH'],
    ['curl', nothing, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['python-requests', trusted, 'HOSTNAME_MISMATCH'],
  ] as const)('%s, wrong name', (id, store, code) => {
    const v = predict(policy(id, 1), {
      leaf: cert(other.pem),
      untrusted: [],
      trusted: store,
      host: 'localhost',
    });
    expect(v.code).toBe(code);
  });

  it('urllib3 2 never falls back to the CN; the ssl module and Node do', () => {
    const run = (id: 'python-ssl' | 'python-requests' | 'node') =>
      predict(policy(id, 1), { leaf: cert(cnOnly.pem), untrusted: [], trusted, host: 'localhost' }).code;
    expect(run('python-requests')).toBe('HOSTNAME_MISMATCH');
    expect(run('python-ssl')).toBe('OK');
    expect(run('node')).toBe('OK');
  });

  it('security level 2 refuses an RSA-1024 leaf before looking for its issuer; level 1 accepts it', () => {
    const leaf = cert(rsa1024.pem);
    expect(
      predict(policy('curl', 2), { leaf, untrusted: [], trusted: nothing, host: 'localhost' }).code,
    ).toBe('EE_KEY_TOO_SMALL');
    expect(predict(policy('node', 1), { leaf, untrusted: [], trusted, host: 'localhost' }).ok).toBe(true);
  });
});

describe('printed lines', () => {
  const leaf = cert(other.pem);
  const f = { host: 'localhost', port: 8443, leaf, pythonVersion: '3.11.7' };
  it.each([
    [
      'pip-urllib3-1',
      'HOSTNAME_MISMATCH',
      `Could not fetch URL https://localhost:8443/simple/certifix-probe/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: /simple/certifix-probe/ (Caused by SSLError(CertificateError("hostname 'localhost' doesn't match 'other.test'"))) - skipping`,
    ],
    [
      'requests',
      'IP_ADDRESS_MISMATCH',
      `requests.exceptions.SSLError: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for 'localhost'. (_ssl.c:1006)")))`,
    ],
    [
      'git-gnutls',
      'HOSTNAME_MISMATCH',
      `fatal: unable to access 'https://localhost:8443/': SSL: certificate subject name (other.test) does not match target host name 'localhost'`,
    ],
    ['curl', 'INVALID_PURPOSE', 'curl: (60) SSL certificate problem: unsuitable certificate purpose'],
    ['node', 'CA_MD_TOO_WEAK', "Error: CA signature digest algorithm too weak\ncode: 'UNSPECIFIED'"],
    [
      'node',
      'HOSTNAME_MISMATCH',
      "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:other.test\ncode: 'ERR_TLS_CERT_ALTNAME_INVALID'",
    ],
  ] as const)('%s %s', (style, code, line) => {
    expect(printLine(style, { ...f, code, message: '' })).toBe(line);
  });

  it("Python's repr quoting and Node's code table", () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr(`a'"b`)).toBe(`'a\\'"b'`);
    expect(nodeCode('PERMITTED_VIOLATION')).toBe('UNSPECIFIED');
    expect(nodeCode('PATH_LENGTH_EXCEEDED')).toBe('PATH_LENGTH_EXCEEDED');
  });

  it('git through GnuTLS shows one code for every chain error; rows are chosen by installation', () => {
    expect(observable('git', 'CERT_HAS_EXPIRED')).toBe('VERIFY_FAILED');
    expect(observable('git', 'HOSTNAME_MISMATCH')).toBe('HOSTNAME_MISMATCH');
    expect(
      stackOf('pip', { client: 'pip', path: '', version: '24.2', details: { pythonVersion: '3.12.1' } })
        ?.print,
    ).toBe('pip-truststore');
    expect(stackOf('pip', { client: 'pip', path: '', version: '23.2.1' })?.print).toBe('pip-urllib3-1');
    const pip26 = {
      client: 'pip' as const,
      path: '',
      version: '26.2.1',
      details: { pythonVersion: '3.11.7' },
    };
    expect(stackOf('pip', pip26)?.print).toBe('pip-python-line');
  });
});
