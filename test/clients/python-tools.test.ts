/**
 * uv is not installable on the test machines, and Poetry, pipenv and pdm only in Debian's versions (the
 * contract suite runs those for real): the adapters are tested here on the configuration files the tools
 * write (fixtures/python-tools/README.md names each source) and on installations laid out as pipx /
 * pip --user leave them (a script whose #! names its interpreter), at the versions whose behaviour differs.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pdm, pdmCaCerts } from '../../src/clients/pdm.ts';
import { pipenv } from '../../src/clients/pipenv.ts';
import { poetry, poetryCertificates } from '../../src/clients/poetry.ts';
import { uv, uvNativeSwitch } from '../../src/clients/uv.ts';
import type { Context } from '../../src/types.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'python-tools');
const read = (name: string) => readFileSync(join(FIX, name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'certifix-pytools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const bin = join(dir, 'bin');

function file(path: string, text: string, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

/**
 * A pipx venv: bin/python3.11 and site-packages with certifi (and truststore when asked), the tool's script,
 * and the tool's own package at `version` (a namespace package, as poetry's and pdm's are).
 */
function pipxTool(name: string, truststore = false, version?: string): string {
  const venv = join(home, '.local', 'pipx', 'venvs', name);
  file(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
  file(join(venv, 'bin', 'python'), '', 0o755);
  const site = join(venv, 'lib', 'python3.11', 'site-packages');
  file(join(site, 'certifi', '__init__.py'), '');
  file(join(site, 'certifi', 'core.py'), 'def where(): ...\n');
  file(join(site, 'certifi', 'cacert.pem'), '');
  if (truststore) file(join(site, 'truststore', '__init__.py'), '');
  if (version) {
    for (const n of readdirSync(site))
      if (n.startsWith(`${name}-`)) rmSync(join(site, n), { recursive: true });
    file(join(site, name, '__main__.py'), '');
    file(join(site, `${name}-${version}.dist-info`, 'METADATA'), '');
  }
  file(join(bin, name), `#!${join(venv, 'bin', 'python')}\nimport sys\n`, 0o755);
  return site;
}

const ctx = (env: NodeJS.ProcessEnv = {}, cwd = home): Context => ({
  env: { PATH: bin, ...env },
  home,
  cwd,
  platform: 'linux',
  sysroot: join(dir, 'sys'),
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
});

describe('uv', () => {
  it('reads native-tls / system-certs from uv.toml and [tool.uv]', () => {
    expect(uvNativeSwitch(read('uv.toml'))).toBe('native-tls');
    expect(uvNativeSwitch(read('pyproject-uv.toml'))).toBe('native-tls');
    expect(uvNativeSwitch('[pip]\nnative-tls = true\n')).toBeNull();
    expect(uvNativeSwitch('system-certs = true\n')).toBe('system-certs');
  });

  it('uses its bundled Mozilla roots, the OS store when switched, SSL_CERT_FILE before both', async () => {
    file(join(bin, 'uv'), '', 0o755);
    const [inst] = await uv.detect(ctx());
    const i = inst as NonNullable<typeof inst>;
    expect(await uv.trust(i, ctx())).toMatchObject({ source: 'bundled', bundled: true });
    expect(await uv.trust(i, ctx({ UV_NATIVE_TLS: '1' }))).toMatchObject({
      source: 'system',
      via: 'UV_NATIVE_TLS',
    });
    copyFileSync(join(FIX, 'uv.toml'), join(dir, 'uv.toml'));
    expect((await uv.trust(i, ctx({}, dir))).via).toMatch(/^native-tls \(/);
    const bundle = join(dir, 'b.pem');
    file(bundle, '');
    expect(await uv.trust(i, ctx({ SSL_CERT_FILE: bundle, UV_NATIVE_TLS: '1' }))).toMatchObject({
      source: 'env',
      via: 'SSL_CERT_FILE',
    });
    expect(uv.plan(i, bundle, ctx()).changes).toEqual([
      { kind: 'env', name: 'SSL_CERT_FILE', value: bundle },
    ]);
  });
});

describe('poetry, pipenv, pdm', () => {
  it("poetry: per-source certificates only, requests' variables and certifi for the rest", async () => {
    expect(poetryCertificates(read('poetry-config.toml'))).toEqual({ foo: '/path/to/ca.pem' });
    const site = pipxTool('poetry');
    file(join(home, '.config', 'pypoetry', 'config.toml'), read('poetry-config.toml'));
    const [inst] = await poetry.detect(ctx());
    const t = await poetry.trust(inst as NonNullable<typeof inst>, ctx());
    expect(t).toMatchObject({ source: 'certifi', path: join(site, 'certifi', 'cacert.pem') });
    expect(t.warnings).toEqual(['certificates.foo.cert = /path/to/ca.pem (source foo only)']);
    expect(poetry.plan(inst as NonNullable<typeof inst>, '/b.pem', ctx()).changes).toEqual([
      { kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: '/b.pem' },
    ]);
  });

  it('pipenv: REQUESTS_CA_BUNDLE over certifi of its interpreter', async () => {
    pipxTool('pipenv');
    const [inst] = await pipenv.detect(ctx());
    const bundle = join(dir, 'corp.pem');
    file(bundle, '');
    expect(
      await pipenv.trust(inst as NonNullable<typeof inst>, ctx({ REQUESTS_CA_BUNDLE: bundle })),
    ).toMatchObject({
      source: 'env',
      path: bundle,
    });
  });
  it("pipenv: its patched pip's own certifi, not the interpreter's (Debian's pipenv 2022.12.19)", async () => {
    const site = pipxTool('pipenv', false, '2022.12.19');
    // The interpreter's certifi patched to the OS bundle, as Debian's python3-certifi is.
    file(join(site, 'certifi', 'core.py'), 'def where():\n    return "/etc/ssl/certs/ca-certificates.crt"\n');
    const pip = join(site, 'pipenv', 'patched', 'pip');
    file(join(pip, '__init__.py'), '__version__ = "22.3.1"\n');
    file(join(pip, '_vendor', 'certifi', 'core.py'), 'def where(): ...\n');
    const [inst] = await pipenv.detect(ctx());
    const i = inst as NonNullable<typeof inst>;
    expect(await pipenv.trust(i, ctx())).toMatchObject({
      source: 'certifi',
      path: join(pip, '_vendor', 'certifi', 'cacert.pem'),
    });
    expect(await pipenv.trust(i, ctx({ PIP_CERT: '/p.pem' }))).toMatchObject({
      source: 'env',
      via: 'PIP_CERT',
    });
  });

  it('pdm ≥ 2.13 (httpx): pypi.ca_certs › REQUESTS_CA_BUNDLE › truststore + certifi, as session.py orders them', async () => {
    expect(pdmCaCerts(read('pdm-config.toml'))).toBe('/path/to/ca.pem');
    expect(pdmCaCerts('pypi.ca_certs = "/x.pem"\n')).toBe('/x.pem');
    pipxTool('pdm', true, '2.22.0');
    const [inst] = await pdm.detect(ctx());
    const i = inst as NonNullable<typeof inst>;
    expect(i.version).toBe('2.22.0');
    expect((await pdm.trust(i, ctx())).source).toBe('system+certifi');
    expect(await pdm.trust(i, ctx({ CURL_CA_BUNDLE: '/c.pem' }))).toMatchObject({ via: 'CURL_CA_BUNDLE' });
    file(join(home, '.config', 'pdm', 'config.toml'), read('pdm-config.toml'));
    expect(await pdm.trust(i, ctx({ REQUESTS_CA_BUNDLE: '/r.pem' }))).toMatchObject({
      source: 'config',
      via: 'pypi.ca_certs',
      path: '/path/to/ca.pem',
    });
    rmSync(join(home, '.config', 'pdm'), { recursive: true, force: true });
  });

  it('pdm < 2.13 (requests): REQUESTS_CA_BUNDLE › pypi.ca_certs › certifi; from 2.9 the OS store under them', async () => {
    file(join(home, '.config', 'pdm', 'config.toml'), read('pdm-config.toml'));
    // Debian bookworm's python3-pdm 2.2.1: REQUESTS_CA_BUNDLE wins over pypi.ca_certs (observed).
    pipxTool('pdm', true, '2.2.1');
    const [old] = await pdm.detect(ctx());
    const o = old as NonNullable<typeof old>;
    expect(await pdm.trust(o, ctx({ REQUESTS_CA_BUNDLE: '/r.pem' }))).toMatchObject({
      source: 'env',
      via: 'REQUESTS_CA_BUNDLE',
    });
    expect(await pdm.trust(o, ctx())).toMatchObject({ source: 'config', via: 'pypi.ca_certs' });
    rmSync(join(home, '.config', 'pdm'), { recursive: true, force: true });
    expect((await pdm.trust(o, ctx())).source).toBe('certifi');
    // 2.9 to 2.12: truststore's context, with the verify path loaded into it.
    pipxTool('pdm', true, '2.12.0');
    const [mid] = await pdm.detect(ctx());
    const m = mid as NonNullable<typeof mid>;
    expect((await pdm.trust(m, ctx())).source).toBe('system+certifi');
    expect(await pdm.trust(m, ctx({ REQUESTS_CA_BUNDLE: '/r.pem' }))).toMatchObject({
      source: 'system+env',
    });
  });
});
