/**
 * .condarc: what we read and write agrees with ruamel.yaml, the library conda loads .condarc with
 * (conda/common/configuration.py), run in a venv from the wheelhouse. Setting `ssl_verify` changes that key
 * and nothing else; reverting gives the original bytes back.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { blockStyle, condarc } from '../../src/formats/condarc.ts';
import { getKey, revertKey, setKey } from '../../src/formats/keyfile.ts';
import { lacks, missing } from '../helpers/has.ts';
import { labVenv } from '../helpers/venv.ts';

const LOAD = [
  'import sys, json',
  'from ruamel.yaml import YAML',
  'd = YAML(typ="safe").load(sys.stdin.read()) or {}',
  'print(json.dumps(d, default=str))',
].join('\n');

async function ruamel(text: string): Promise<Record<string, unknown>> {
  const venv = await labVenv({ packages: ['ruamel.yaml'] });
  return JSON.parse(execFileSync(venv.python, ['-c', LOAD], { input: text, encoding: 'utf8' }));
}

// Shapes of real .condarc files: conda's own docs (docs/source/user-guide/configuration/sample-condarc.rst,
// https://github.com/conda/conda), `conda config --set` output (ruamel round-trip: `key: value`), and the
// compact `- item` sequences `conda config --add channels` writes.
const FILES = [
  '',
  'channels:\n- conda-forge\n- defaults\nssl_verify: true\n',
  'channels:\n  - defaults\n\n# Show channel URLs when displaying what is going to be downloaded\nshow_channel_urls: true\n',
  'ssl_verify: /etc/corp.pem # added by IT\nchannels:\n  - defaults\n',
  "ssl_verify: 'C:\\Users\\me\\corp.pem'\n",
  'ssl_verify: "/path/with #hash.pem"\nproxy_servers:\n  http: http://proxy:8080\n  https: http://proxy:8080\n',
  'proxy_servers:\n    https: http://proxy:8080\n# trailing comment\n',
  'channels:\r\n- defaults\r\nssl_verify: false\r\n',
  'report_errors: false',
];

describe('.condarc dialect', () => {
  it.each(FILES)('set, read back and revert %j', (text) => {
    const { text: after, edit } = setKey(
      text,
      null,
      'ssl_verify',
      '/home/u/.local/share/certifix/bundle.pem',
      condarc,
    );
    expect(getKey(after, null, 'ssl_verify', condarc)).toBe('/home/u/.local/share/certifix/bundle.pem');
    expect(setKey(after, null, 'ssl_verify', '/home/u/.local/share/certifix/bundle.pem', condarc).text).toBe(
      after,
    );
    expect(revertKey(after, edit, condarc).text).toBe(text === 'report_errors: false' ? `${text}\n` : text);
  });

  it.each([
    ['truststore', 'truststore'],
    [
      'C:\\Users\\me\\AppData\\Local\\certifix\\bundle.pem',
      'C:\\Users\\me\\AppData\\Local\\certifix\\bundle.pem',
    ],
    ['/a b/bundle.pem', '"/a b/bundle.pem"'],
    ['true', '"true"'],
    ['/x: y', '"/x: y"'],
    ['/p#q', '"/p#q"'],
  ])('writes %j as %s', (value, written) => {
    expect(condarc.line('ssl_verify', value)).toBe(`ssl_verify: ${written}`);
  });

  it('tells block style from flow style and documents', () => {
    expect(blockStyle('# c\nchannels:\n- a\n')).toBe(true);
    expect(blockStyle('{ssl_verify: true}\n')).toBe(false);
    expect(blockStyle('---\nssl_verify: true\n')).toBe(false);
    expect(blockStyle('')).toBe(true);
  });
});

describe.skipIf(lacks('python3'))(
  `.condarc read and written as ruamel.yaml reads it ${missing('python3')}`,
  () => {
    it.each(FILES)('%j', { timeout: 240_000 }, async (text) => {
      const before = await ruamel(text);
      const read = getKey(text, null, 'ssl_verify', condarc);
      const real = before.ssl_verify;
      expect(read === null ? undefined : read).toBe(real === undefined ? undefined : String(real));
      for (const value of [
        '/home/u/bundle.pem',
        'C:\\Users\\me\\bundle.pem',
        '/a b/x #y.pem',
        'truststore',
      ]) {
        const after = await ruamel(setKey(text, null, 'ssl_verify', value, condarc).text);
        expect(after).toEqual({ ...before, ssl_verify: value });
      }
    });
  },
);
