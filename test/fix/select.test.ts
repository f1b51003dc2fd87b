/**
 * Which roots `fix URL` trusts when the server sends its certificate alone and no store here holds its root:
 * the roots given with --ca, rather than a refusal that asks for exactly those.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runProcess } from '../../src/context.ts';
import { selectRoots } from '../../src/fix/select.ts';
import type { Context } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';
import { startTls } from '../net/servers.ts';

const home = mkdtempSync(join(tmpdir(), 'certifix-select-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('takes the --ca roots for a leaf-only chain whose root no store holds, and refuses without them', async () => {
  const pki = new Pki();
  const root = pki.root('corp', 'Select Corp Root');
  const leaf = pki.leaf('svc', 'localhost', root);
  const srv = await startTls(leaf.keyPem, [leaf.pem]);
  try {
    const ctx: Context = {
      env: { PATH: process.env.PATH, HOME: home },
      home,
      cwd: home,
      platform: 'linux',
      run: runProcess,
    };
    const url = `https://localhost:${srv.port}/`;
    const picked = await selectRoots({ url, caFiles: [root.certPath] }, ctx);
    expect(picked.candidates.map((c) => [c.cert.subject, c.origin])).toEqual([
      ['CN=Select Corp Root', 'file'],
    ]);
    await expect(selectRoots({ url }, ctx)).rejects.toMatchObject({ code: 'REFUSED' });
  } finally {
    await srv.close();
  }
});
