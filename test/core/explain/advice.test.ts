import { describe, expect, it } from 'vitest';
import {
  advise,
  type ErrorClient,
  type ExplainedError,
  KIND,
  RECOGNISERS,
  type RootSeen,
  type VerifyCode,
} from '../../../src/core/explain/index.ts';

const err = (
  client: ErrorClient,
  code: VerifyCode,
  host: string | null = 'pypi.org',
  port: number | null = 443,
) => ({ client, code, host, port, message: '', evidence: '' }) satisfies ExplainedError;

const ROOTS: RootSeen[] = [
  { where: 'undiagnosed' },
  { where: 'os-store' },
  { where: 'network', sha256: 'ab'.repeat(32) },
  { where: 'none' },
];

describe('advise', () => {
  it('requests behind a proxy: certifi, not the OS store; certifix fix sets REQUESTS_CA_BUNDLE', () => {
    const [why, what] = advise(err('python-requests', 'SELF_SIGNED_CERT_IN_CHAIN'));
    expect(why).toMatch(/proxy/);
    expect(what).toMatch(/certifi, not your OS store/);
    expect(what).toContain('`certifix fix https://pypi.org`');
    expect(what).toContain('REQUESTS_CA_BUNDLE');
  });

  it('an expired certificate is the server owner’s problem: one sentence, no trust advice', () => {
    const a = advise(err('pip', 'CERT_HAS_EXPIRED', 'internal.corp', 8443));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatch(/nothing on your side fixes it/);
    expect(a[0]).toContain('internal.corp');
  });

  it('a hostname mismatch is not fixed by trusting roots', () => {
    expect(advise(err('node', 'HOSTNAME_MISMATCH'))).toEqual([expect.stringMatching(/will not help/)]);
  });

  it("Java: its own keystore; certifix fix's truststore in JAVA_TOOL_OPTIONS, or --java-cacerts", () => {
    const [, linux] = advise(err('java', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', null, null), {
      platform: 'linux',
    });
    expect(linux).toContain('$JAVA_HOME/lib/security/cacerts; /etc/ssl/certs/java/cacerts on Debian');
    expect(linux).toContain('JAVA_TOOL_OPTIONS');
    expect(linux).toContain('`sudo -H certifix fix --client java --java-cacerts`');
    // No hand-run keytool, and no other platform's trust-store types on Linux.
    expect(linux).not.toMatch(/keytool|Windows-ROOT|KeychainStore/);
    const [, windows] = advise(err('java', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { platform: 'win32' });
    expect(windows).toContain('`certifix fix --client java --java-cacerts`');
    expect(windows).not.toMatch(/sudo|Debian|KeychainStore/);
    expect(windows).toContain('-Djavax.net.ssl.trustStoreType=Windows-ROOT');
    const [, mac] = advise(err('java', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { platform: 'darwin' });
    expect(mac).not.toMatch(/Debian|Windows-ROOT|KeychainStore/);
  });

  it('the OS store has the root (diagnosed): certifix fix URL takes it from there', () => {
    const a = advise(err('python-requests', 'SELF_SIGNED_CERT_IN_CHAIN', 'localhost', 18443), {
      root: { where: 'os-store' },
    });
    expect(a).toHaveLength(2);
    expect(a[1]).toContain('Run `certifix fix https://localhost:18443`: it adds the root your OS trusts');
  });

  it('the root came only from the network: no "the root your OS trusts", but --ca or --trust-fingerprint', () => {
    const sha256 = 'ab'.repeat(32);
    const a = advise(err('python-requests', 'SELF_SIGNED_CERT_IN_CHAIN', 'localhost', 18443), {
      root: { where: 'network', sha256 },
    });
    expect(a).toHaveLength(3);
    expect(a.join(' ')).not.toContain('your OS trusts');
    expect(a[1]).toMatch(/not in your OS store either/);
    expect(a[1]).toContain('IT team');
    expect(a[1]).toContain('`certifix fix --ca root.pem`');
    expect(a[1]).toContain(`\`certifix fix https://localhost:18443 --trust-fingerprint ${sha256}\``);
    expect(a[1]).toContain('AB:AB:AB');
    expect(a[2]).toContain('REQUESTS_CA_BUNDLE');
    // Java too: it is told where to get the root, and no Windows store it lacks.
    const java = advise(err('java', 'SELF_SIGNED_CERT_IN_CHAIN'), {
      root: { where: 'network', sha256 },
      platform: 'win32',
    });
    expect(java[1]).toContain('--trust-fingerprint');
    expect(java[2]).not.toContain('Windows-ROOT');
  });

  it('no root anywhere: get it from IT, then certifix fix --ca', () => {
    const a = advise(err('npm', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'r.corp'), { root: { where: 'none' } });
    expect(a[1]).toMatch(/No root in your OS store issued the chain of r\.corp/);
    expect(a[1]).toContain('`certifix fix --ca root.pem`');
    expect(a.join(' ')).not.toContain('your OS trusts');
  });

  it('not diagnosed: the fix is said conditionally, and "diagnosis below" only when there is one', () => {
    const [, what] = advise(err('node', 'SELF_SIGNED_CERT_IN_CHAIN', 'r.corp'));
    expect(what).toContain(
      'Run `certifix fix https://r.corp` (with `--ca root.pem` if your OS store lacks the root too)',
    );
    const [offline] = advise(err('git', 'CERT_VERIFY_FAILED', 'github.com'));
    expect(offline).not.toContain('below');
    expect(offline).toContain('`certifix diagnose https://github.com` shows the chain github.com sends');
    const [diagnosed] = advise(err('git', 'CERT_VERIFY_FAILED', 'github.com'), {
      root: { where: 'os-store' },
    });
    expect(diagnosed).toContain('the diagnosis of github.com below');
  });

  it('puts the port into the fix command only when it is not 443', () => {
    expect(advise(err('npm', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'r.corp', 8443))[1]).toContain(
      'certifix fix https://r.corp:8443',
    );
  });

  it('says "the server" when the error names none, and never leaves a placeholder', () => {
    const clients = [...RECOGNISERS.map((r) => r.client), 'unknown' as const];
    for (const client of clients)
      for (const code of Object.keys(KIND) as VerifyCode[]) {
        for (const host of ['h.example', null])
          for (const root of ROOTS) {
            const a = advise(err(client, code, host, null), { root, platform: 'linux' });
            expect(a.length).toBeGreaterThan(0);
            for (const s of a) expect(s).not.toMatch(/\{\w+\}|undefined|null/);
            if (!host) expect(a[0]).toMatch(/the server/);
          }
      }
  });
});
