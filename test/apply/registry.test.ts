/**
 * The reg.exe side of Windows persistence. Applying and undoing run for real under Wine in
 * test/e2e/wine.test.ts; here, the parsing of `reg query` output as Wine 8.0's reg.exe printed it.
 */
import { describe, expect, it } from 'vitest';
import { broadcastCommand, parseRegQuery } from '../../src/apply/registry.ts';

// Recorded: `reg query HKCU\Environment /v FOO` under Wine 8.0 after `reg add ... /v FOO /t REG_SZ /d "C:\x y\b.pem"`.
const RECORDED = '\r\nHKEY_CURRENT_USER\\Environment\r\n    FOO    REG_SZ    C:\\x y\\b.pem\r\n\r\n';

describe('reg query output', () => {
  it('reads the type and the data, spaces included', () => {
    expect(parseRegQuery(RECORDED, 'FOO')).toEqual({ type: 'REG_SZ', data: 'C:\\x y\\b.pem' });
    expect(parseRegQuery(RECORDED, 'foo')).toEqual({ type: 'REG_SZ', data: 'C:\\x y\\b.pem' }); // names are case-insensitive
  });
  it('an expandable value keeps its %VARIABLES% unexpanded, an empty value is empty', () => {
    const out =
      '\r\nHKEY_CURRENT_USER\\Environment\r\n    A    REG_EXPAND_SZ    %USERPROFILE%\\a.pem\r\n    B    REG_SZ\r\n';
    expect(parseRegQuery(out, 'A')).toEqual({ type: 'REG_EXPAND_SZ', data: '%USERPROFILE%\\a.pem' });
    expect(parseRegQuery(out, 'B')).toEqual({ type: 'REG_SZ', data: '' });
  });
  it('a value that is not listed is absent', () => {
    expect(parseRegQuery('\r\nreg: Unable to find the specified registry value\r\n', 'FOO')).toBeNull();
  });
  it('the broadcast re-sets the value through .NET, quoting the name for PowerShell', () => {
    expect(broadcastCommand("A'B").at(-1)).toBe(
      "[Environment]::SetEnvironmentVariable('A''B', [Environment]::GetEnvironmentVariable('A''B', 'User'), 'User')",
    );
  });
});
