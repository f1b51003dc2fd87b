/**
 * Deno and Bun: where each takes its roots from, as their sources build the store (deno.ts, bun.ts cite the
 * lines), on a temporary sysroot. The real binaries (npm's @deno/linux-x64-glibc and @oven/bun-linux-x64)
 * run in the contract suite (contract.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bun } from '../../src/clients/bun.ts';
import { deno, denoStores } from '../../src/clients/deno.ts';
import { rustlsVerdict } from '../../src/clients/rustls.ts';
import { observable } from '../../src/clients/stacks.ts';
import type { Context, Installation } from '../../src/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-js-runtimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(dir, 'sys');
mkdirSync(join(root, 'etc', 'ssl', 'certs'), { recursive: true });
writeFileSync(join(root, 'etc', 'ssl', 'certs', 'ca-certificates.crt'), '');
const corp = join(dir, 'corp.pem');
writeFileSync(corp, '');

const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env,
  home: dir,
  cwd: dir,
  platform: 'linux',
  sysroot: root,
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
});
const inst = (client: 'deno' | 'bun', version: string): Installation => ({
  client,
  path: `/x/${client}`,
  version,
});

describe('deno', () => {
  it('splits DENO_TLS_CA_STORE as Deno does', () => {
    expect(denoStores(ctx())).toEqual(['mozilla']);
    expect(denoStores(ctx({ DENO_TLS_CA_STORE: ' system , mozilla,' }))).toEqual(['system', 'mozilla']);
  });

  it('trusts Mozilla roots only by default, and says it ignores SSL_CERT_FILE then', async () => {
    const t = await deno.trust(inst('deno', '2.9.6'), ctx({ SSL_CERT_FILE: corp }));
    expect(t).toMatchObject({ bundled: true, files: [], dirs: [] });
    expect(t.ignores?.[0]).toMatch(/neither the OS store nor SSL_CERT_FILE/);
  });

  it('reads the OS store (SSL_CERT_FILE first) with DENO_TLS_CA_STORE=system, and adds DENO_CERT', async () => {
    const t = await deno.trust(inst('deno', '2.9.6'), ctx({ DENO_TLS_CA_STORE: 'system', DENO_CERT: corp }));
    expect(t).toMatchObject({ bundled: false, via: 'DENO_TLS_CA_STORE', path: corp });
    expect(t.files).toContain(corp);
    expect(t.ignores).toBeUndefined();
    const env = await deno.trust(
      inst('deno', '2.9.6'),
      ctx({ DENO_TLS_CA_STORE: 'system', SSL_CERT_FILE: corp }),
    );
    expect(env.files).toEqual([corp]);
  });

  it('fails every connection when DENO_CERT cannot be opened', async () => {
    const t = await deno.trust(inst('deno', '2.9.6'), ctx({ DENO_CERT: join(dir, 'missing.pem') }));
    expect(t).toMatchObject({ bundled: false, files: [] });
    expect(t.warnings?.[0]).toMatch(/does not exist/);
  });

  it('reads NODE_EXTRA_CA_CERTS from 2.8 only', async () => {
    expect((await deno.trust(inst('deno', '2.9.6'), ctx({ NODE_EXTRA_CA_CERTS: corp }))).files).toEqual([
      corp,
    ]);
    const old = await deno.trust(inst('deno', '2.7.0'), ctx({ NODE_EXTRA_CA_CERTS: corp }));
    expect(old.files).toEqual([]);
    expect(old.ignores).toContain('Deno 2.7.0 ignores NODE_EXTRA_CA_CERTS (read from 2.8)');
  });

  it('plans DENO_CERT, and reads what rustls prints as one chain error', () => {
    expect(deno.plan(inst('deno', '2.9.6'), '/b.pem', ctx()).changes).toEqual([
      { kind: 'env', name: 'DENO_CERT', value: '/b.pem' },
    ]);
    // Deno 2.9.6 against a server whose root it lacks (measured).
    const out =
      'TypeError: fetch failed Error: error sending request for url (https://127.0.0.1:28944/): client error (Connect): invalid peer certificate: UnknownIssuer';
    expect(rustlsVerdict(out, 1)).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    expect(observable('deno', 'SELF_SIGNED_CERT_IN_CHAIN')).toBe('VERIFY_FAILED');
    expect(observable('deno', 'CERT_HAS_EXPIRED')).toBe('CERT_HAS_EXPIRED');
    expect(rustlsVerdict('Error: Failed opening CA file: No such file or directory (os error 2)', 1).ok).toBe(
      false,
    );
  });
});

describe('bun', () => {
  it("trusts its bundled roots plus OpenSSL's default paths (the hashed /etc/ssl/certs)", async () => {
    const t = await bun.trust(inst('bun', '1.4.5'), ctx());
    expect(t).toMatchObject({ bundled: true, files: [], dirs: [join(root, 'etc', 'ssl', 'certs')] });
    const env = await bun.trust(inst('bun', '1.4.5'), ctx({ SSL_CERT_FILE: corp }));
    expect(env).toMatchObject({ via: 'SSL_CERT_FILE', files: [corp] });
  });

  it('adds NODE_EXTRA_CA_CERTS (not before 1.1) and plans it', async () => {
    expect((await bun.trust(inst('bun', '1.4.5'), ctx({ NODE_EXTRA_CA_CERTS: corp }))).files).toEqual([corp]);
    expect((await bun.trust(inst('bun', '1.0.11'), ctx({ NODE_EXTRA_CA_CERTS: corp }))).ignores?.[0]).toMatch(
      /ignores NODE_EXTRA_CA_CERTS/,
    );
    expect(bun.plan(inst('bun', '1.4.5'), '/b.pem', ctx()).changes).toEqual([
      { kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: '/b.pem' },
    ]);
  });
});
