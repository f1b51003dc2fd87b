/** Every command's --help teaches by example. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_HELP } from '../../src/cli/check.ts';
import { DIAGNOSE_HELP } from '../../src/cli/diagnose.ts';
import { EXPLAIN_HELP } from '../../src/cli/explain.ts';
import { EXPORT_HELP } from '../../src/cli/export.ts';
import { FIX_HELP } from '../../src/cli/fix.ts';
import { main } from '../../src/cli/main.ts';
import { PROBE_HELP } from '../../src/cli/probe.ts';
import { REFRESH_HELP } from '../../src/cli/refresh.ts';
import { STATUS_HELP } from '../../src/cli/status.ts';
import { UNDO_HELP } from '../../src/cli/undo.ts';
import { VERIFY_HELP } from '../../src/cli/verify.ts';
import { CLIENT_IDS } from '../../src/clients/ids.ts';
import { memoryIo } from '../helpers/io.ts';

const HELP = {
  CHECK_HELP,
  DIAGNOSE_HELP,
  EXPLAIN_HELP,
  EXPORT_HELP,
  FIX_HELP,
  PROBE_HELP,
  REFRESH_HELP,
  STATUS_HELP,
  UNDO_HELP,
  VERIFY_HELP,
};

describe('--help', () => {
  it.each(Object.entries(HELP))('%s has examples', (_, text) => {
    expect(text).toMatch(/Examples:\n {2}.*certifix /);
  });
});

describe('help text', () => {
  it.each(Object.entries(HELP))('%s documents its exit codes', (_, text) => {
    expect(text).toMatch(/\nExit codes: 0 .+[,;]\s1 .+[,;]\s2 /s);
  });

  it.each([
    ['FIX_HELP', FIX_HELP],
    ['DIAGNOSE_HELP', DIAGNOSE_HELP],
    ['CHECK_HELP', CHECK_HELP],
  ])('%s lists every --client id, and no line runs past 112 columns', (_, text) => {
    const ids = text.slice(text.indexOf('--client IDS'), text.indexOf('--python')).match(/[a-z][a-z0-9-]*/g);
    for (const id of CLIENT_IDS) expect(ids, id).toContain(id);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(112);
  });
});

describe('certifix help <command>', () => {
  const run = async (argv: string[]) => {
    const { io, out } = memoryIo({ HOME: '/nonexistent' });
    return { code: await main(argv, io), ...out };
  };

  it("prints that command's help, as <command> --help does", async () => {
    expect(await run(['help', 'diagnose'])).toMatchObject({ code: 0, stdout: DIAGNOSE_HELP, stderr: '' });
    expect(await run(['help', 'undo'])).toMatchObject({ code: 0, stdout: UNDO_HELP });
  });

  it('alone, the overview; an unknown command (or an Object property name) exits 2', async () => {
    const overview = await run(['help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toContain('certifix help <command>');
    for (const name of ['nope', 'constructor']) {
      const r = await run(['help', name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`unknown command '${name}'`);
    }
  });
});

describe('exit codes as the help says them', () => {
  it('refresh on a machine certifix has not configured: 1, with what to run', async () => {
    const home = mkdtempSync(join(tmpdir(), 'certifix-refresh-'));
    const { io, out } = memoryIo({ HOME: home, XDG_DATA_HOME: join(home, 'data') }, home);
    expect(await main(['refresh'], io)).toBe(1);
    expect(out.stderr).toBe(
      'certifix: nothing to refresh: certifix has not configured this machine\n' +
        '  hint: run certifix fix first: refresh rebuilds and re-applies what fix set up\n',
    );
    expect(REFRESH_HELP).toContain('1 nothing to refresh');
  });

  it('undo on a machine certifix has not configured: 0, nothing to undo', async () => {
    const home = mkdtempSync(join(tmpdir(), 'certifix-undo-'));
    const { io, out } = memoryIo({ HOME: home, XDG_DATA_HOME: join(home, 'data') }, home);
    expect(await main(['undo', '--yes'], io)).toBe(0);
    expect(out.stdout).toContain('Nothing to undo');
    expect(UNDO_HELP).toContain('0 undone, or nothing to undo');
  });
});
