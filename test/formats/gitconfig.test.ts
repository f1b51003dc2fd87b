/**
 * git config: the reader diagnose/status use (parseGitConfig) and the value fix/undo read back (getKey with the
 * gitconfig dialect) agree with `git config --file F --get KEY` on the same file: quotes and escapes, inline
 * comments, a trailing backslash continuing the line, case-insensitive names, subsections, the deprecated
 * [section.sub] form, last value wins (https://git-scm.com/docs/git-config#_syntax).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGitConfig } from '../../src/clients/ini.ts';
import { gitconfig, splitGitKey } from '../../src/formats/gitconfig.ts';
import { getKey } from '../../src/formats/keyfile.ts';
import { lacks, missing } from '../helpers/has.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-gitconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gitGet(text: string, key: string): string | null {
  const f = join(dir, 'config');
  writeFileSync(f, text);
  const r = spawnSync('git', ['config', '--file', f, '--get', key], {
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.replace(/\n$/, '') : null;
}

describe.skipIf(lacks('git'))(`git config: our readers and git config --get ${missing('git')}`, () => {
  it.each([
    ['[http]\n\tsslCAInfo = /etc/corp.pem ; added by IT\n', 'http.sslcainfo'],
    ['[HTTP]\n\tSSLCAINFO = "/etc/a;b #c.pem"\n', 'http.sslcainfo'],
    ['[http]\n\tsslCAInfo = /etc/first.pem\n[http]\n\tsslCAInfo = /etc/second.pem\n', 'http.sslcainfo'],
    ['[http]\n\tsslCAInfo = /etc/long\\\n-name.pem\n', 'http.sslcainfo'],
    ['[http "https://corp.example/"]\n\tsslCAInfo = /etc/corp.pem\n', 'http.https://corp.example/.sslcainfo'],
    ['[http.corp]\n\tsslVerify = false\n', 'http.corp.sslverify'],
    ['[http]\n\tsslCAInfo = "/etc/esc\\\\aped\\"q.pem"   # trailing\n', 'http.sslcainfo'],
  ])('%j %s', { timeout: 30_000 }, (text, key) => {
    const real = gitGet(text, key);
    expect(parseGitConfig(text).get(key)?.at(-1) ?? null).toBe(real);
    const last = key.lastIndexOf('.');
    const { section } = splitGitKey(key);
    expect(getKey(text, section, key.slice(last + 1), gitconfig)).toBe(real);
  });
});
