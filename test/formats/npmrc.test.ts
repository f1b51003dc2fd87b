/**
 * The .npmrc reader (status/diagnose) and the writer's reader (fix/undo) agree with npm itself on the same
 * file: `npm config get` in a temporary HOME, the machine's global npmrc masked. npm parses with its `ini`
 * package, whose `unsafe()` JSON-decodes "quoted" values and cuts unquoted ones at an unescaped ; or #
 * (https://github.com/npm/ini/blob/main/lib/ini.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpmrc } from '../../src/clients/ini.ts';
import { npmrc } from '../../src/formats/ini.ts';
import { getKey } from '../../src/formats/keyfile.ts';
import { lacks, missing } from '../helpers/has.ts';

const home = mkdtempSync(join(tmpdir(), 'certifix-npmrc-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function npmGet(text: string, key: string): string {
  const rc = join(home, '.npmrc');
  writeFileSync(rc, text);
  const r = spawnSync('npm', ['config', 'get', key], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      NPM_CONFIG_USERCONFIG: rc,
      NPM_CONFIG_GLOBALCONFIG: '/dev/null',
    },
    cwd: home,
    encoding: 'utf8',
  });
  return r.stdout.trim();
}

describe.skipIf(lacks('npm'))(`.npmrc: our readers and npm config get ${missing('npm')}`, () => {
  it.each([
    'cafile=/etc/corp.pem ; added by IT\n',
    'cafile = /etc/corp.pem   # note\n',
    'cafile="/etc/a;b.pem"\n',
    'cafile=/etc/a\\;b.pem\n',
    'cafile=/etc/first.pem\ncafile=/etc/last.pem\n',
    '; cafile=/etc/commented.pem\ncafile=/etc/real.pem\n',
  ])(
    '%j',
    (text) => {
      const real = npmGet(text, 'cafile');
      expect(parseNpmrc(text).get('cafile')?.at(-1)).toBe(real);
      expect(getKey(text, null, 'cafile', npmrc)).toBe(real);
    },
    30_000,
  );
});
