/**
 * `fix` on a laptop whose Nodes are official builds kept the way nvm keeps them (~/.nvm/versions/node/v<x>/bin,
 * put on PATH by the user's dotfiles; the distro's /usr/bin/node hidden): with Node 24 alone, the node and npm
 * clients get NODE_USE_SYSTEM_CA=1 (npm no cafile) and the plan says why; a new shell's node then reaches the internal-CA
 * service and npm gets through Squid, and after `undo` both fail again as before. With Node 20 installed
 * next to it, the plan keeps NODE_EXTRA_CA_CERTS and names Node 20 as the reason (src/clients/node.ts
 * `systemCaChoice`; Node >= 22.19 / >= 24.6 honour the variable: nodejs/node#59276).
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_VERSIONS } from '../../scripts/node-dist.mjs';
import * as client from '../helpers/clients.ts';
import { lacks, missing, nodeOf } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { REPO } from '../helpers/paths.ts';
import { inShell } from './fix-probes.ts';

const TOOLS = ['sandbox', 'squid', 'node24', 'node20'];
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Installs the official Node of `line` where nvm puts it; returns its bin directory (a HOME path). */
function nvmInstall(laptop: Laptop, line: 20 | 24): string {
  const bin = laptop.homePath('.nvm', 'versions', 'node', `v${NODE_VERSIONS[line]}`, 'bin');
  mkdirSync(bin, { recursive: true });
  const node = nodeOf(line) as string;
  try {
    linkSync(node, join(bin, 'node')); // ~100 MB: share the cached binary where the file system allows
  } catch {
    copyFileSync(node, join(bin, 'node'));
  }
  return bin;
}

describe.skipIf(lacks(...TOOLS))(`fix chooses NODE_USE_SYSTEM_CA on Node 24 ${missing(...TOOLS)}`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start({ mitmproxy: false });
  }, 60_000);
  afterAll(() => lab?.close());

  it('Node 24 alone: NODE_USE_SYSTEM_CA=1, explained; node and npm work in new shells; undo brings the failures back', async () => {
    // The distro's Node (20 here) is hidden: the only Node is the user's own, on PATH through ~/.bashrc and
    // ~/.profile (a login shell's /etc/profile resets PATH first), as nvm's `nvm use` leaves it.
    const laptop = await lab.laptop({ hide: ['/usr/bin/node'] });
    const bin24 = nvmInstall(laptop, 24);
    const line = `export PATH="$HOME/.nvm/versions/node/v${NODE_VERSIONS[24]}/bin:$PATH"\n`;
    for (const rc of ['.profile', '.bashrc']) await laptop.appendHome(rc, line);
    const env = { PATH: `${bin24}:${SYSTEM_PATH}`, https_proxy: lab.squid?.url ?? '' };
    const certifix = (args: string[]) =>
      laptop.run(join(bin24, 'node'), [join(REPO, 'bin', 'certifix.js'), ...args], {
        env,
        timeoutMs: 240_000,
      });

    const probe = async (kind: 'login' | 'interactive') => {
      const on = inShell(laptop, kind);
      const [version, internal, npm] = await Promise.all([
        on.run('node', ['--version'], {}),
        client.nodeFetch(on, lab.internal.url),
        client.npmPing(on, lab.origin.npmRegistry, { proxy: lab.squid }),
      ]);
      expect(version.stdout.trim()).toBe(`v${NODE_VERSIONS[24]}`);
      return { internal: internal.ok || internal.reason, npm: npm.ok || npm.reason };
    };
    const BEFORE = {
      internal: 'unable to get local issuer certificate',
      npm: 'self-signed certificate in certificate chain',
    };
    expect(await probe('login')).toEqual(BEFORE);

    const fix = await certifix(['fix', '--yes']);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stdout).toContain('Set NODE_USE_SYSTEM_CA=1: Node adds the OS store to its bundled roots.');
    expect(fix.stdout).toContain(
      `Chosen over NODE_EXTRA_CA_CERTS because every installed Node (${NODE_VERSIONS[24]}) honours it and every root to trust is in the OS store`,
    );
    const profile = readFileSync(laptop.homePath('.profile'), 'utf8');
    expect(profile).toMatch(/NODE_USE_SYSTEM_CA=['"]?1/);
    expect(profile).not.toContain('NODE_EXTRA_CA_CERTS');
    // npm verifies with Node: the same variable serves it, no cafile replaces Node's (now OS-extended) store.
    expect(existsSync(laptop.homePath('.npmrc'))).toBe(false);

    const allOk = { internal: true, npm: true };
    expect(await probe('login')).toEqual(allOk);
    expect(await probe('interactive')).toEqual(allOk);

    const undo = await certifix(['undo', '--yes']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(await probe('login')).toEqual(BEFORE);
    expect(await probe('interactive')).toEqual(BEFORE);
  }, 600_000);

  it('Node 20 also on PATH: the plan keeps NODE_EXTRA_CA_CERTS and says Node 20 is why', async () => {
    const laptop = await lab.laptop({ hide: ['/usr/bin/node'] });
    const bin24 = nvmInstall(laptop, 24);
    const bin20 = nvmInstall(laptop, 20);
    const r = await laptop.run(join(bin24, 'node'), [join(REPO, 'bin', 'certifix.js'), 'fix', '--dry-run'], {
      env: { PATH: `${bin24}:${bin20}:${SYSTEM_PATH}`, https_proxy: lab.squid?.url ?? '' },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "Set NODE_EXTRA_CA_CERTS to the merged bundle (added to Node's bundled roots).",
    );
    expect(r.stdout).toContain(
      `NODE_USE_SYSTEM_CA=1 (trust the OS store) is not used: Node ${NODE_VERSIONS[20]} is installed, and NODE_USE_SYSTEM_CA needs >= 22.19 (22.x) or >= 24.6.`,
    );
    expect(r.stdout).not.toContain('Set NODE_USE_SYSTEM_CA=1');
  }, 300_000);
});
