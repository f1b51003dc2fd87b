/**
 * wgetrc: the dialect fix writes with reads `ca_certificate` as wget itself does (init.c `parse_line`:
 * whitespace trimmed, `#` lines skipped, no inline comments, `_`/`-` and case ignored in names). Ground truth:
 * wget prints the path it failed to open ("Failed to open cert PATH") when the file does not exist.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWgetrc } from '../../src/clients/wget.ts';
import { getKey, revertKey, setKey } from '../../src/formats/keyfile.ts';
import { wgetrc } from '../../src/formats/wgetrc.ts';
import { lacks, missing } from '../helpers/has.ts';

const home = mkdtempSync(join(tmpdir(), 'certifix-wgetrc-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The CA file wget tried to open with this wgetrc (the paths named do not exist). */
function wgetCaFile(text: string): string | null {
  const rc = join(home, '.wgetrc');
  writeFileSync(rc, text);
  const r = spawnSync('wget', ['-nv', '--tries=1', '--no-hsts', '-O', '/dev/null', 'https://127.0.0.1:9/'], {
    env: { PATH: process.env.PATH, HOME: home, WGETRC: rc, SYSTEM_WGETRC: '/dev/null' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return /Failed to open cert (.*): \(/.exec(r.stderr)?.[1] ?? null;
}

const CASES = [
  'ca_certificate = /nonexistent/corp.pem\n',
  '  CA-Certificate   =   /nonexistent/with space.pem   \n',
  'cacertificate=/nonexistent/a.pem\n# ca_certificate = /nonexistent/commented.pem\n',
  'ca_certificate = /nonexistent/first.pem\nca_certificate = /nonexistent/last.pem\n',
  'ca_certificate = /nonexistent/hash#inside.pem\n',
  'tries = 3\r\nca_certificate = /nonexistent/crlf.pem\r\n',
];

describe('wgetrc dialect', () => {
  it.each(CASES)('reads %j', (text) => {
    const want = /.*ca.?certificate\s*=\s*(.*?)\s*$/im;
    const last = text.split(/\r?\n/).filter((l) => want.test(l) && !l.trim().startsWith('#'));
    expect(getKey(text, null, 'ca_certificate', wgetrc)).toBe(want.exec(last.at(-1) ?? '')?.[1] ?? null);
    expect(parseWgetrc(text).caCertificate).toBe(getKey(text, null, 'ca_certificate', wgetrc));
  });

  it('sets in place, keeps other lines byte for byte, and reverts', () => {
    const old = '# mine\r\nCA-Certificate = /old.pem\r\ntries = 3\r\n';
    const { text, edit } = setKey(old, null, 'ca_certificate', '/b.pem', wgetrc);
    expect(text).toBe('# mine\r\nCA-Certificate = /b.pem\r\ntries = 3\r\n');
    expect(revertKey(text, edit, wgetrc).text).toBe(old);
    const added = setKey('tries = 3\n', null, 'ca_certificate', '/b.pem', wgetrc);
    expect(added.text).toBe('tries = 3\nca_certificate = /b.pem\n');
    expect(setKey(added.text, null, 'ca_certificate', '/b.pem', wgetrc).text).toBe(added.text);
    expect(revertKey(added.text, added.edit, wgetrc).text).toBe('tries = 3\n');
  });
});

describe.skipIf(lacks('wget'))(`wgetrc: our reader and wget itself ${missing('wget')}`, () => {
  it.each(CASES)('%j', { timeout: 30_000 }, (text) => {
    expect(getKey(text, null, 'ca_certificate', wgetrc)).toBe(wgetCaFile(text));
  });
  it('the line fix writes is one wget accepts', { timeout: 30_000 }, () => {
    const { text } = setKey('# IT\n', null, 'ca_certificate', '/nonexistent/bundle.pem', wgetrc);
    expect(wgetCaFile(text)).toBe('/nonexistent/bundle.pem');
  });
});
