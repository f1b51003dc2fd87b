/**
 * The chosen roots (roots.pem in certifix's data directory under HOME) are read bounded and never through a
 * symlink: `sudo certifix refresh` in someone's HOME must not take roots from wherever a link points.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { readChosenRoots, renderRoots, rootsPath } from '../../src/fix/plan.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const root = parseCerts(pki.root('chosen-root', 'Chosen Root').pem).certs[0] as Cert;
const homes: string[] = [];

/** A HOME whose data directory exists, with `roots.pem` made by `make`. */
function home(make: (roots: string, home: string) => void) {
  const h = mkdtempSync(join(tmpdir(), 'certifix-roots-'));
  homes.push(h);
  const ctx = { env: { HOME: h }, home: h, platform: 'linux' as const };
  mkdirSync(dirname(rootsPath(ctx)), { recursive: true });
  make(rootsPath(ctx), h);
  return ctx;
}

afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('readChosenRoots', () => {
  const pem = renderRoots([{ cert: root, origin: 'file', from: '/tmp/corp.pem' }]);

  it('reads the roots an earlier fix chose, with their origin', async () => {
    const ctx = home((p) => writeFileSync(p, pem));
    const got = await readChosenRoots(ctx);
    expect(got.map((r) => [r.cert.subject, r.origin, r.from])).toEqual([
      [root.subject, 'file', '/tmp/corp.pem'],
    ]);
  });

  it('does not follow a symlink at roots.pem', async () => {
    const ctx = home((p, h) => {
      writeFileSync(join(h, 'elsewhere.pem'), pem);
      symlinkSync(join(h, 'elsewhere.pem'), p);
    });
    expect(await readChosenRoots(ctx)).toEqual([]);
  });

  it('does not read a roots.pem past 4 MB', async () => {
    const ctx = home((p) => writeFileSync(p, `${pem}${'#'.repeat(5 * 1024 * 1024)}\n`));
    expect(await readChosenRoots(ctx)).toEqual([]);
  });

  it('is empty when nothing was chosen yet', async () => {
    expect(await readChosenRoots(home(() => {}))).toEqual([]);
  });
});
