import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_IDS } from '../../src/clients/ids.ts';
import { verdictFromOutput } from '../../src/clients/messages.ts';
import { registry } from '../../src/clients/registry.ts';
import { renderOf } from '../../src/clients/renders.ts';
import type { ClientId } from '../../src/types.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', `${n}.txt`), 'utf8');

/** Real outputs (test/clients/fixtures) → the code certifix must read from them. */
const cases: [string, string][] = [
  ['python-requests-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['python-requests-unable-to-get-issuer', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['python-requests-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['python-requests-missing-bundle', 'CA_FILE_UNREADABLE'],
  ['pip-missing-bundle', 'CA_FILE_UNREADABLE'],
  ['python-ssl-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['python-ssl-py313-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['pip-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['pip-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['pip24-py313-unable-to-get-issuer', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['curl-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['curl-unable-to-get-issuer', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['curl-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['curl-missing-bundle', 'CA_FILE_UNREADABLE'],
  ['git-self-signed-in-chain', 'VERIFY_FAILED'],
  ['git-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['git-missing-bundle', 'CA_FILE_UNREADABLE'],
  ['node-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['node-unable-to-get-issuer', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['node-hostname-mismatch', 'HOSTNAME_MISMATCH'],
  ['npm-self-signed-in-chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['npm-hostname-mismatch', 'HOSTNAME_MISMATCH'],
];

describe('verdictFromOutput on recorded client output', () => {
  it.each(cases)('%s → %s', (name, code) => {
    const v = verdictFromOutput(fx(name), 1);
    expect(v.code).toBe(code);
    expect(v.ok).toBe(false);
    expect(v.printed).toBeTruthy();
  });
  it.each(['git-ok-404', 'npm-ok-404', 'pip-ok-404'])(
    '%s: an HTTP failure after the handshake is TLS OK',
    (name) => {
      expect(verdictFromOutput(fx(name), 1)).toMatchObject({ ok: true, code: 'OK' });
    },
  );
});

describe("Python's line names the _ssl.c line of the interpreter's version", () => {
  it.each([
    [
      'python-ssl-py313-unable-to-get-issuer',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
    ],
    ['python-ssl-py313-hostname-mismatch', 'HOSTNAME_MISMATCH', 'hostname mismatch'],
  ])('%s', (fixture, code, message) => {
    const inst = { client: 'python-ssl' as const, path: '/py', details: { pythonVersion: '3.13.0' } };
    const line =
      registry.get('python-ssl')?.render({ ok: false, code, message }, 'localhost', undefined, inst) ?? '';
    expect(line).toContain('(_ssl.c:1020)');
    expect(fx(fixture)).toContain(line);
  });
});

describe('render reproduces the recorded line', () => {
  const rendered: [ClientId, string, string, string][] = [
    [
      'python-requests',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'python-requests-self-signed-in-chain',
    ],
    ['python-ssl', 'HOSTNAME_MISMATCH', 'Hostname mismatch', 'python-ssl-hostname-mismatch'],
    [
      'curl',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
      'curl-unable-to-get-issuer',
    ],
    ['curl', 'HOSTNAME_MISMATCH', 'Hostname mismatch', 'curl-hostname-mismatch'],
    [
      'node',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'node-self-signed-in-chain',
    ],
    [
      'npm',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'npm-self-signed-in-chain',
    ],
  ];
  it.each(rendered)('%s %s', (id, code, message, fixture) => {
    // The fixtures were recorded against localhost:8443 (npm and requests quote the port).
    const line = registry.get(id)?.render({ ok: false, code, message }, 'localhost', 8443) ?? '';
    const text = fx(fixture);
    // Every rendered line occurs verbatim in the real output (Node's code is printed on a later line).
    for (const part of line.split('\n')) expect(text).toContain(part.replace(/ \{ code: .*$/, ''));
  });
  it('git (GnuTLS) wording', () => {
    const line =
      registry
        .get('git')
        ?.render({ ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN', message: '' }, 'localhost:8443/repo.git') ??
      '';
    expect(fx('git-self-signed-in-chain')).toContain(line);
  });
});

describe('registry', () => {
  it('lists every client once, as ids.ts lists them without loading adapters, and refuses duplicates', async () => {
    expect(registry.ids()).toEqual(CLIENT_IDS);
    expect(new Set(CLIENT_IDS).size).toBe(CLIENT_IDS.length);
    const { ClientRegistry, CLIENTS } = await import('../../src/clients/registry.ts');
    expect(() => new ClientRegistry([...CLIENTS, CLIENTS[0] as never])).toThrow(/duplicate/);
  });
});

describe('renderOf', () => {
  // The kept resolution renders verdicts by id (commands/diagnose.ts), without loading the adapter.
  const verdicts = [
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'HOSTNAME_MISMATCH',
    'CERT_HAS_EXPIRED',
  ];
  it.each(CLIENT_IDS)("prints %s's line as its adapter does", (id) => {
    const client = registry.get(id);
    for (const code of verdicts) {
      const v = { ok: false, code, message: `${code} message` } as const;
      expect(renderOf(id)(v, 'host.test', 8443)).toBe(client?.render(v, 'host.test', 8443));
    }
  });
});
