/**
 * gcloud on its recorded config directory (fixtures/gcloud/README.md): which configuration is active, where
 * core/custom_ca_certs_file is read from and in which order, and what gcloud ignores behind its own proxy.
 * The real gcloud runs in the contract suite (contract.test.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activeConfig, gcloud } from '../../src/clients/gcloud.ts';
import type { Context } from '../../src/types.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'gcloud');
const dir = mkdtempSync(join(tmpdir(), 'certifix-gcloud-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const config = join(home, '.config', 'gcloud');
const sdk = join(dir, 'google-cloud-sdk');
const bin = join(dir, 'bin');
mkdirSync(join(sdk, 'bin'), { recursive: true });
mkdirSync(join(sdk, 'lib', 'third_party', 'certifi'), { recursive: true });
writeFileSync(join(sdk, 'bin', 'gcloud'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(join(sdk, 'lib', 'third_party', 'certifi', 'cacert.pem'), '');
mkdirSync(bin);
// Debian's package: /usr/bin/gcloud -> ../lib/google-cloud-sdk/bin/gcloud
symlinkSync(join(sdk, 'bin', 'gcloud'), join(bin, 'gcloud'));
writeFileSync(join(dir, 'ca.pem'), '');

const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env: { PATH: bin, ...env },
  home,
  cwd: home,
  platform: 'linux',
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
});

describe('gcloud', () => {
  it('finds the active configuration as named_configs.py does', async () => {
    expect((await activeConfig(ctx())).name).toBe('default'); // nothing written yet
    cpSync(FIX, config, { recursive: true });
    expect(await activeConfig(ctx())).toMatchObject({
      name: 'corp',
      file: join(config, 'configurations', 'config_corp'),
    });
    expect((await activeConfig(ctx({ CLOUDSDK_ACTIVE_CONFIG_NAME: 'default' }))).name).toBe('default');
    expect((await activeConfig(ctx({ CLOUDSDK_CONFIG: join(dir, 'elsewhere') }))).name).toBe('default');
  });

  it("reads custom_ca_certs_file from the variable, the active configuration, the installation, else requests' default", async () => {
    const [inst] = await gcloud.detect(ctx());
    const i = inst as NonNullable<typeof inst>;
    // corp (active) has only a proxy: gcloud's vendored certifi, and the environment is not read.
    const corp = await gcloud.trust(i, ctx({ REQUESTS_CA_BUNDLE: join(dir, 'ca.pem') }));
    expect(corp).toMatchObject({
      source: 'certifi',
      path: join(sdk, 'lib', 'third_party', 'certifi', 'cacert.pem'),
    });
    expect(corp.ignores?.[0]).toMatch(/ignores REQUESTS_CA_BUNDLE/);
    // default sets the property: its file, a warning since /etc/corp/ca.pem does not exist here.
    const def = await gcloud.trust(i, ctx({ CLOUDSDK_ACTIVE_CONFIG_NAME: 'default' }));
    expect(def).toMatchObject({ source: 'config', path: '/etc/corp/ca.pem' });
    expect(def.via).toBe(`${join(config, 'configurations', 'config_default')} [core] custom_ca_certs_file`);
    expect(def.ignores).toBeUndefined();
    // the variable beats every file
    expect(
      await gcloud.trust(i, ctx({ CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE: join(dir, 'ca.pem') })),
    ).toMatchObject({ source: 'env', via: 'CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE', path: join(dir, 'ca.pem') });
    // the installation's properties file comes last
    writeFileSync(join(sdk, 'properties'), `[core]\ncustom_ca_certs_file = ${join(dir, 'ca.pem')}\n`);
    expect(await gcloud.trust(i, ctx({ CLOUDSDK_CONFIG: join(dir, 'none') }))).toMatchObject({
      source: 'config',
      via: `${join(sdk, 'properties')} [core] custom_ca_certs_file`,
    });
  });

  it('plans the variable, which every configuration reads', async () => {
    const [inst] = await gcloud.detect(ctx());
    expect(gcloud.plan(inst as NonNullable<typeof inst>, '/b.pem', ctx()).changes).toEqual([
      { kind: 'env', name: 'CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE', value: '/b.pem' },
    ]);
  });
});
