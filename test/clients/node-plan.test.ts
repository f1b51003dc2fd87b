/**
 * The node adapter's plan: NODE_USE_SYSTEM_CA=1 where every installed Node honours it and every root to trust
 * is in the OS store, NODE_EXTRA_CA_CERTS otherwise. Installed Nodes are made as files in a temporary HOME and
 * PATH (nvm, fnm and Volta layouts), never run.
 */
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node } from '../../src/clients/node.ts';
import { installedNodes } from '../../src/clients/node-versions.ts';
import { npm } from '../../src/clients/npm.ts';
import type { Cert } from '../../src/core/cert.ts';
import type { Context } from '../../src/types.ts';

function fakeNode(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

function machine(onPath: string, extra: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'certifix-nodes-'));
  const bin = join(home, 'bin');
  const path = fakeNode(join(bin, 'node'));
  const ctx: Context = {
    env: { PATH: bin, HOME: home, ...extra },
    home,
    cwd: home,
    platform: 'linux',
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
  };
  return { home, ctx, inst: { client: 'node' as const, path, version: onPath } };
}

const none = { outsideOs: [] as Cert[] };
const envOf = (p: ReturnType<typeof node.plan>) => p.changes.map((c) => (c.kind === 'env' ? c.name : c.kind));

describe('node plan: NODE_USE_SYSTEM_CA or NODE_EXTRA_CA_CERTS', () => {
  it('uses NODE_USE_SYSTEM_CA=1 when the only Node honours it and the roots are in the OS store', () => {
    for (const v of ['22.19.0', '24.6.0', '25.0.0', '26.1.0']) {
      const { ctx, inst } = machine(v);
      const plan = node.plan(inst, '/b.pem', ctx, none);
      expect(envOf(plan), v).toEqual(['NODE_USE_SYSTEM_CA']);
      expect(plan.notes?.[0]).toMatch(/Chosen over NODE_EXTRA_CA_CERTS because every installed Node/);
    }
  });

  it('keeps NODE_EXTRA_CA_CERTS for a Node that ignores it (22.18, 23.x, 24.5, 20)', () => {
    for (const v of ['22.18.0', '23.11.1', '24.5.0', '20.20.2']) {
      const { ctx, inst } = machine(v);
      const plan = node.plan(inst, '/b.pem', ctx, none);
      expect(envOf(plan), v).toEqual(['NODE_EXTRA_CA_CERTS']);
      expect(plan.notes?.[0]).toMatch(/NODE_USE_SYSTEM_CA needs >= 22.19/);
    }
  });

  it('keeps NODE_EXTRA_CA_CERTS when a root to trust is not in the OS store (--ca)', () => {
    const { ctx, inst } = machine('24.22.3');
    const corp = { subject: 'CN=Corp Root', sha256: 'ab'.repeat(32) } as Cert;
    const plan = node.plan(inst, '/b.pem', ctx, { outsideOs: [corp] });
    expect(envOf(plan)).toEqual(['NODE_EXTRA_CA_CERTS']);
    expect(plan.notes?.[0]).toMatch(/a root to trust is not in the OS store \(CN=Corp Root\)/);
    // Without what fix knows about the roots (an older caller): the variable that always works.
    expect(envOf(node.plan(inst, '/b.pem', ctx))).toEqual(['NODE_EXTRA_CA_CERTS']);
  });

  it('gives an old Node as the reason before a root outside the OS store (the more basic one)', () => {
    const { ctx, inst } = machine('20.20.2');
    const corp = { subject: 'CN=Corp Root', sha256: 'ab'.repeat(32) } as Cert;
    const plan = node.plan(inst, '/b.pem', ctx, { outsideOs: [corp] });
    expect(envOf(plan)).toEqual(['NODE_EXTRA_CA_CERTS']);
    expect(plan.notes?.[0]).toMatch(
      /is not used: Node 20.20.2 is installed, and NODE_USE_SYSTEM_CA needs >= 22.19/,
    );
    expect(plan.notes?.[0]).not.toMatch(/not in the OS store/);
  });

  it('looks at every Node: nvm, fnm and Volta under HOME, and a second node on PATH', () => {
    const a = machine('24.22.3');
    fakeNode(join(a.home, '.nvm', 'versions', 'node', 'v24.6.0', 'bin', 'node'));
    fakeNode(
      join(a.home, '.local', 'share', 'fnm', 'node-versions', 'v22.19.0', 'installation', 'bin', 'node'),
    );
    fakeNode(join(a.home, '.volta', 'tools', 'image', 'node', '25.1.0', 'bin', 'node'));
    expect(installedNodes(a.inst, a.ctx)).toEqual({
      versions: ['24.22.3', '24.6.0', '22.19.0', '25.1.0'],
      unknown: [],
    });
    expect(envOf(node.plan(a.inst, '/b.pem', a.ctx, none))).toEqual(['NODE_USE_SYSTEM_CA']);
    // One old Node in a manager is enough to keep the variable that works everywhere.
    fakeNode(join(a.home, '.nvm', 'versions', 'node', 'v20.11.0', 'bin', 'node'));
    const plan = node.plan(a.inst, '/b.pem', a.ctx, none);
    expect(envOf(plan)).toEqual(['NODE_EXTRA_CA_CERTS']);
    expect(plan.notes?.[0]).toMatch(/Node 20\.11\.0 is installed/);
    // The same old Node on PATH too (nvm's bin directory): named once, "is", not "20.11.0 are".
    a.ctx.env.PATH = `${a.ctx.env.PATH}:${join(a.home, '.nvm', 'versions', 'node', 'v20.11.0', 'bin')}`;
    expect(node.plan(a.inst, '/b.pem', a.ctx, none).notes?.[0]).toMatch(/: Node 20\.11\.0 is installed/);
    // NVM_DIR moves nvm's root.
    const b = machine('24.22.3', {});
    const nvm = join(b.home, 'elsewhere');
    fakeNode(join(nvm, 'versions', 'node', 'v18.20.0', 'bin', 'node'));
    expect(envOf(node.plan(b.inst, '/b.pem', b.ctx, none))).toEqual(['NODE_USE_SYSTEM_CA']);
    b.ctx.env.NVM_DIR = nvm;
    expect(envOf(node.plan(b.inst, '/b.pem', b.ctx, none))).toEqual(['NODE_EXTRA_CA_CERTS']);
    // A second node on PATH whose version its path does not show counts as unknown (it may be old).
    const c = machine('24.22.3');
    const other = fakeNode(join(c.home, 'usr-bin', 'node'));
    c.ctx.env.PATH = `${c.ctx.env.PATH}:${join(other, '..')}`;
    const p = node.plan(c.inst, '/b.pem', c.ctx, none);
    expect(envOf(p)).toEqual(['NODE_EXTRA_CA_CERTS']);
    expect(p.notes?.[0]).toMatch(/usr-bin\/node: version not known without running it/);
  });

  it('does not follow a symlinked manager directory in HOME (it counts as unknown)', () => {
    const { home, ctx, inst } = machine('24.22.3');
    const target = mkdtempSync(join(tmpdir(), 'certifix-nodes-target-'));
    mkdirSync(join(home, '.nvm', 'versions'), { recursive: true });
    symlinkSync(target, join(home, '.nvm', 'versions', 'node'));
    expect(installedNodes(inst, ctx).unknown).toEqual([
      `${join(home, '.nvm', 'versions', 'node')}: not a plain directory`,
    ]);
    expect(envOf(node.plan(inst, '/b.pem', ctx, none))).toEqual(['NODE_EXTRA_CA_CERTS']);
  });

  it('is not chosen on Windows', () => {
    const { ctx, inst } = machine('24.22.3');
    expect(envOf(node.plan(inst, '/b.pem', { ...ctx, platform: 'win32' }, none))).toEqual([
      'NODE_EXTRA_CA_CERTS',
    ]);
  });
});

describe('npm plan: the same choice, unless an npmrc sets its own ca', () => {
  const npmOn = (m: ReturnType<typeof machine>) => ({
    client: 'npm' as const,
    path: join(m.home, 'npm', 'bin', 'npm-cli.js'),
    details: { npmDir: join(m.home, 'npm'), node: m.inst.path, nodeVersion: m.inst.version },
  });
  const kinds = (p: ReturnType<typeof npm.plan>) =>
    p.changes.map((c) => (c.kind === 'env' ? c.name : c.kind));

  it('NODE_USE_SYSTEM_CA=1 when the node plan chooses it and no npmrc sets ca or cafile', () => {
    const m = machine('24.22.3');
    const plan = npm.plan(npmOn(m), '/b.pem', m.ctx, none);
    expect(kinds(plan)).toEqual(['NODE_USE_SYSTEM_CA']);
    expect(plan.notes?.[0]).toMatch(/no npmrc sets ca or cafile, and every installed Node \(24\.22\.3\)/);
  });

  it('cafile in ~/.npmrc otherwise: an old Node, a cafile of its own, or no roots known', () => {
    const old = machine('20.20.2');
    expect(kinds(npm.plan(npmOn(old), '/b.pem', old.ctx, none))).toEqual(['npmrc']);
    const own = machine('24.22.3');
    writeFileSync(join(own.home, '.npmrc'), 'cafile=/corp/ca.pem\n'); // replaces Node's store, system CA too
    expect(kinds(npm.plan(npmOn(own), '/b.pem', own.ctx, none))).toEqual(['npmrc']);
    const m = machine('24.22.3');
    expect(kinds(npm.plan(npmOn(m), '/b.pem', m.ctx))).toEqual(['npmrc']);
  });
});
