/**
 * PowerShell profile persistence, as data on Linux with the Windows platform simulated and reg.exe answered by
 * a stand-in that keeps values the way `reg query/add/delete` do (the real reg.exe runs in
 * test/e2e/wine.test.ts): which profiles get the block, its syntax and quoting, OneDrive's Documents, and an
 * undo that gives every byte back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { quotePowershell, renderBlock } from '../../src/apply/block.ts';
import { applyPlans, undoAll } from '../../src/apply/index.ts';
import { documentsDir, expandWindows, isProfilePath } from '../../src/apply/powershell-profile.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { Runner } from '../../src/types.ts';
import { cleanupTemp, snapshot, tempDir } from './helpers.ts';

/** reg.exe for HKCU: values by `key\name`, printed in reg query's format (see registry.test.ts). */
function fakeReg(initial: Record<string, { type: string; data: string }> = {}) {
  const values = new Map(Object.entries(initial));
  const run: Runner = async (cmd, args) => {
    if (cmd !== 'reg') return { code: 1, stdout: '', stderr: `${cmd}: not found` };
    const [verb, key = '', , name = ''] = args;
    const id = `${key}\\${name}`;
    if (verb === 'query') {
      const v = values.get(id);
      if (!v) return { code: 1, stdout: '', stderr: 'ERROR: unable to find' };
      return { code: 0, stdout: `\r\n${key}\r\n    ${name}    ${v.type}    ${v.data}\r\n\r\n`, stderr: '' };
    }
    if (verb === 'add') values.set(id, { type: args[5] ?? 'REG_SZ', data: args[7] ?? '' });
    if (verb === 'delete') values.delete(id);
    return { code: 0, stdout: '', stderr: '' };
  };
  return { values, run };
}

afterEach(cleanupTemp);

const bundle = 'C:\\Users\\ana\\AppData\\Local\\certifix\\bundle.pem';
const plans: Plan[] = [
  { owner: 'node', summary: '', changes: [{ kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: bundle }] },
];

describe('PowerShell profile block', () => {
  it.each([
    ['C:\\Users\\ana\\b.pem', "'C:\\Users\\ana\\b.pem'"],
    ["C:\\Users\\O'Brien\\b.pem", "'C:\\Users\\O''Brien\\b.pem'"],
    ['C:\\Users\\O\u2019Brien\\b.pem', "'C:\\Users\\O\u2019\u2019Brien\\b.pem'"], // a typographic quote ends a string too
    ['$HOME\\b.pem', "'$HOME\\b.pem'"], // nothing expands inside single quotes
  ])('%s is quoted as %s', (value, quoted) => {
    expect(quotePowershell(value)).toBe(quoted);
  });

  it('renders $env: assignments between the markers', () => {
    expect(renderBlock({ NODE_EXTRA_CA_CERTS: bundle }, 'powershell', '\r\n')).toEqual([
      '# >>> certifix >>>\r\n',
      '# managed by certifix; `certifix undo` removes it\r\n',
      `$env:NODE_EXTRA_CA_CERTS = '${bundle}'\r\n`,
      '# <<< certifix <<<\r\n',
    ]);
  });
});

describe('Documents', () => {
  it("reads the value as Wine 8.0's reg.exe printed it", async () => {
    // Recorded: `reg query "HKCU\...\Explorer\User Shell Folders" /v Personal` in a fresh Wine 8.0 prefix.
    const recorded =
      '\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders\r\n    Personal    REG_EXPAND_SZ    %USERPROFILE%\\Documents\r\n\r\n';
    const run: Runner = async () => ({ code: 0, stdout: recorded, stderr: '' });
    const ctx = { home: 'C:\\users\\root', env: { USERPROFILE: 'C:\\users\\root' } };
    expect(await documentsDir(ctx, run)).toBe('C:\\users\\root\\Documents');
  });

  it('follows OneDrive: the User Shell Folders Personal value, expanded', async () => {
    const reg = fakeReg({
      'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders\\Personal': {
        type: 'REG_EXPAND_SZ',
        data: '%USERPROFILE%\\OneDrive\\Documents',
      },
    });
    const ctx = { home: 'C:\\Users\\ana', env: { UserProfile: 'C:\\Users\\ana' } };
    expect(await documentsDir(ctx, reg.run)).toBe('C:\\Users\\ana\\OneDrive\\Documents');
    expect(expandWindows('%NOPE%\\x', {})).toBe('%NOPE%\\x');
    // No value, or one that does not expand to an absolute path: %USERPROFILE%\Documents.
    expect(await documentsDir({ home: '/h', env: { USERPROFILE: '/u' } }, fakeReg().run)).toBe(
      join('/u', 'Documents'),
    );
  });

  it('the write guard admits the two profile files only', () => {
    expect(isProfilePath('D:\\Docs\\WindowsPowerShell\\Microsoft.PowerShell_profile.ps1')).toBe(true);
    expect(isProfilePath('/u/OneDrive/Documents/PowerShell/Microsoft.PowerShell_profile.ps1')).toBe(true);
    expect(isProfilePath('D:\\Docs\\WindowsPowerShell\\profile.ps1')).toBe(false);
    expect(isProfilePath('D:\\Docs\\Other\\Microsoft.PowerShell_profile.ps1')).toBe(false);
  });
});

describe('fix and undo on Windows', () => {
  it('adds the block to the existing profile only, keeps CRLF, and undo restores every byte', async () => {
    const home = tempDir();
    const docs = join(home, 'Documents');
    const winPs = join(docs, 'WindowsPowerShell', 'Microsoft.PowerShell_profile.ps1');
    mkdirSync(join(docs, 'WindowsPowerShell'), { recursive: true });
    writeFileSync(winPs, 'Set-PSReadLineOption -EditMode Emacs\r\n');
    const env = {
      USERPROFILE: home,
      APPDATA: join(home, 'AppData', 'Roaming'),
      LOCALAPPDATA: join(home, 'L'),
    };
    const ctx = { home, platform: 'win32' as const, env };
    const reg = fakeReg();
    const before = snapshot(home);

    const dry = await applyPlans(plans, ctx, { dryRun: true, run: reg.run });
    expect(dry.changed.map((c) => c.path)).toEqual([winPs]); // PowerShell 7 has no profile: none created
    expect(dry.registry?.map((r) => r.name)).toEqual(['NODE_EXTRA_CA_CERTS']);

    await applyPlans(plans, ctx, { run: reg.run });
    expect(readFileSync(winPs, 'utf8')).toBe(
      `Set-PSReadLineOption -EditMode Emacs\r\n# >>> certifix >>>\r\n# managed by certifix; \`certifix undo\` removes it\r\n$env:NODE_EXTRA_CA_CERTS = '${bundle}'\r\n# <<< certifix <<<\r\n`,
    );
    expect(reg.values.get('HKCU\\Environment\\NODE_EXTRA_CA_CERTS')).toEqual({
      type: 'REG_SZ',
      data: bundle,
    });
    expect((await applyPlans(plans, ctx, { run: reg.run })).changed).toEqual([]); // idempotent

    const undone = await undoAll({ ...ctx, run: reg.run });
    expect(undone.conflicts).toEqual([]);
    expect(undone.restored).toContain(winPs);
    expect(undone.removed).toContain('HKCU\\Environment\\NODE_EXTRA_CA_CERTS');
    expect(snapshot(home)).toEqual(before);
    expect(reg.values.size).toBe(0);
  });
});
