/**
 * az's store as requests builds it (az.ts); the real az (Debian's azure-cli) runs in the contract suite. The
 * certifi here is Debian's, patched to return the OS bundle (certifi.ts), as /usr/bin/az's python3 has it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { az } from '../../src/clients/az.ts';
import type { Context, Installation } from '../../src/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-az-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const certifi = join(dir, 'dist-packages', 'certifi');
mkdirSync(certifi, { recursive: true });
const osBundle = join(dir, 'ca-certificates.crt');
writeFileSync(osBundle, '');
// Debian's python3-certifi core.py: `def where(): return "/etc/ssl/certs/ca-certificates.crt"`
writeFileSync(join(certifi, 'core.py'), `def where():\n    return "${osBundle}"\n`);
const inst: Installation = { client: 'az', path: '/usr/bin/az', details: { certifi } };
const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env,
  home: dir,
  cwd: dir,
  platform: 'linux',
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
});

describe('az', () => {
  it("uses its Python's certifi, REQUESTS_CA_BUNDLE over it, and warns when verification is off", async () => {
    expect(await az.trust(inst, ctx())).toMatchObject({ source: 'certifi', path: osBundle });
    const corp = join(dir, 'corp.pem');
    writeFileSync(corp, '');
    expect(await az.trust(inst, ctx({ REQUESTS_CA_BUNDLE: corp }))).toMatchObject({
      source: 'env',
      via: 'REQUESTS_CA_BUNDLE',
      path: corp,
    });
    const off = await az.trust(inst, ctx({ AZURE_CLI_DISABLE_CONNECTION_VERIFICATION: '1' }));
    expect(off.warnings).toContain(
      'AZURE_CLI_DISABLE_CONNECTION_VERIFICATION is set: az does not verify certificates',
    );
    expect(az.plan(inst, '/b.pem', ctx()).changes).toEqual([
      { kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: '/b.pem' },
    ]);
  });
});
