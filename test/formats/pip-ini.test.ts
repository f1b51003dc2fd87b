/**
 * pip.conf: the reader diagnose/status use (parseIni) and the value fix/undo read back (getKey with the pip
 * dialect) agree with pip itself on the same file: `pip config list` with PIP_CONFIG_FILE naming it and a
 * clean environment. pip reads with configparser.RawConfigParser: no inline comments, indented lines continue
 * a value (joined with "\n"), blank lines inside a value are kept and comment lines skipped
 * (https://github.com/python/cpython/blob/3.11/Lib/configparser.py `_read`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIni } from '../../src/clients/ini.ts';
import { pipIni } from '../../src/formats/ini.ts';
import { getKey } from '../../src/formats/keyfile.ts';
import { lacks, missing } from '../helpers/has.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-pipini-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The value pip resolves for `global.<key>` (`pip config list` prints it as a Python repr), or null. */
function pipGet(text: string, key: string): string | null {
  const f = join(dir, 'pip.conf');
  writeFileSync(f, text);
  const r = spawnSync('python3', ['-m', 'pip', 'config', 'list'], {
    env: { PATH: process.env.PATH, HOME: dir, PIP_CONFIG_FILE: f, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    cwd: dir,
    encoding: 'utf8',
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(`global.${key}=`));
  if (!line) return null;
  // The test values hold no quotes or backslashes: the repr is '…' with newlines as \n.
  return line.slice(`global.${key}=`.length + 1, -1).replaceAll('\\n', '\n');
}

describe.skipIf(lacks('python3'))(`pip.conf: our readers and pip config get ${missing('python3')}`, () => {
  it.each([
    '[global]\ncert = /etc/corp.pem ; added by IT\n',
    '[global]\ncert: /etc/corp.pem\n',
    '[global]\ncert =\n    /etc/a.pem\n    /etc/b.pem\n',
    '[global]\ncert = /etc/a.pem\n\n    /etc/b.pem\n\ntimeout = 5\n',
    '[global]\ncert = /etc/a.pem\n# a comment inside\n    /etc/b.pem\ntimeout = 1\n',
    '[global]\ncert = /etc/a.pem\n\n\n',
    '[global]\nCERT = /etc/upper.pem\n',
  ])('%j', { timeout: 60_000 }, (text) => {
    const real = pipGet(text, 'cert');
    expect(parseIni(text).get('global')?.get('cert') ?? null).toBe(real);
    expect(getKey(text, 'global', 'cert', pipIni)).toBe(real);
  });
});
