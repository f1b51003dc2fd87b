/**
 * README's library examples, run as written (in order) on a sandboxed laptop against the built library
 * (dist/index.js, as `import ... from 'certifix'` resolves for a user), with the lab's internal service in
 * place of `https://git.corp.example`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';

const root = join(import.meta.dirname, '..', '..');

/** The ```ts blocks of README's "## Library" section. */
function libraryExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('README library examples', () => {
  it('has one example for each command', () => {
    const text = libraryExamples().join('\n');
    for (const fn of ['diagnose', 'fix', 'undo', 'status', 'refresh', 'verify', 'probe', 'explain', 'check'])
      expect(text, fn).toMatch(new RegExp(`\\b${fn}\\(`));
    expect(text).toMatch(/\bexportCertificates\(/);
  });
});

describe.skipIf(lacks('sandbox'))(`README library examples run ${missing('sandbox')}`, () => {
  let lab: Lab;
  let laptop: Laptop;
  beforeAll(async () => {
    lab = await Lab.start();
    laptop = await lab.laptop();
  });
  afterAll(() => lab?.close());

  const examples = libraryExamples();
  for (const [i, code] of examples.entries()) {
    const title = code.split('\n')[0]?.replace(/^\/\/\s*/, '') ?? `example ${i + 1}`;
    it(title, async () => {
      const file = join(laptop.home, `example-${i + 1}.mjs`);
      const url = lab.internal.url.replace(/\/$/, '');
      writeFileSync(
        file,
        code
          .replaceAll("from 'certifix'", `from '${join(root, 'dist', 'index.js')}'`)
          .replaceAll('https://git.corp.example', url),
      );
      const r = await laptop.run('node', [file], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      // fix really changed files, and undo really put them back
      expect(r.stdout).not.toMatch(/\b0 files (changed|put back)/);
    });
  }
});
