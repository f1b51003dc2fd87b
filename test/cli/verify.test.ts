import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_HELP, verifyCommand } from '../../src/cli/verify.ts';
import { lacks, missing } from '../helpers/has.ts';
import { memoryIo } from '../helpers/io.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, out } = memoryIo(env);
  const code = await verifyCommand(argv, io);
  return { code, ...out };
}

describe.skipIf(lacks('openssl'))(`certifix verify ${missing('openssl')}`, () => {
  let pki: Pki;
  let root: Issued;
  let chain: string;
  let leafOnly: string;
  beforeAll(() => {
    pki = new Pki();
    root = pki.root('root', 'Corp Root CA');
    const int = pki.intermediate('int', 'Corp Issuing CA', root);
    const leaf = pki.leaf('leaf', 'app.corp.test', int);
    chain = pki.bundle('chain', [leaf, int]);
    leafOnly = leaf.certPath;
  }, 30_000);

  it('prints OK and the chain for a good chain', async () => {
    const r = await run([chain, '--ca', root.certPath, '--host', 'app.corp.test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK\n {2}0 {2}CN=app\.corp\.test/);
    expect(r.stdout).toContain('CN=Corp Root CA');
  });

  it('reports the OpenSSL error, code and depth', async () => {
    const r = await run([leafOnly, '--ca', root.certPath]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'FAIL: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY) at depth 0',
    );
  });

  it('prints one JSON document', async () => {
    const r = await run([chain, '--ca', root.certPath, '--host', 'wrong.test', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      ok: false,
      code: 'HOSTNAME_MISMATCH',
      message: 'hostname mismatch',
      depth: 0,
    });
    expect(doc.chain).toHaveLength(3);
    expect(doc.chain[0]).toEqual({
      subject: 'CN=app.corp.test',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('takes --untrusted, --at and --profile', async () => {
    const later = new Date(Date.now() + 400 * 86400_000).toISOString();
    const r = await run([
      leafOnly,
      '--ca',
      root.certPath,
      '--untrusted',
      join(pki.dir, 'int.pem'),
      '--at',
      later,
    ]);
    expect(r.stdout).toContain('(CERT_HAS_EXPIRED) at depth 2');
    const node = await run([leafOnly, '--ca', root.certPath, '--profile', 'node', '--json']);
    expect(JSON.parse(node.stdout).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('defaults --ca to SSL_CERT_FILE from the environment', async () => {
    const r = await run([chain], { SSL_CERT_FILE: root.certPath });
    expect(r.code).toBe(0);
  });

  it('exits 2 on usage and input errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run([chain, '--bogus'])).code).toBe(2);
    expect((await run([chain, '--profile', 'java', '--ca', root.certPath])).code).toBe(2);
    expect((await run([chain, '--at', 'yesterday', '--ca', root.certPath])).code).toBe(2);
    const empty = join(pki.dir, 'empty.pem');
    writeFileSync(empty, 'nothing here\n');
    const r = await run([empty, '--ca', root.certPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no certificate');
  });

  it('a missing file is said in plain words, exit 2', async () => {
    const r = await run([join(pki.dir, 'nofile.pem'), '--ca', root.certPath]);
    expect(r).toMatchObject({
      code: 2,
      stderr: `certifix verify: cannot read ${join(pki.dir, 'nofile.pem')}: no such file\n`,
    });
  });

  it('teaches with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(VERIFY_HELP);
    expect(r.stdout).toContain('Examples:');
  });
});
