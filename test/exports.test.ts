/**
 * Every export under src/ is used by another file (src/, test/, bench/ or scripts/): an export nothing
 * imports is internal detail made to look like API. The public library API (src/index.ts) and the CLI's
 * entry (src/cli/main.ts `run`, called by bin/certifix.js) are the roots; so is each OS store module's
 * `systemStore`, reached through a lazy `import()` in stores/index.ts.
 * Imports and exports are read from the (biome-formatted) text: named imports, `export { x } from`, `import * as ns` (its `ns.x`
 * accesses), and `const { x } = await import()` / `(await import()).x`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Exports used from outside this repository, by file. */
const ROOTS: Record<string, readonly string[] | 'all'> = {
  'src/index.ts': 'all',
  'src/cli/main.ts': ['run'],
  'src/stores/linux.ts': ['systemStore'],
  'src/stores/darwin.ts': ['systemStore'],
  'src/stores/win32.ts': ['systemStore'],
  // Compiled into dist/certifix.cjs's loader by scripts/pack-cjs.mjs, which reads the code cache with it.
  'src/stores/user-cache.ts': ['cacheRoot', 'readCacheFile', 'writeCacheFile', 'pruneStale'],
};

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'fixtures' || e.name === 'node_modules'
        ? []
        : files(posix.join(dir, e.name), ext)
      : ext.test(e.name)
        ? [posix.join(dir, e.name)]
        : [],
  );
}

const names = (list: string): string[] =>
  list
    .split(',')
    .map((p) => p.trim().replace(/^type\s+/, ''))
    .filter(Boolean);

/** The names a file declares as exports (re-exports included: they are exports too). */
function declaredExports(text: string): string[] {
  const out: string[] = [];
  const decl =
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+(\w+)/gm;
  for (const m of text.matchAll(decl)) out.push(m[1] as string);
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const n of names(m[1] as string)) out.push(n.split(/\s+as\s+/).pop() as string);
  }
  if (/^export\s+default\b/m.test(text)) out.push('default');
  return out;
}

/** For each module a file imports (repo-relative path), the names it takes from it. */
function importedNames(file: string, text: string): Map<string, Set<string>> {
  const uses = new Map<string, Set<string>>();
  const add = (spec: string, name: string) => {
    if (!spec.startsWith('.')) return;
    const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    if (!uses.has(target)) uses.set(target, new Set());
    uses.get(target)?.add(name);
  };
  // import { a, type B, c as d } from '...'; export { a } from '...'; import x, { a } from '...'
  const named = /\b(?:import|export)\s+(?:type\s+)?(?:(\w+)\s*,\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g;
  for (const m of text.matchAll(named)) {
    const spec = m[3] as string;
    if (m[1]) add(spec, 'default');
    for (const n of names(m[2] as string)) add(spec, n.split(/\s+as\s+/)[0] as string);
  }
  for (const m of text.matchAll(/\bimport\s+(?:type\s+)?(\w+)\s+from\s*'([^']+)'/g))
    add(m[2] as string, 'default');
  for (const m of text.matchAll(/\bexport\s+\*\s+(?:as\s+\w+\s+)?from\s*'([^']+)'/g))
    add(m[1] as string, '*');
  // import * as ns from '...': its `ns.x` anywhere in the file
  for (const m of text.matchAll(/\bimport\s+(?:type\s+)?\*\s+as\s+(\w+)\s+from\s*'([^']+)'/g)) {
    for (const a of text.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g')))
      add(m[2] as string, a[1] as string);
  }
  // const { a, b: c } = await import('./x.ts'); (await import('./x.ts')).a
  for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*await\s+import\(\s*'([^']+)'\s*\)/g)) {
    for (const n of names(m[1] as string)) add(m[2] as string, n.split(':')[0]?.trim() as string);
  }
  for (const m of text.matchAll(/\(\s*await\s+import\(\s*'([^']+)'\s*\)\s*\)\.(\w+)/g)) {
    add(m[1] as string, m[2] as string);
  }
  return uses;
}

/** 'src/file.ts: name' for every export under src/ that no other file takes. */
function unusedExports(): string[] {
  const all = [...files('src', /\.ts$/), ...files('test', /\.ts$/), ...files('bench', /\.ts$/)];
  all.push(...files('scripts', /\.m?[jt]s$/));
  const used = new Map<string, Set<string>>();
  const exported = new Map<string, string[]>();
  for (const file of all) {
    const text = readFileSync(join(root, file), 'utf8');
    if (file.startsWith('src/')) exported.set(file, declaredExports(text));
    for (const [target, names] of importedNames(file, text)) {
      if (target === file) continue;
      if (!used.has(target)) used.set(target, new Set());
      for (const n of names) used.get(target)?.add(n);
    }
  }
  const out: string[] = [];
  for (const [file, names] of exported) {
    const roots = ROOTS[file];
    if (roots === 'all') continue;
    const u = used.get(file) ?? new Set();
    if (u.has('*')) continue;
    for (const n of names) if (!u.has(n) && !roots?.includes(n)) out.push(`${file}: ${n}`);
  }
  return out.sort();
}

describe('exports', () => {
  it('are all used by another file (or are the public API)', () => {
    const unused = unusedExports();
    expect(unused, 'drop `export` from these, or add a real root to ROOTS').toEqual([]);
  });
});
