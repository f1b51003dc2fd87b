/**
 * The layer rules of docs/architecture.md, enforced: imports only go down, and no module imports itself
 * back through others. Every `src/**\/*.ts` is read and its specifiers extracted with TypeScript's own
 * `preProcessFile`, which sees `import type`, re-exports and dynamic `import()` alike (a type-only edge
 * still couples the files).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/**
 * The layers, bottom first. A file may import from its own layer or any layer below, never above.
 * The first pattern that matches a path (relative to src/) decides its layer.
 */
const LAYERS: readonly { name: string; paths: RegExp }[] = [
  // 0 base: the error class every layer throws, bounded reads.
  { name: 'base', paths: /^(core\/errors|bounded)\.ts$/ },
  // 1 core: pure logic (certificates, verification, diagnosis rules, plans, reports) and the types every
  //   layer above shares (Context, Runner, Installation, TrustSource, Verdict, ClientId).
  { name: 'core', paths: /^(core\/|types\.ts$)/ },
  // 2 edge: what talks to the network, the OS trust stores and files on this machine.
  { name: 'edge', paths: /^(net|stores|formats)\/|^(context|shell-env|host-files)\.ts$/ },
  // 3 clients: one adapter per client, the registry, their verification stacks.
  { name: 'clients', paths: /^clients\// },
  // 4 apply: the one executor of plans (atomic writes, journal, undo).
  { name: 'apply', paths: /^apply\// },
  // 5 use cases: commands/ holds one library function per command, returning the document its --json
  //   prints; fix/ and weakening.ts are the steps they share (choosing roots, planning the bundle).
  { name: 'use cases', paths: /^(fix|commands)\/|^weakening\.ts$/ },
  // 6 entry points: the CLI (parse, ask, render, exit) and the public library API.
  { name: 'entry', paths: /^cli\/|^index\.ts$/ },
];

/**
 * Violations that exist today and are not fixed yet. This list may only shrink: the test fails when an
 * entry no longer occurs, so remove it with the fix that ends it.
 * Upward imports as 'from -> to'; cycles as their files, sorted and joined with ' | '.
 */
const KNOWN_UPWARD: readonly string[] = [];
const KNOWN_CYCLES: readonly string[] = [];

type Graph = Map<string, string[]>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** file (relative to src/, posix) -> the src files it imports (packages and node: builtins left out). */
function importGraph(): Graph {
  const src = join(root, 'src');
  const graph: Graph = new Map();
  for (const file of sources(src)) {
    const rel = relative(src, file).split('\\').join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => posix.normalize(posix.join(posix.dirname(rel), s)).replace(/\.js$/, '.ts'));
    graph.set(rel, [...new Set(deps)]);
  }
  return graph;
}

function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.paths.test(file));
  if (i < 0) throw new Error(`src/${file} is in no layer: add it to LAYERS in test/architecture.test.ts`);
  return i;
}

function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    for (const to of deps) if (layerOf(to) > layerOf(from)) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}

/** Each import cycle (a strongly connected component of 2+ files, or a self-import), with one path through it. */
function importCycles(graph: Graph): { files: string; path: string }[] {
  // Tarjan's algorithm (recursive: the graph is a few hundred files deep at most).
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || graph.get(v)?.includes(v)) components.push(c);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components
    .map((c) => ({ files: [...c].sort().join(' | '), path: cyclePath(graph, new Set(c)) }))
    .sort((a, b) => a.files.localeCompare(b.files));
}

/** A shortest cycle through the component's first file, as 'a -> b -> a'. */
function cyclePath(graph: Graph, component: Set<string>): string {
  const start = [...component].sort()[0] as string;
  const prev = new Map<string, string>();
  const queue = [start];
  for (const v of queue) {
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u) as string) path.splice(1, 0, u);
        return [...path, start].join(' -> ');
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return start;
}

describe('architecture', () => {
  const graph = importGraph();

  it('puts every source file in a layer', () => {
    for (const file of graph.keys()) expect(() => layerOf(file)).not.toThrow();
  });

  it('imports only from the same layer or below', () => {
    expect(upwardImports(graph)).toEqual([...KNOWN_UPWARD].sort());
  });

  it('has no import cycles', () => {
    const found = importCycles(graph);
    const unknown = found.filter((c) => !KNOWN_CYCLES.includes(c.files));
    expect(unknown, 'import cycles (first file -> ... -> back)').toEqual([]);
    const gone = KNOWN_CYCLES.filter((k) => !found.some((c) => c.files === k));
    expect(gone, 'fixed: remove from KNOWN_CYCLES').toEqual([]);
  });

  it('resolves relative specifiers to files that exist', () => {
    for (const [from, deps] of graph) {
      for (const to of deps) expect(graph.has(to), `src/${from} imports ${to}`).toBe(true);
    }
  });
});

describe('the checks themselves', () => {
  const g = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));

  it('reports an import from a lower layer up to a higher one', () => {
    expect(upwardImports(g({ 'core/a.ts': ['cli/b.ts'], 'cli/b.ts': ['core/a.ts'] }))).toEqual([
      'core/a.ts -> cli/b.ts',
    ]);
  });

  it('reports a cycle with its path', () => {
    const cycles = importCycles(
      g({
        'core/a.ts': ['core/b.ts'],
        'core/b.ts': ['core/c.ts'],
        'core/c.ts': ['core/a.ts'],
        'core/d.ts': [],
      }),
    );
    expect(cycles).toEqual([
      {
        files: 'core/a.ts | core/b.ts | core/c.ts',
        path: 'core/a.ts -> core/b.ts -> core/c.ts -> core/a.ts',
      },
    ]);
  });
});
