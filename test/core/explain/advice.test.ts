import { describe, expect, it } from 'vitest';
import {
  advise,
  type ErrorClient,
  type ExplainedError,
  KIND,
  RECOGNISERS,
  type VerifyCode,
} from '../../../src/core/explain/index.ts';

const err = (
  client: ErrorClient,
  code: VerifyCode,
  host: string | null = 'pypi.org',
  port: number | null = 443,
) => ({ client, code, host, port, message: '', evidence: '' }) satisfies ExplainedError;

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

  it('Java: its own keystore and keytool', () => {
    const [, what] = advise(err('java', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', null, null));
    expect(what).toContain('$JAVA_HOME/lib/security/cacerts');
    expect(what).toContain('keytool -importcert');
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
        for (const host of ['h.example', null]) {
          const a = advise(err(client, code, host, null));
          expect(a.length).toBeGreaterThan(0);
          for (const s of a) expect(s).not.toMatch(/\{host\}|\{url\}|undefined|null/);
          if (!host) expect(a[0]).toMatch(/the server/);
        }
      }
  });
});
