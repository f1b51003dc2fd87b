/**
 * Ground truth: each adapter runs the real client against a local HTTPS origin with a generated PKI, in a
 * clean environment (temp HOME, no system/global configs). Trusted CA → ok; untrusted → the right code.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/cli/context.ts';
import { registry } from '../../src/clients/registry.ts';
import type { ClientId, Context } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain, Origin } from '../helpers/servers.ts';

const pki = new Pki();
const chain = makeChain(pki, 'lab', 'Certifix Lab');
let full: Origin;
let short: Origin;
beforeAll(async () => {
  full = await Origin.start({ chain, sends: 'full' });
  short = await Origin.start({ chain, sends: 'leaf+intermediate' });
});
afterAll(async () => {
  await full?.close();
  await short?.close();
});

function ctx(extra: Record<string, string> = {}): Context {
  const home = mkdtempSync(join(tmpdir(), 'certifix-home-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    NPM_CONFIG_GLOBALCONFIG: '/dev/null',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    GIT_CONFIG_NOSYSTEM: '1',
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    ...extra,
  };
  return { env, home, cwd: home, platform: process.platform, run: runProcess };
}

/**
 * The variable that makes each client trust a given CA file in these tests. Clients without one here (the
 * Python libraries live in venvs, wget has no variable, rustup's cargo needs the real HOME) run the contract
 * suite on the laptop instead.
 */
const TRUST_VAR: Partial<Record<ClientId, string>> = {
  'python-requests': 'REQUESTS_CA_BUNDLE',
  'python-ssl': 'SSL_CERT_FILE',
  pip: 'PIP_CERT',
  curl: 'CURL_CA_BUNDLE',
  git: 'GIT_SSL_CAINFO',
  node: 'NODE_EXTRA_CA_CERTS',
  npm: 'NPM_CONFIG_CAFILE',
  ruby: 'SSL_CERT_FILE',
  go: 'SSL_CERT_FILE',
  php: 'SSL_CERT_FILE',
};

const TOOL: Partial<Record<ClientId, string>> = {
  'python-requests': 'python-requests',
  'python-ssl': 'python3',
  pip: 'python3',
  curl: 'curl',
  git: 'git',
  node: 'node',
  npm: 'npm',
  ruby: 'ruby',
  go: 'go',
  php: 'php',
};

/** What each client reports when the server sends leaf + intermediate + an untrusted root. */
const UNTRUSTED_CODE: Partial<Record<ClientId, string>> = {
  'python-requests': 'SELF_SIGNED_CERT_IN_CHAIN',
  'python-ssl': 'SELF_SIGNED_CERT_IN_CHAIN',
  pip: 'SELF_SIGNED_CERT_IN_CHAIN',
  curl: 'SELF_SIGNED_CERT_IN_CHAIN',
  git: 'VERIFY_FAILED', // GnuTLS gives no reason; an OpenSSL build says SELF_SIGNED_CERT_IN_CHAIN
  node: 'SELF_SIGNED_CERT_IN_CHAIN',
  npm: 'SELF_SIGNED_CERT_IN_CHAIN',
  ruby: 'SELF_SIGNED_CERT_IN_CHAIN',
  go: 'VERIFY_FAILED', // crypto/x509 says only "certificate signed by unknown authority"
  php: 'VERIFY_FAILED', // "certificate verify failed", without OpenSSL's reason
};

function urlFor(id: ClientId, o: Origin): string {
  return id === 'git' ? o.gitRepo : o.url;
}

describe.each(registry.ids().filter((id) => TOOL[id] !== undefined))('%s check', (id) => {
  const client = registry.get(id);
  const tool = TOOL[id] as string;
  it.skipIf(lacks(tool))(
    `detects and passes when the lab root is trusted ${missing(tool)}`,
    async () => {
      const c = ctx({ [TRUST_VAR[id] as string]: chain.root.certPath });
      const [inst] = (await client?.detect(c)) ?? [];
      expect(inst, `${id} detected`).toBeDefined();
      if (!inst || !client) return;
      const v = await client.check(inst, urlFor(id, full), c);
      expect(v, JSON.stringify(v)).toMatchObject({ ok: true, code: 'OK' });
    },
    90_000,
  );

  it.skipIf(lacks(tool))(
    `reports the untrusted root ${missing(tool)}`,
    async () => {
      const c = ctx();
      const [inst] = (await client?.detect(c)) ?? [];
      if (!inst || !client) throw new Error(`${id} not detected`);
      const v = await client.check(inst, urlFor(id, full), c);
      expect(v.ok).toBe(false);
      expect(v.code).toBe(
        id === 'git' && inst.details?.tls !== 'gnutls' ? 'SELF_SIGNED_CERT_IN_CHAIN' : UNTRUSTED_CODE[id],
      );
      expect(v.printed).toBeTruthy();
    },
    90_000,
  );
});

describe.skipIf(lacks('curl'))(`check: hostname and missing issuer ${missing('curl')}`, () => {
  it('curl: the server may omit the root; an unresolvable host is CONNECT, never OK', async () => {
    const curl = registry.get('curl');
    const c = ctx({ CURL_CA_BUNDLE: chain.root.certPath });
    const [inst] = (await curl?.detect(c)) ?? [];
    if (!inst || !curl) throw new Error('curl not detected');
    expect((await curl.check(inst, short.ipUrl, c)).ok).toBe(true);
    const v = await curl.check(inst, 'https://certifix-lab.invalid/', c);
    expect(v).toMatchObject({ ok: false, code: 'CONNECT' });
  }, 60_000);
});
