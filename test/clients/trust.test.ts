import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curl } from '../../src/clients/curl.ts';
import { git } from '../../src/clients/git.ts';
import { node } from '../../src/clients/node.ts';
import { npm } from '../../src/clients/npm.ts';
import { pip } from '../../src/clients/pip.ts';
import { pythonRequests } from '../../src/clients/python-requests.ts';
import { pythonSsl } from '../../src/clients/python-ssl.ts';
import { fakePython, inst, sandbox } from './sandbox.ts';

const sb = sandbox();
const ca = sb.write(join(sb.dir, 'ca', 'corp.pem'), 'x');
const ca2 = sb.write(join(sb.dir, 'ca', 'other.pem'), 'x');
const caDir = join(sb.dir, 'ca');
const missing = join(sb.dir, 'nope.pem');
const bundle = join(sb.sysroot, 'etc/ssl/certs/ca-certificates.crt');

describe('python-requests', () => {
  const d = { ...fakePython(sb, '3.11.7', { requests: '2.32.3', certifi: '2024.8.30' }) };
  const site = d.sitePackages ?? '';
  const i = inst('python-requests', join(site, 'requests'), '2.32.3', {
    ...d,
    certifi: join(site, 'certifi'),
  });
  it.each([
    { name: 'certifi by default', env: {}, source: 'certifi', files: [join(site, 'certifi', 'cacert.pem')] },
    {
      name: 'REQUESTS_CA_BUNDLE',
      env: { REQUESTS_CA_BUNDLE: ca, CURL_CA_BUNDLE: ca2 },
      source: 'env',
      via: 'REQUESTS_CA_BUNDLE',
      files: [ca],
    },
    {
      name: 'CURL_CA_BUNDLE',
      env: { CURL_CA_BUNDLE: ca2 },
      source: 'env',
      via: 'CURL_CA_BUNDLE',
      files: [ca2],
    },
    {
      name: 'empty REQUESTS_CA_BUNDLE falls through',
      env: { REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: ca2 },
      source: 'env',
      via: 'CURL_CA_BUNDLE',
      files: [ca2],
    },
    {
      name: 'a directory is a capath',
      env: { REQUESTS_CA_BUNDLE: caDir },
      source: 'env',
      files: [],
      dirs: [caDir],
    },
    {
      name: 'missing file: empty store + warning',
      env: { REQUESTS_CA_BUNDLE: missing },
      source: 'env',
      files: [],
      warn: /does not exist/,
    },
  ])('$name', async ({ env, source, via, files, dirs, warn }) => {
    const t = await pythonRequests.trust(i, sb.ctx(env));
    expect(t.source).toBe(source);
    if (via) expect(t.via).toBe(via);
    expect(t.files).toEqual(files);
    if (dirs) expect(t.dirs).toEqual(dirs);
    if (warn) expect(t.warnings?.join()).toMatch(warn);
    expect(t.profile).toBe('openssl');
  });
  it('Python 3.13 → python313 profile', async () => {
    const d13 = fakePython(sb, '3.13.0', { requests: '2.32.3' });
    const t = await pythonRequests.trust(inst('python-requests', 'x', '2.32.3', d13), sb.ctx());
    expect(t.profile).toBe('python313');
  });
});

describe('python-ssl', () => {
  const i = inst('python-ssl', '/usr/bin/python3.11', '3.11', fakePython(sb, '3.11.2', {}));
  it.each([
    { name: 'OpenSSL defaults = distro bundle', env: {}, source: 'system', files: [bundle] },
    { name: 'SSL_CERT_FILE', env: { SSL_CERT_FILE: ca }, source: 'env', files: [ca], via: 'SSL_CERT_FILE' },
    { name: 'SSL_CERT_DIR', env: { SSL_CERT_DIR: caDir }, source: 'env', files: [bundle], dirs: [caDir] },
    {
      name: 'missing SSL_CERT_FILE is skipped',
      env: { SSL_CERT_FILE: missing },
      source: 'env',
      files: [],
      warn: /does not exist/,
    },
  ])('$name', async ({ env, source, files, dirs, via, warn }) => {
    const t = await pythonSsl.trust(i, sb.ctx(env));
    expect(t.source).toBe(source);
    expect(t.files).toEqual(files);
    if (dirs) expect(t.dirs).toEqual(dirs);
    if (via) expect(t.via).toBe(via);
    if (warn) expect(t.warnings?.join()).toMatch(warn);
  });
});

describe('pip', () => {
  const d = fakePython(sb, '3.11.7', { pip: '23.2.1' });
  const site = d.sitePackages ?? '';
  const p23 = inst('pip', join(site, 'pip'), '23.2.1', d);
  const vendored = join(site, 'pip', '_vendor', 'certifi', 'cacert.pem');
  const userConf = join(sb.home, '.config', 'pip', 'pip.conf');
  const conf = (text: string, name: string) => sb.write(join(sb.dir, 'pipconf', name), text);
  it.each([
    { name: 'vendored certifi', env: {}, files: [vendored], source: 'certifi' },
    { name: 'PIP_CERT', env: { PIP_CERT: ca }, files: [ca], via: 'PIP_CERT' },
    {
      name: 'REQUESTS_CA_BUNDLE beats PIP_CERT',
      env: { PIP_CERT: ca, REQUESTS_CA_BUNDLE: ca2 },
      files: [ca2],
      via: 'REQUESTS_CA_BUNDLE',
    },
    {
      name: 'a proxy turns trust_env off',
      env: { PIP_CERT: ca, REQUESTS_CA_BUNDLE: ca2, PIP_PROXY: 'http://p:3128' },
      files: [ca],
      via: 'PIP_CERT',
    },
    {
      name: 'PIP_CONFIG_FILE [global] cert',
      env: { PIP_CONFIG_FILE: conf(`[global]\ncert = ${ca}\n`, 'a.conf') },
      files: [ca],
      source: 'config',
    },
    {
      name: '[install] beats [global]',
      env: { PIP_CONFIG_FILE: conf(`[install]\ncert=${ca2}\n[global]\ncert=${ca}\n`, 'b.conf') },
      files: [ca2],
    },
    {
      name: 'PIP_CONFIG_FILE=/dev/null ignores files',
      env: { PIP_CONFIG_FILE: '/dev/null' },
      files: [vendored],
      pre: () => sb.write(userConf, `[global]\ncert=${ca}\n`),
    },
    {
      name: 'missing cert → warning',
      env: { PIP_CERT: missing },
      files: [],
      warn: /Could not find a suitable TLS CA/,
    },
  ])('$name', async ({ env, files, via, source, warn, pre }) => {
    pre?.();
    const t = await pip.trust(p23, sb.ctx(env));
    expect(t.files).toEqual(files);
    if (via) expect(t.via).toBe(via);
    if (source) expect(t.source).toBe(source);
    if (warn) expect(t.warnings?.join()).toMatch(warn);
  });
  it('user file, then system files under the sysroot', async () => {
    const s2 = sandbox();
    const p = inst('pip', join(site, 'pip'), '23.2.1', d);
    s2.write(join(s2.sysroot, 'etc/pip.conf'), `[global]\ncert=${ca}\n`);
    expect((await pip.trust(p, s2.ctx())).via).toBe(`${join(s2.sysroot, 'etc/pip.conf')} [global] cert`);
    s2.write(join(s2.home, '.config/pip/pip.conf'), `[global]\ncert=${ca2}\n`);
    expect((await pip.trust(p, s2.ctx())).files).toEqual([ca2]);
  });
  it('pip >= 24.2 on Python >= 3.10: truststore (OS store) + certifi + cert', async () => {
    const d13 = fakePython(sb, '3.13.0', { pip: '24.2' });
    const p24 = inst('pip', join(d13.sitePackages ?? '', 'pip'), '24.2', d13);
    const t = await pip.trust(p24, sb.ctx({ PIP_CERT: ca }));
    expect(t.source).toBe('system+certifi+env');
    expect(t.files).toEqual([
      bundle,
      join(d13.sitePackages ?? '', 'pip', '_vendor', 'certifi', 'cacert.pem'),
      ca,
    ]);
    expect(t.profile).toBe('python313');
    const legacy = await pip.trust(p24, sandbox().ctx({ PIP_USE_DEPRECATED: 'legacy-certs' }));
    expect(legacy.source).toBe('certifi');
  });
});

describe('curl', () => {
  const i = inst('curl', '/usr/bin/curl');
  it.each([
    { name: 'built-in default', env: {}, files: [bundle], source: 'system' },
    {
      name: 'CURL_CA_BUNDLE beats SSL_CERT_FILE',
      env: { CURL_CA_BUNDLE: ca, SSL_CERT_FILE: ca2 },
      files: [ca],
      via: 'CURL_CA_BUNDLE',
    },
    {
      name: 'SSL_CERT_DIR wins over SSL_CERT_FILE (default file kept)',
      env: { SSL_CERT_DIR: caDir, SSL_CERT_FILE: ca2 },
      files: [bundle],
      dirs: [caDir],
    },
    { name: 'SSL_CERT_FILE', env: { SSL_CERT_FILE: ca2 }, files: [ca2], via: 'SSL_CERT_FILE' },
    { name: 'missing CURL_CA_BUNDLE → (77)', env: { CURL_CA_BUNDLE: missing }, files: [], warn: /77/ },
  ])('$name', async ({ env, files, dirs, via, source, warn }) => {
    const t = await curl.trust(i, sb.ctx(env));
    expect(t.files).toEqual(files);
    if (dirs) expect(t.dirs).toEqual(dirs);
    if (via) expect(t.via).toBe(via);
    if (source) expect(t.source).toBe(source);
    if (warn) expect(t.warnings?.join()).toMatch(warn);
  });
  it('.curlrc cacert beats CURL_CA_BUNDLE; CURL_HOME is looked at first', async () => {
    const s2 = sandbox();
    s2.write(join(s2.home, '.curlrc'), `cacert = "${ca}"\n`);
    expect((await curl.trust(i, s2.ctx({ CURL_CA_BUNDLE: ca2 }))).files).toEqual([ca]);
    const ch = join(s2.dir, 'curlhome');
    s2.write(join(ch, '.curlrc'), `--cacert ${ca2}\n`);
    expect((await curl.trust(i, s2.ctx({ CURL_HOME: ch }))).files).toEqual([ca2]);
  });
});

describe('git', () => {
  const i = inst('git', '/usr/bin/git', undefined, { tls: 'gnutls' });
  it('GIT_SSL_CAINFO > ~/.gitconfig > system, GnuTLS default otherwise', async () => {
    const s2 = sandbox();
    const c = (env: Record<string, string> = {}) => git.trust(i, s2.ctx(env));
    const def = await c();
    expect(def.files).toEqual([join(s2.sysroot, 'etc/ssl/certs/ca-certificates.crt')]);
    expect(def.why).toMatch(/GnuTLS/);
    s2.write(join(s2.sysroot, 'etc/gitconfig'), `[http]\n\tsslCAInfo = ${ca}\n`);
    expect((await c()).files).toEqual([ca]);
    expect((await c({ GIT_CONFIG_NOSYSTEM: '1' })).files).toEqual(def.files);
    s2.write(join(s2.home, '.gitconfig'), `[HTTP]\n\tsslcainfo = "${ca2}" ; trailing comment\n`);
    expect((await c()).files).toEqual([ca2]);
    const g = s2.write(join(s2.dir, 'global.gitconfig'), `[http]\nsslCAInfo=${ca}\n`);
    expect((await c({ GIT_CONFIG_GLOBAL: g, GIT_CONFIG_NOSYSTEM: '1' })).files).toEqual([ca]);
    expect((await c({ GIT_SSL_CAINFO: ca2, GIT_CONFIG_GLOBAL: g })).via).toBe('GIT_SSL_CAINFO');
    expect((await c({ GIT_SSL_CAINFO: missing })).warnings?.join()).toMatch(/Problem with the SSL CA cert/);
  });
});

describe('node', () => {
  it.each([
    { name: 'bundled only', v: '20.20.2', env: {}, source: 'bundled', files: [] },
    {
      name: 'NODE_EXTRA_CA_CERTS appends',
      v: '20.20.2',
      env: { NODE_EXTRA_CA_CERTS: ca },
      source: 'bundled+extra',
      files: [ca],
    },
    {
      name: 'missing extra: warning, bundled',
      v: '20.20.2',
      env: { NODE_EXTRA_CA_CERTS: missing },
      source: 'bundled+extra',
      files: [],
      warn: /Ignoring extra certs/,
    },
    {
      name: 'NODE_USE_SYSTEM_CA ignored on 20',
      v: '20.20.2',
      env: { NODE_USE_SYSTEM_CA: '1' },
      source: 'bundled',
      files: [],
    },
    {
      name: 'NODE_USE_SYSTEM_CA on 22.19',
      v: '22.19.0',
      env: { NODE_USE_SYSTEM_CA: '1' },
      source: 'bundled+system',
      files: ['BUNDLE'],
    },
    {
      name: 'NODE_USE_SYSTEM_CA not yet on 22.15',
      v: '22.15.0',
      env: { NODE_USE_SYSTEM_CA: '1' },
      source: 'bundled',
      files: [],
    },
    {
      name: '--use-system-ca on 23.9',
      v: '23.9.0',
      env: { NODE_OPTIONS: '--use-system-ca' },
      source: 'bundled+system',
      files: ['BUNDLE'],
    },
    {
      name: '--use-openssl-ca → OpenSSL paths',
      v: '20.20.2',
      env: { NODE_OPTIONS: '--use-openssl-ca', SSL_CERT_FILE: ca },
      source: 'env',
      files: [ca],
      bundled: false,
    },
  ])('$name', async ({ v, env, source, files, warn, bundled }) => {
    const t = await node.trust(inst('node', '/usr/bin/node', v), sb.ctx(env));
    expect(t.source).toBe(source);
    expect(t.files).toEqual(files.map((f) => (f === 'BUNDLE' ? bundle : f)));
    expect(t.bundled).toBe(bundled ?? true);
    if (warn) expect(t.warnings?.join()).toMatch(warn);
  });
});

describe('npm', () => {
  it('cafile layers: env > project > user > global > builtin; cafile replaces Node roots', async () => {
    const s2 = sandbox();
    const npmDir = join(s2.dir, 'npm');
    const nodeBin = s2.write(join(s2.dir, 'usr', 'bin', 'node'));
    const i = inst('npm', join(npmDir, 'bin', 'npm-cli.js'), '11.0.0', {
      npmDir,
      node: nodeBin,
      nodeVersion: 'v20.20.2',
    });
    const t = (env: Record<string, string> = {}, cwd?: string) => npm.trust(i, s2.ctx(env, cwd));
    expect((await t()).bundled).toBe(true);
    s2.write(join(npmDir, 'npmrc'), `cafile=${ca}\n`);
    expect((await t()).via).toBe(`${join(npmDir, 'npmrc')} cafile`);
    const globalRc = join(s2.sysroot, s2.dir, 'usr', 'etc', 'npmrc');
    s2.write(globalRc, `cafile=${ca2}\n`);
    expect((await t()).files).toEqual([ca2]);
    s2.write(join(s2.home, '.npmrc'), `cafile=\${HOME_CA}\n`);
    expect((await t({ HOME_CA: ca })).files).toEqual([ca]);
    const proj = join(s2.dir, 'proj');
    s2.write(join(proj, 'package.json'), '{}');
    s2.write(join(proj, '.npmrc'), `cafile=${ca2}\n`);
    expect((await t({}, join(proj))).files).toEqual([ca2]);
    const env = await t({ npm_config_cafile: ca, NPM_CONFIG_USERCONFIG: '/dev/null' }, proj);
    expect(env).toMatchObject({ files: [ca], bundled: false, source: 'config' });
    const gone = await t({ NPM_CONFIG_CAFILE: missing });
    expect(gone.bundled).toBe(true);
    expect(gone.warnings?.join()).toMatch(/npm ignores it/);
  });
});

describe('plans', () => {
  const c = sb.ctx();
  it('each client plans its native switch', () => {
    const b = '/b.pem';
    const i = inst('node', '/usr/bin/node', '20.20.2');
    expect(pythonRequests.plan(i, b, c).changes).toEqual([
      { kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: b },
    ]);
    expect(pythonSsl.plan(i, b, c).changes).toEqual([{ kind: 'env', name: 'SSL_CERT_FILE', value: b }]);
    expect(pip.plan(i, b, c).changes).toEqual([
      { kind: 'ini', path: join(sb.home, '.config/pip/pip.conf'), section: 'global', key: 'cert', value: b },
    ]);
    expect(curl.plan(i, b, c).changes).toEqual([{ kind: 'env', name: 'CURL_CA_BUNDLE', value: b }]);
    expect(git.plan(i, b, c).changes).toEqual([
      { kind: 'gitconfig', path: join(sb.home, '.gitconfig'), key: 'http.sslCAInfo', value: b },
    ]);
    expect(git.plan(i, b, sb.ctx({ GIT_CONFIG_GLOBAL: '/g' })).changes[0]).toMatchObject({ path: '/g' });
    expect(node.plan(i, b, c).changes).toEqual([{ kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: b }]);
    expect(npm.plan(i, b, sb.ctx({ NPM_CONFIG_USERCONFIG: '/u/.npmrc' })).changes).toEqual([
      { kind: 'npmrc', path: '/u/.npmrc', key: 'cafile', value: b },
    ]);
  });
});
