import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BEGIN,
  END,
  NOTE,
  quoteFish,
  readBlock,
  removeBlock,
  setBlock,
  shadowing,
} from '../../src/apply/block.ts';
import { ENVIRONMENT_D_GENERATOR, lacks, missing } from '../helpers/has.ts';
import { cleanupTemp, tempDir } from './helpers.ts';

afterAll(cleanupTemp);

const V = { REQUESTS_CA_BUNDLE: '/b.pem' };
const BLOCK = `${BEGIN}\n${NOTE}\nexport REQUESTS_CA_BUNDLE='/b.pem'\n${END}\n`;
const debianBashrc = readFileSync('/etc/skel/.bashrc', 'utf8');

describe('setBlock', () => {
  it.each<[string, string | null, 'top' | 'bottom', string]>([
    ['no file', null, 'bottom', BLOCK],
    ['empty file', '', 'bottom', BLOCK],
    ['appended after user lines', 'alias ll="ls -l"\n', 'bottom', `alias ll="ls -l"\n${BLOCK}`],
    ['no trailing newline', 'umask 022', 'bottom', `umask 022\n${BLOCK}`],
    ['at the top', 'HISTSIZE=1000\n', 'top', `${BLOCK}HISTSIZE=1000\n`],
    ['existing block replaced in place', `a\n${BEGIN}\nexport OLD='x'\n${END}\nb\n`, 'top', `a\n${BLOCK}b\n`],
    [
      'existing block at the end without newline',
      `a\n${BEGIN}\n${END}`,
      'bottom',
      `a\n${BLOCK.slice(0, -1)}`,
    ],
    [
      'duplicate blocks merged into the first',
      `${BEGIN}\n${END}\nx\n${BEGIN}\n${END}\n`,
      'bottom',
      `${BLOCK}x\n`,
    ],
    ['CRLF file keeps CRLF', 'a\r\nb\r\n', 'bottom', `a\r\nb\r\n${BLOCK.replaceAll('\n', '\r\n')}`],
    [
      "user's own export of the same variable is left alone",
      'export REQUESTS_CA_BUNDLE=/their/file\n',
      'bottom',
      `export REQUESTS_CA_BUNDLE=/their/file\n${BLOCK}`,
    ],
  ])('%s', (_name, old, where, want) => {
    const once = setBlock(old, V, 'posix', where);
    expect(once).toBe(want);
    expect(setBlock(once, V, 'posix', where)).toBe(once); // idempotent
  });

  it('puts the block above the early return of Debian’s ~/.bashrc', () => {
    const out = setBlock(debianBashrc, V, 'posix', 'top');
    expect(out.startsWith(BLOCK)).toBe(true);
    expect(out.slice(BLOCK.length)).toBe(debianBashrc);
    expect(out.indexOf(BEGIN)).toBeLessThan(out.indexOf('*) return;;'));
  });

  it.each([null, '', 'a\n', debianBashrc, 'x\r\ny\r\n', `keep\n${BLOCK}`])(
    'removeBlock undoes setBlock (%#)',
    (old) => {
      for (const where of ['top', 'bottom'] as const) {
        const base = old === null ? '' : removeBlock(old);
        expect(removeBlock(setBlock(old, V, 'posix', where))).toBe(base);
      }
    },
  );

  it('refuses a block with a missing end marker instead of guessing', () => {
    expect(() => setBlock(`${BEGIN}\nexport A=1\n`, V, 'posix', 'top')).toThrow(/missing or extra marker/);
    expect(() => removeBlock(`x\n${END}\n`)).toThrow(expect.objectContaining({ code: 'REFUSED' }));
  });

  it('refuses bad names and multi-line values', () => {
    expect(() => setBlock(null, { 'A-B': 'x' }, 'posix', 'top')).toThrow(/not a valid environment variable/);
    expect(() => setBlock(null, { A: 'x\nexport B=1' }, 'posix', 'top')).toThrow(/newline/);
  });

  it('finds user assignments that override the block', () => {
    const text = `${setBlock('export SSL_CERT_FILE=/mine\n', V, 'posix', 'top')}export REQUESTS_CA_BUNDLE=/x\n`;
    expect(shadowing(text, ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'])).toEqual(
      [
        { line: 6, name: 'REQUESTS_CA_BUNDLE', text: 'export REQUESTS_CA_BUNDLE=/x' },
        { line: 5, name: 'SSL_CERT_FILE', text: 'export SSL_CERT_FILE=/mine' },
      ].sort((a, b) => a.line - b.line),
    );
    expect(readBlock(text)?.[0]).toBe(BEGIN);
  });
});

const nasty = [
  '/home/me/My Certs/bundle.pem',
  "/tmp/it's/b.pem",
  '/tmp/$HOME/`id`/$(id)/b.pem',
  '/tmp/"q"/back\\slash/b.pem',
  '/tmp/ümlaut/ \t two spaces/b.pem',
];

describe('quoting survives the real parsers', () => {
  it.each(['sh', 'bash', 'dash'])('%s reads the exact value back', (sh) => {
    const dir = tempDir();
    nasty.forEach((value, i) => {
      const f = join(dir, `rc${i}`);
      writeFileSync(f, setBlock(null, { CERTIFIX_T: value }, 'posix', 'top'));
      const got = execFileSync(sh, ['-c', '. "$1"; printf %s "$CERTIFIX_T"', sh, f], { env: {} }).toString();
      expect(got).toBe(value);
    });
  });

  it('fish single quotes escape only backslash and quote', () => {
    expect(quoteFish("a\\b'c $d")).toBe("'a\\\\b\\'c $d'");
  });

  const generator = ENVIRONMENT_D_GENERATOR;
  it.skipIf(lacks('environment-d'))(
    `systemd-environment-d-generator reads the exact value back ${missing('environment-d')}`,
    () => {
      const cfg = tempDir();
      mkdirSync(join(cfg, 'environment.d'));
      // Without the tab: the generator itself prints a tab as `\t` inside double quotes, which sh keeps literally.
      const values = nasty.map((v) => v.replace('\t', ''));
      const vars = Object.fromEntries(values.map((v, i) => [`CERTIFIX_T${i}`, v]));
      writeFileSync(join(cfg, 'environment.d', '60-certifix.conf'), setBlock(null, vars, 'envd', 'bottom'));
      // The generator prints shell-quoted assignments; let sh decode them.
      const printed = execFileSync(generator, { env: { XDG_CONFIG_HOME: cfg } }).toString();
      const names = Object.keys(vars);
      const script = `set -a\n${printed}\n${names.map((n) => `printf '%s\\0' "$${n}"`).join('\n')}`;
      const got = execFileSync('sh', ['-c', script], { env: {} }).toString().split('\0').slice(0, -1);
      expect(got).toEqual(values);
    },
  );
});
