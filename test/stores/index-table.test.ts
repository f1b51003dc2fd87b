/**
 * IndexTable reads an index file from the user's cache, which anyone who can write there may have crafted:
 * its searches stay linear in the file's size, and all() reads no more lines than the header promised.
 */
import { expect, it } from 'vitest';
import { IndexTable } from '../../src/stores/index-table.ts';

const SHA = 'ab'.repeat(32);
const row = (key: string, start = 0, end = 10) => JSON.stringify([SHA, key, start, end]);
const table = (body: string, rows: number) =>
  new IndexTable(Buffer.from(`{}\n${body}`), 3, rows, 'pem', 1 << 20, () => undefined);

it('finds a key once per line however often a line repeats it, in time linear in the file', () => {
  const needle = `",${JSON.stringify('k')},`;
  const crafted = `${needle.repeat(200_000)}\n${row('k')}\n`; // a 1 MB line of matches, then a real row
  const t = table(crafted, 2);
  expect(t.withKey('k').map((a) => a.key)).toEqual(['k']);
});

it('reads no more lines than the header says follow', () => {
  const t = table(`${row('a')}\n${row('b')}\n${'\n'.repeat(1_000_000)}`, 2);
  expect(t.all().map((a) => a.key)).toEqual(['a', 'b']);
  expect(table(`${row('a')}\n${row('b')}\n`, 1).all()).toHaveLength(1);
});

it('answers a sha256 from the start of a row only', () => {
  expect(table(`x${row('a')}\n`, 1).hasSha256(SHA)).toBe(false);
  expect(table(`${row('a')}\n`, 1).hasSha256(SHA)).toBe(true);
});
