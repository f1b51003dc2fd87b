/**
 * conda's ssl_verify resolved over its SEARCH_PATH (conda/base/constants.py, https://github.com/conda/conda):
 * later files win, condarc.d YAML files count, CONDA_SSL_VERIFY beats every file, and the trust source
 * follows (truststore, a path, REQUESTS_CA_BUNDLE over a path as requests merges it, off).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conda } from '../../src/clients/conda.ts';
import { condarcFiles, sslVerify } from '../../src/clients/conda-config.ts';
import type { Context } from '../../src/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-conda-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const root = join(home, 'miniforge3');
const sysroot = join(dir, 'sys');

function file(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env: { PATH: '', ...env },
  home,
  cwd: home,
  platform: 'linux',
  sysroot,
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
});

describe('conda ssl_verify', () => {
  mkdirSync(join(root, 'conda-meta'), { recursive: true });
  file(join(sysroot, 'etc', 'conda', '.condarc'), 'ssl_verify: /etc/corp.pem\n');
  file(join(root, '.condarc'), 'channels:\n  - conda-forge\nssl_verify: true\n');
  file(join(home, '.config', 'conda', 'condarc.d', '10-corp.yaml'), 'ssl_verify: /opt/corp.pem\n');

  it('lists the files in SEARCH_PATH order', async () => {
    const files = await condarcFiles(root, ctx({ CONDARC: join(home, 'custom.yml') }));
    expect(files.indexOf(join(sysroot, 'etc', 'conda', '.condarc'))).toBe(0);
    expect(files.indexOf(join(root, '.condarc'))).toBeLessThan(files.indexOf(join(home, '.condarc')));
    expect(files).toContain(join(home, '.config', 'conda', 'condarc.d', '10-corp.yaml'));
    expect(files.at(-1)).toBe(join(home, 'custom.yml'));
  });

  it('takes the last file that sets it, and CONDA_SSL_VERIFY over every file', async () => {
    expect(await sslVerify(root, ctx())).toEqual({
      value: '/opt/corp.pem',
      from: join(home, '.config', 'conda', 'condarc.d', '10-corp.yaml'),
    });
    file(join(home, '.condarc'), '# mine\nssl_verify: truststore # OS store\n');
    expect((await sslVerify(root, ctx())).value).toBe('truststore');
    expect(await sslVerify(root, ctx({ CONDA_SSL_VERIFY: 'False' }))).toEqual({
      value: 'false',
      from: 'CONDA_SSL_VERIFY',
    });
  });

  it('resolves the trust source as CondaSession and requests do', async () => {
    const [inst] = await conda.detect(ctx());
    expect(inst).toMatchObject({ client: 'conda', path: root });
    const i = inst as NonNullable<typeof inst>;
    expect((await conda.trust(i, ctx())).source).toBe('truststore');
    const bundle = join(dir, 'bundle.pem');
    file(bundle, '');
    file(join(home, '.condarc'), `ssl_verify: ${bundle}\n`);
    expect(await conda.trust(i, ctx())).toMatchObject({ source: 'config', path: bundle });
    expect(await conda.trust(i, ctx({ REQUESTS_CA_BUNDLE: bundle }))).toMatchObject({
      source: 'env',
      via: 'REQUESTS_CA_BUNDLE',
    });
    expect((await conda.trust(i, ctx({ CONDA_SSL_VERIFY: 'no' }))).source).toBe('off');
  });

  it('plans ssl_verify in ~/.condarc, and nothing in a flow-style one', async () => {
    const [inst] = await conda.detect(ctx());
    const plan = conda.plan(inst as NonNullable<typeof inst>, '/b.pem', ctx());
    expect(plan.changes).toEqual([
      {
        kind: 'keyfile',
        format: 'condarc',
        path: join(home, '.condarc'),
        section: null,
        key: 'ssl_verify',
        value: '/b.pem',
      },
    ]);
    file(join(home, '.condarc'), '{ssl_verify: true}\n');
    const [flow] = await conda.detect(ctx());
    expect(conda.plan(flow as NonNullable<typeof flow>, '/b.pem', ctx()).changes).toEqual([]);
  });
});
