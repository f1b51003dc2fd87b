/**
 * fix() and undo() as a library caller uses them (no terminal, no lab): the `confirm` callback sees the
 * questions the terminal asks and a "no" changes nothing; without a callback they go ahead as `--yes` does;
 * a dry run asks nothing; a refused root gives the document with nothing planned. One client (git) in a
 * temporary HOME; the real-client scenarios are test/e2e/fix*.test.ts and library-vs-cli.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixQuestion, fix } from '../../src/commands/fix.ts';
import { type UndoQuestion, undo } from '../../src/commands/undo.ts';
import { runProcess } from '../../src/context.ts';
import type { Context } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { snapshotTree } from '../helpers/snapshot.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempContext(): Context {
  const home = mkdtempSync(join(tmpdir(), 'certifix-commands-fix-'));
  dirs.push(home);
  const env = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash', LANG: 'C.UTF-8' };
  return { env, home, cwd: home, platform: 'linux', run: runProcess };
}

describe.skipIf(lacks('openssl', 'git'))(`fix() and undo() ${missing('openssl', 'git')}`, () => {
  let pki: Pki;
  let root: Issued;
  let leaf: Issued;
  beforeAll(() => {
    pki = new Pki();
    root = pki.root('lib-root', 'Library Test Root CA', { subjectPrefix: '/O=Example Corp' });
    leaf = pki.leaf('lib-leaf', 'app.corp.test', root);
  }, 30_000);
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

  it('asks to proceed with the roots; "no" throws CANCELLED and changes nothing', async () => {
    const ctx = tempContext();
    const asked: FixQuestion[] = [];
    const confirm = async (q: FixQuestion) => {
      asked.push(q);
      return false;
    };
    await expect(fix({ ca: [root.certPath], clients: ['git'], confirm }, ctx)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ kind: 'proceed', refused: [] });
    expect(asked[0]?.kind === 'proceed' && asked[0].roots.map((r) => r.cert.subject)).toEqual([
      'O=Example Corp, CN=Library Test Root CA',
    ]);
    expect(await snapshotTree(ctx.home)).toEqual({});
  });

  it('a dry run asks nothing and changes nothing', async () => {
    const ctx = tempContext();
    const confirm = async (): Promise<boolean> => {
      throw new Error('a dry run must not ask');
    };
    const report = await fix({ ca: [root.certPath], clients: ['git'], dryRun: true, confirm }, ctx);
    expect(report).toMatchObject({ dryRun: true, refused: [], proof: null });
    expect(report.roots.map((r) => r.origin)).toEqual(['file']);
    expect(report.changed.length).toBeGreaterThan(0);
    expect(await snapshotTree(ctx.home)).toEqual({});
  });

  it('a refused root: the document with nothing planned', async () => {
    const ctx = tempContext();
    const report = await fix({ ca: [leaf.certPath], clients: ['git'] }, ctx);
    expect(report).toMatchObject({ roots: [], bundle: null, plans: [], changed: [], proof: null });
    expect(report.refused).toEqual([
      expect.objectContaining({ subject: 'CN=app.corp.test', reason: expect.stringContaining('not a CA') }),
    ]);
    expect(await snapshotTree(ctx.home)).toEqual({});
  });

  it('without confirm fix goes ahead as --yes; undo asks what it restores, then restores every byte', async () => {
    const ctx = tempContext();
    const before = await snapshotTree(ctx.home);
    const report = await fix({ ca: [root.certPath], clients: ['git'] }, ctx);
    expect(report.dryRun).toBe(false);
    expect(report.changed.map((c) => c.path)).toContain(join(ctx.home, '.gitconfig'));
    const asked: UndoQuestion[] = [];
    const no = async (q: UndoQuestion) => {
      asked.push(q);
      return false;
    };
    await expect(undo({ confirm: no }, ctx)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(asked[0]?.listing.files).toContain(join(ctx.home, '.gitconfig'));
    const result = await undo({}, ctx);
    expect(result.nothing).toBe(false);
    expect(await snapshotTree(ctx.home)).toEqual(before);
    expect((await undo({ confirm: no }, ctx)).nothing).toBe(true); // nothing to undo: nothing to ask
    expect(asked).toHaveLength(1);
  });
});
