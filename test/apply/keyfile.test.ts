import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOp, editText, type FileOp, revertEdit } from '../../src/apply/edits.ts';
import { lacks, missing } from '../helpers/has.ts';
import { cleanupTemp, tempDir } from './helpers.ts';

afterAll(cleanupTemp);

const pip = (value = '/b.pem'): FileOp => ({ kind: 'ini', section: 'global', key: 'cert', value });
const npm = (value = '/b.pem'): FileOp => ({ kind: 'npmrc', key: 'cafile', value });
const git = (value = '/b.pem'): FileOp => ({ kind: 'gitconfig', key: 'http.sslCAInfo', value });

/** [name, op, old text, expected new text] */
const cases: Array<[string, FileOp, string | null, string]> = [
  ['pip: new file', pip(), null, '[global]\ncert = /b.pem\n'],
  ['pip: empty file', pip(), '', '[global]\ncert = /b.pem\n'],
  [
    'pip: other section, no newline',
    pip(),
    '[install]\nuser = true',
    '[install]\nuser = true\n\n[global]\ncert = /b.pem\n',
  ],
  [
    'pip: key added to the section, before trailing blanks and comments kept',
    pip(),
    '# mine\n[global]\ntimeout = 60\n\n[install]\nuser = yes\n',
    '# mine\n[global]\ntimeout = 60\ncert = /b.pem\n\n[install]\nuser = yes\n',
  ],
  [
    'pip: existing value replaced, spelling kept',
    pip(),
    '[global]\nCert: /old.pem\n',
    '[global]\nCert: /b.pem\n',
  ],
  [
    'pip: multi-line value replaced whole',
    pip(),
    '[global]\ncert = /old\n  /continued\nx = 1\n',
    '[global]\ncert = /b.pem\nx = 1\n',
  ],
  ['pip: CRLF kept', pip(), '[global]\r\ntimeout = 60\r\n', '[global]\r\ntimeout = 60\r\ncert = /b.pem\r\n'],
  ['npm: new file', npm(), null, 'cafile=/b.pem\n'],
  [
    'npm: replaced, other keys kept',
    npm(),
    'registry=https://r/\ncafile = /old\n; c\n',
    'registry=https://r/\ncafile = /b.pem\n; c\n',
  ],
  ['npm: top-level key goes above sections', npm(), '[scope]\nx=1\n', 'cafile=/b.pem\n[scope]\nx=1\n'],
  ['npm: quoted when ini would cut it', npm('/a;b/c#d.pem'), '', 'cafile="/a;b/c#d.pem"\n'],
  ['npm: no trailing newline', npm(), 'registry=https://r/', 'registry=https://r/\ncafile=/b.pem\n'],
  ['git: new file', git(), null, '[http]\n\tsslCAInfo = /b.pem\n'],
  [
    'git: existing [HTTP] section, key case-insensitive, last one wins',
    git(),
    '[user]\n\tname = Me\n[HTTP]\n\tSSLCAINFO = /one\n\tsslcainfo = /two ; comment\n',
    '[user]\n\tname = Me\n[HTTP]\n\tSSLCAINFO = /one\n\tsslcainfo = /b.pem\n',
  ],
  [
    'git: added to the last plain [http], not to a URL subsection',
    git(),
    '[http]\n\tproxy = p\n[http "https://x/"]\n\tsslCAInfo = /x\n',
    '[http]\n\tproxy = p\n\tsslCAInfo = /b.pem\n[http "https://x/"]\n\tsslCAInfo = /x\n',
  ],
  [
    'git: quoted when needed',
    git('C:\\Users\\me\\b.pem'),
    '',
    '[http]\n\tsslCAInfo = "C:\\\\Users\\\\me\\\\b.pem"\n',
  ],
  [
    'git: CRLF kept',
    git(),
    '[core]\r\n\tautocrlf = true\r\n',
    '[core]\r\n\tautocrlf = true\r\n\r\n[http]\r\n\tsslCAInfo = /b.pem\r\n',
  ],
];

describe('key edits', () => {
  it.each(cases)('%s', (_name, op, old, want) => {
    const once = editText(old, op);
    expect(once).toBe(want);
    expect(editText(once, op)).toBe(once); // idempotent
  });

  it.each(cases)('revert: %s', (_name, op, old) => {
    const { text, record } = applyOp(old, op);
    const back = revertEdit(text, record);
    expect(back.conflict).toBeUndefined();
    // Exact, except that a missing final newline is added once we append (and stays).
    const base = old ?? '';
    expect(back.text === base || back.text === `${base}\n`).toBe(true);
  });

  it('revert keeps a value the user changed afterwards, and other edits', () => {
    const { text, record } = applyOp('[global]\ntimeout = 60\n', pip());
    const edited = `${text.replace('/b.pem', '/mine.pem')}# added later\n`;
    const back = revertEdit(edited, record);
    expect(back.text).toBe(edited);
    expect(back.conflict).toMatch(/changed to "\/mine.pem"/);
    // A value certifix replaced comes back as it was, with the user's later lines kept.
    const r2 = applyOp('[global]\ncert = /theirs\n', pip());
    expect(revertEdit(`${r2.text}x = 1\n`, r2.record).text).toBe('[global]\ncert = /theirs\nx = 1\n');
  });
});

describe('the real tools read what we wrote', () => {
  const value = '/home/me/My Certs/a;b#c "d" \\e.pem';

  it.skipIf(lacks('git'))(`git config --get ${missing('git')}`, () => {
    const f = join(tempDir(), 'gitconfig');
    writeFileSync(
      f,
      editText('[http "https://x/"]\n\tsslVerify = true\n[HTTP]\n\tsslcainfo = /old\n', git(value)),
    );
    const got = execFileSync('git', ['config', '--file', f, '--get', 'http.sslCAInfo']).toString();
    expect(got).toBe(`${value}\n`);
  });

  // A clean environment: the machine may set npm_config_cafile, PIP_CERT, ... for itself.
  const clean = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '',
    HOME: tempDir(),
    ...extra,
  });

  it.skipIf(lacks('npm'))(`npm config get ${missing('npm')}`, () => {
    const f = join(tempDir(), 'npmrc');
    writeFileSync(f, editText('registry=https://registry.npmjs.org/\n', npm(value)));
    const got = execFileSync('npm', ['config', 'get', 'cafile', '--userconfig', f], {
      env: clean({}),
      stdio: 'pipe',
    });
    expect(got.toString()).toBe(`${value}\n`);
  });

  it.skipIf(lacks('python3'))(`pip config list ${missing('python3')}`, () => {
    const f = join(tempDir(), 'pip.conf');
    const pipValue = '/home/me/My Certs/a;b#c %d.pem'; // configparser keeps everything after "= " verbatim
    writeFileSync(f, editText('[global]\ntimeout = 60\n', pip(pipValue)));
    const got = execFileSync('python3', ['-m', 'pip', 'config', 'list'], {
      env: clean({ PIP_CONFIG_FILE: f, PIP_DISABLE_PIP_VERSION_CHECK: '1' }),
      stdio: 'pipe',
    }).toString();
    expect(got).toContain(`global.cert='${pipValue}'\n`);
  });
});
