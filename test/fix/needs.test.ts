/**
 * Which clients `fix` configures (src/fix/needs.ts), table-driven over trust sources made of real PEM files:
 * a client on the OS store is left alone, one whose store lacks a locally-trusted or chosen root is
 * configured, a failing predicted verdict configures, and an earlier fix's setting is kept. A client that only
 * the OS store reaches (Debian's urllib3) is never configured: it is `blocked`, and says what would do it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/apply/index.ts';
import type { Client } from '../../src/clients/types.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import type { Plan } from '../../src/core/plan.ts';
import { chooseClients, sslCertFileNote, verdictsById } from '../../src/fix/needs.ts';
import type { Context, Installation, TrustSource } from '../../src/types.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const pki = new Pki();
const dir = mkdtempSync(join(tmpdir(), 'certifix-needs-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});
const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;
const corp = pki.root('corp', 'Corp Proxy Root CA', { subjectPrefix: '/O=Corp' });
const internal = pki.root('internal', 'Corp Internal Root CA', { subjectPrefix: '/O=Corp' });
const chosen = pki.root('chosen', 'Chosen Root CA', { subjectPrefix: '/O=Elsewhere' });

function pem(name: string, ...roots: Issued[]): string {
  const f = join(dir, `${name}.pem`);
  writeFileSync(f, roots.map((r) => r.pem).join(''));
  return f;
}
const osFile = pem('os', corp, internal);
const certifiFile = pem('certifi', chosen); // a store without the company roots
const BUNDLE = join(dir, 'bundle.pem');
writeFileSync(BUNDLE, '');

const ctx = { env: {}, home: dir, cwd: dir, platform: 'linux' } as unknown as Context;

function fake(id: Client['id'], source: Partial<TrustSource>, envName = `${id.toUpperCase()}_CA`): Client {
  const full: TrustSource = {
    source: 'system',
    path: null,
    files: [],
    dirs: [],
    profile: 'openssl',
    why: 'x.',
    ...source,
  };
  return {
    id,
    detect: async () => [{ client: id, path: `/usr/bin/${id}` }],
    trust: async () => full,
    render: () => '',
    plan: (_i, bundle): Plan => ({
      owner: id,
      summary: '',
      changes: [{ kind: 'env', name: envName, value: bundle }],
    }),
    check: async () => ({ ok: true, code: 'OK', message: 'ok' }),
  };
}
const inst = (c: Client, path = `/usr/bin/${c.id}`): { client: Client; inst: Installation } => ({
  client: c,
  inst: { client: c.id, path },
});

const onOs = fake('curl', {
  source: 'system',
  path: osFile,
  files: [osFile],
  why: 'curl uses its built-in CA file.',
});
const onCertifi = fake('python-requests', { source: 'certifi', path: certifiFile, files: [certifiFile] });
const onBundle = fake('node', {
  source: 'bundled+extra',
  path: BUNDLE,
  files: [BUNDLE],
  via: 'NODE_EXTRA_CA_CERTS',
});

const base = { local: [cert(corp), cert(internal)], chosen: [] as Cert[], bundlePath: BUNDLE, journal: null };

describe('chooseClients', () => {
  it('leaves a client on the OS store alone and configures one whose store lacks the local roots', async () => {
    const out = await chooseClients({ ...base, installs: [inst(onOs), inst(onCertifi)] }, ctx);
    expect(out.map((c) => [c.id, c.configure])).toEqual([
      ['curl', false],
      ['python-requests', true],
    ]);
    expect(out[0]?.reason).toBe('left alone: already trusts the OS store (curl uses its built-in CA file)');
    expect(out[1]?.reason).toBe(
      `configured because its CA store (${certifiFile}) lacks 2 roots your OS trusts locally: "O=Corp, CN=Corp Proxy Root CA", "O=Corp, CN=Corp Internal Root CA"`,
    );
  });

  it('configures a client on the OS store for a chosen root the OS store lacks (--ca)', async () => {
    const out = await chooseClients({ ...base, chosen: [cert(chosen)], installs: [inst(onOs)] }, ctx);
    expect(out[0]).toMatchObject({ configure: true });
    expect(out[0]?.reason).toContain('lacks the chosen root "O=Elsewhere, CN=Chosen Root CA"');
  });

  it('with a URL, a failing predicted verdict configures even a store that holds every local root', async () => {
    const verdicts = new Map([
      ['curl', { ok: false, code: 'X', message: 'unable to get local issuer certificate' }],
    ]);
    const out = await chooseClients({ ...base, installs: [inst(onOs)], verdicts, host: 'a.test' }, ctx);
    expect(out[0]?.reason).toBe(
      'configured because it fails to verify a.test: unable to get local issuer certificate',
    );
  });

  it('keeps a client an earlier fix pointed at the bundle (its store, or the journal says so)', async () => {
    const viaStore = await chooseClients({ ...base, installs: [inst(onBundle)] }, ctx);
    expect(viaStore[0]).toMatchObject({ configure: true });
    expect(viaStore[0]?.reason).toContain('an earlier `certifix fix` pointed it at the bundle');
    const journal = { env: { CURL_CA: BUNDLE }, entries: [] } as unknown as Journal;
    const viaJournal = await chooseClients({ ...base, installs: [inst(onOs)], journal }, ctx);
    expect(viaJournal[0]).toMatchObject({ configure: true });
  });

  it('one installation that needs it configures the client, with that installation’s reason', async () => {
    const other = fake('curl', { source: 'certifi', path: certifiFile, files: [certifiFile] });
    const out = await chooseClients({ ...base, installs: [inst(onOs), inst(other, '/opt/curl')] }, ctx);
    expect(out).toHaveLength(1);
    expect(out[0]?.installs.map((i) => i.path)).toEqual(['/usr/bin/curl', '/opt/curl']);
    expect(out[0]).toMatchObject({ configure: true });
    expect(out[0]?.reason).toContain('lacks 2 roots your OS trusts locally');
  });

  describe('a client only the OS store reaches (Debian’s urllib3)', () => {
    const debian = fake(
      'urllib3',
      {
        source: 'system',
        path: osFile,
        files: [osFile],
        why: "urllib3 1.26.12 is Debian's.",
        onlyOsStore: 'add the root to the OS store',
      },
      'SSL_CERT_FILE',
    );

    it('is blocked, not configured, for a chosen root the OS store lacks, and says what would do it', async () => {
      const out = await chooseClients({ ...base, chosen: [cert(chosen)], installs: [inst(debian)] }, ctx);
      expect(out[0]).toMatchObject({
        configure: false,
        blocked: true,
        reason: 'cannot be configured per user: add the root to the OS store',
      });
      expect(out[0]?.fails).toBeUndefined();
    });

    it('keeps the failing predicted verdict, for the exit code', async () => {
      const bad = { ok: false, code: 'X', message: 'self-signed certificate in certificate chain' };
      const verdicts = new Map([['urllib3', bad]]);
      const out = await chooseClients({ ...base, installs: [inst(debian)], verdicts, host: 'a.test' }, ctx);
      expect(out[0]).toMatchObject({ configure: false, blocked: true, fails: bad });
    });

    it('is left alone when it lacks nothing, even if an earlier fix set the variable its plan names', async () => {
      const journal = { env: { SSL_CERT_FILE: BUNDLE }, entries: [] } as unknown as Journal;
      const out = await chooseClients({ ...base, installs: [inst(debian)], journal }, ctx);
      expect(out[0]).toMatchObject({ configure: false });
      expect(out[0]?.blocked).toBeUndefined();
      expect(out[0]?.reason).toBe("left alone: already trusts the OS store (urllib3 1.26.12 is Debian's)");
    });

    it('beside a configurable installation: the client is configured without it, and says so', async () => {
      const venv = fake(
        'urllib3',
        { source: 'certifi', path: certifiFile, files: [certifiFile] },
        'SSL_CERT_FILE',
      );
      const out = await chooseClients(
        { ...base, chosen: [cert(chosen)], installs: [inst(debian), inst(venv, '/venv/urllib3')] },
        ctx,
      );
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ configure: true });
      expect(out[0]?.blocked).toBeUndefined();
      expect(out[0]?.installs.map((i) => i.path)).toEqual(['/venv/urllib3']);
      expect(out[0]?.reason).toMatch(
        /^configured because its CA store .* lacks 2 roots your OS trusts locally: .*; \/usr\/bin\/urllib3: cannot be configured per user: add the root to the OS store$/,
      );
    });

    it('beside a configurable installation, still failing the URL: said, for the exit code', async () => {
      const venv = fake(
        'urllib3',
        { source: 'certifi', path: certifiFile, files: [certifiFile] },
        'SSL_CERT_FILE',
      );
      const bad = { ok: false, code: 'X', message: 'self-signed certificate in certificate chain' };
      const verdicts = new Map([['urllib3', bad]]);
      const out = await chooseClients(
        {
          ...base,
          chosen: [cert(chosen)],
          installs: [inst(debian), inst(venv, '/venv/urllib3')],
          verdicts,
          host: 'a.test',
        },
        ctx,
      );
      expect(out[0]).toMatchObject({ configure: true, blockedFails: bad });
    });
  });

  it('says why SSL_CERT_FILE is set, naming the client that needs it', async () => {
    const py = fake(
      'python-ssl',
      { source: 'system', path: certifiFile, files: [certifiFile] },
      'SSL_CERT_FILE',
    );
    const choices = await chooseClients({ ...base, installs: [inst(py), inst(onOs)] }, ctx);
    const plans = choices
      .filter((c) => c.configure)
      .map((c) => c.client.plan(c.installs[0] as Installation, BUNDLE, ctx));
    expect(sslCertFileNote(plans, choices)).toMatch(
      /^SSL_CERT_FILE redirects every OpenSSL program in new shells to the bundle .*; set for python-ssl, configured because its CA store/,
    );
    expect(sslCertFileNote([], choices)).toBeNull();
  });

  it("a client's failing environment row decides its verdict, whichever order diagnose listed them in", () => {
    const ok = { ok: true, code: 'OK', message: 'ok' };
    const bad = {
      ok: false,
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
      message: 'self-signed certificate in certificate chain',
    };
    for (const rows of [
      [
        { id: 'python-requests', ...bad },
        { id: 'python-requests', ...ok },
      ],
      [
        { id: 'python-requests', ...ok },
        { id: 'python-requests', ...bad },
      ],
    ])
      expect(verdictsById([...rows, { id: 'curl', ...ok }])).toEqual(
        new Map([
          ['python-requests', rows.find((r) => !r.ok)],
          ['curl', { id: 'curl', ...ok }],
        ]),
      );
  });
});
