/**
 * dist/certifix.cjs keeps V8's compiled code between runs under $XDG_CACHE_HOME/certifix. The cache is
 * untrusted input: garbage is rejected and rewritten, files or directories of another user are neither read nor
 * written (`sudo certifix` in someone's HOME), a symlink is not followed, and CERTIFIX_NO_CODE_CACHE=1 is obeyed.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RACY_MS } from '../../src/stores/user-cache.ts';
import { Pki } from '../helpers/pki.ts';
import { startTls } from '../net/servers.ts';

const built = join(import.meta.dirname, '..', '..', 'dist', 'certifix.cjs');
const isRoot = process.getuid?.() === 0;

function run(home: string, extra: NodeJS.ProcessEnv = {}): string {
  // `explain --help` requires a compressed command chunk: it goes through the cache.
  return execFileSync(process.execPath, [built, 'explain', '--help'], {
    env: { PATH: '/usr/bin:/bin', HOME: home, ...extra },
    encoding: 'utf8',
  });
}

/** `explain --help` from another copy of the file (an altered one), as it ends. */
function runFile(file: string, home: string) {
  return spawnSync(process.execPath, [file, 'explain', '--help'], {
    env: { PATH: '/usr/bin:/bin', HOME: home },
    encoding: 'utf8',
  });
}

function cacheFiles(home: string): string[] {
  const root = join(home, '.cache', 'certifix');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
}

describe.skipIf(!existsSync(built) && process.env.CI !== 'true')(
  'the code cache of the single file',
  { timeout: 30_000 },
  () => {
    it('is written on the first run, private to the user, and used by the next', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      expect(run(home)).toContain('Usage: certifix explain');
      const files = cacheFiles(home);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(statSync(f).mode & 0o077).toBe(0);
      // The next runs each write it again, adding what they compiled (a run may take another path), four
      // runs in all; then it is only read.
      const writes = (f: string) => readFileSync(f).readUInt32LE(8);
      expect(files.map(writes)).toEqual(files.map(() => 1));
      for (let i = 2; i <= 4; i++) {
        expect(run(home)).toContain('Usage: certifix explain');
        expect(files.map(writes)).toEqual(files.map(() => i));
      }
      // V8 reads cached data in place only when it starts on a pointer boundary (else it copies it first): the
      // code starts at the next multiple of 8 after the source and the list of modules, and V8 takes it there.
      for (const f of files) {
        const data = readFileSync(f);
        expect(data.toString('latin1', 0, 4)).toBe('CFX5');
        const source = data.toString('utf8', 16, 16 + data.readUInt32LE(4));
        const listed = 16 + data.readUInt32LE(4) + data.readUInt32LE(12);
        const code = Math.ceil(listed / 8) * 8;
        expect(data.subarray(listed, code).every((b) => b === 0)).toBe(true);
        const accepted = [source, `(function (exports, require, module, __filename) {${source}\n})`].some(
          (text) => !new Script(text, { cachedData: data.subarray(code) }).cachedDataRejected,
        );
        expect(accepted).toBe(true);
      }
      const before = files.map((f) => statSync(f).mtimeMs);
      expect(run(home)).toContain('Usage: certifix explain');
      expect(cacheFiles(home).map((f) => statSync(f).mtimeMs)).toEqual(before); // accepted, not rewritten
    });

    it('is written once more by a run that loads a module of the group the writing runs did not', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      const certifix = (...args: string[]) =>
        spawnSync(process.execPath, [built, ...args], { env: { PATH: '/usr/bin:/bin', HOME: home } });
      for (let i = 0; i < 5; i++) certifix('diagnose', '--help'); // settled: written by the first four
      const [group] = cacheFiles(home) as [string];
      const modules = () => {
        const data = readFileSync(group);
        const at = 16 + data.readUInt32LE(4);
        return data.toString('latin1', at, at + data.readUInt32LE(12)).split(',');
      };
      expect(readFileSync(group).readUInt32LE(8)).toBe(4);
      const help = modules();
      // A diagnosis (of a port nobody listens on) loads what --help did not: the command, the capture.
      certifix('diagnose', 'https://127.0.0.1:1/', '--client', 'curl', '--timeout', '2');
      expect(readFileSync(group).readUInt32LE(8)).toBe(5);
      expect(modules().length).toBeGreaterThan(help.length);
      for (const m of help) expect(modules()).toContain(m);
      const before = statSync(group).mtimeMs;
      certifix('diagnose', 'https://127.0.0.1:1/', '--client', 'curl', '--timeout', '2');
      expect(statSync(group).mtimeMs).toBe(before); // nothing new: read, not written
    });

    it('rejects garbage (V8 checks it) and rewrites it; the run is unaffected', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      run(home);
      const files = cacheFiles(home);
      for (const f of files) writeFileSync(f, Buffer.alloc(4096, 0x41));
      expect(run(home)).toContain('Usage: certifix explain');
      expect(readFileSync(files[0] as string).equals(Buffer.alloc(4096, 0x41))).toBe(false);
    });

    it('does not follow a symlinked cache file', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      run(home);
      const [first] = cacheFiles(home) as [string];
      const elsewhere = join(home, 'elsewhere');
      writeFileSync(elsewhere, 'not a cache');
      execFileSync('rm', [first]);
      symlinkSync(elsewhere, first);
      expect(run(home)).toContain('Usage: certifix explain');
      expect(readFileSync(elsewhere, 'utf8')).toBe('not a cache');
    });

    it.skipIf(!isRoot)('as root, ignores a HOME of another user: nothing read, nothing written there', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      chownSync(home, 65534, 65534);
      expect(run(home)).toContain('Usage: certifix explain');
      expect(cacheFiles(home)).toEqual([]);
      // A cache tree planted by that user is not read either (its files would be rewritten if it were).
      const dir = join(home, '.cache', 'certifix', 'planted');
      mkdirSync(dir, { recursive: true });
      execFileSync('chown', ['-R', '65534:65534', home]);
      expect(run(home, { XDG_CACHE_HOME: join(home, '.cache') })).toContain('Usage: certifix explain');
      expect(readdirSync(dir)).toEqual([]);
    });

    it('compiles the chunks diagnose needs as one group: one cache file, not one per chunk', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      const out = execFileSync(process.execPath, [built, 'diagnose', '--help'], {
        env: { PATH: '/usr/bin:/bin', HOME: home },
        encoding: 'utf8',
      });
      expect(out).toContain('Usage: certifix diagnose');
      expect(cacheFiles(home).map((f) => f.replace(/.*\//, ''))).toEqual([
        expect.stringMatching(/^group0-[0-9a-f]{12}\.js\.cache$/),
      ]);
    });

    it('diagnose answering from its kept resolution does not compile the client adapters', async () => {
      const pki = new Pki();
      const root = pki.root('root', 'Cache Test Root');
      const leaf = pki.leaf('leaf', 'localhost', root);
      const server = await startTls(leaf.keyPem, [leaf.pem, root.pem]);
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      await new Promise((r) => setTimeout(r, RACY_MS + 100)); // a settled HOME: the resolution is kept
      // Two clients that resolve by reading files only (no `node --version` when PATH's node is another one).
      const diagnose = () =>
        promisify(execFile)(
          process.execPath,
          [built, 'diagnose', `https://localhost:${server.port}/`, '--client', 'curl,git', '--json'],
          { env: { PATH: '/usr/bin:/bin', HOME: home } },
        ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })); // exit 1: a client fails
      try {
        const first = (await diagnose()).stdout;
        expect(JSON.parse(first).clients.map((c: { id: string }) => c.id)).toEqual(['curl', 'git']);
        // What the second run compiles is what its cache files hold: start from none.
        for (const d of readdirSync(join(home, '.cache', 'certifix')))
          if (d.startsWith('code-')) rmSync(join(home, '.cache', 'certifix', d), { recursive: true });
        expect((await diagnose()).stdout).toBe(first);
        const sources = cacheFiles(home)
          .filter((f) => f.includes('/code-'))
          .map((f) => readFileSync(f, 'latin1'));
        // A group's source is an object literal of module functions, `"./linux-<hash>.js":function (...`.
        const holds = (name: string) => new RegExp(`"\\./${name}-\\w+\\.js":function`);
        expect(sources.some((s) => holds('linux').test(s))).toBe(true); // the OS store's reader
        for (const s of sources) expect(s).not.toMatch(holds('registry'));
        // Nor does it load Node's modules it has no use for there: node:tls (Node's own roots are indexed),
        // perf_hooks, the ES module loader (unless this Node loads it for any script: Node 24 does).
        const probe = mkdtempSync(join(tmpdir(), 'certifix-cc-probe-'));
        const list = join(probe, 'modules.txt');
        writeFileSync(
          join(probe, 'modules.cjs'),
          `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`,
        );
        writeFileSync(join(probe, 'empty.cjs'), '');
        const modules = async (args: string[]) => {
          await promisify(execFile)(process.execPath, ['-r', join(probe, 'modules.cjs'), ...args], {
            env: { PATH: '/usr/bin:/bin', HOME: home },
          }).catch(() => {});
          return readFileSync(list, 'utf8').split('\n');
        };
        const any = await modules([join(probe, 'empty.cjs')]);
        const loaded = await modules([
          built,
          'diagnose',
          `https://localhost:${server.port}/`,
          '--client',
          'curl,git',
        ]);
        expect(loaded).toContain('NativeModule net'); // the list is the real one
        for (const m of ['tls', 'perf_hooks', 'internal/modules/esm/loader'].map((m) => `NativeModule ${m}`))
          if (!any.includes(m)) expect(loaded).not.toContain(m);
      } finally {
        await server.close();
      }
    });

    it('says so, without a stack of base64 errors, when the compressed code was stripped from the file', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      const stripped = join(home, 'certifix.cjs');
      const text = readFileSync(built, 'utf8');
      // what a minifier that drops comments leaves
      writeFileSync(
        stripped,
        `${text.slice(0, text.lastIndexOf('function __payloads()'))}function __payloads() {}\n`,
      );
      const r = runFile(stripped, home);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('the file was altered');
    });

    it("the bin compiles the file's code alone: the compressed sources are read only by a run without a cache", () => {
      // The package's layout: bin/certifix.js next to dist/certifix.cjs.
      const pkg = mkdtempSync(join(tmpdir(), 'certifix-pkg-'));
      mkdirSync(join(pkg, 'bin'));
      mkdirSync(join(pkg, 'dist'));
      for (const f of ['certifix.js', 'package.json'])
        copyFileSync(join(built, '..', '..', 'bin', f), join(pkg, 'bin', f));
      copyFileSync(join(built, '..', '..', 'package.json'), join(pkg, 'package.json'));
      const text = readFileSync(built, 'latin1');
      const code = Number(/^\/\/ head: (\d{10}) bytes/m.exec(text)?.[1]);
      expect(text.slice(code)).toMatch(/^\/\/ The compressed sources/);
      const bin = (home: string) =>
        spawnSync(process.execPath, [join(pkg, 'bin', 'certifix.js'), 'explain', '--help'], {
          env: { PATH: '/usr/bin:/bin', HOME: home },
          encoding: 'utf8',
        });
      const warm = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      writeFileSync(join(pkg, 'dist', 'certifix.cjs'), text);
      expect(bin(warm).stdout).toContain('Usage: certifix explain'); // inflated from the file's end
      expect(bin(warm).stdout).toContain('Usage: certifix explain');
      // The compressed sources garbled, and their comment left open (a `require` of the file would not even
      // compile): a run with a cache never reads them, one without says so.
      const garbled = text
        .slice(code)
        .replace(/^[A-Za-z0-9+/=]{40,}$/gm, (line) => '!'.repeat(line.length))
        .replace(/\*\/\}\s*$/, '');
      writeFileSync(join(pkg, 'dist', 'certifix.cjs'), text.slice(0, code) + garbled);
      expect(bin(warm).stdout).toContain('Usage: certifix explain');
      const cold = bin(mkdtempSync(join(tmpdir(), 'certifix-cc-')));
      expect(cold.status).not.toBe(0);
      expect(cold.stderr).toContain('the file was altered');
      // A `// head:` count that does not end where the sources begin: the file is required as a whole.
      const off = text.replace(
        /^(\/\/ head: )(\d{10})/m,
        (_, p: string, n: string) => `${p}${String(Number(n) - 1).padStart(10, '0')}`,
      );
      writeFileSync(join(pkg, 'dist', 'certifix.cjs'), off);
      expect(bin(mkdtempSync(join(tmpdir(), 'certifix-cc-'))).stdout).toContain('Usage: certifix explain');
    });

    it('says so when the file was replaced while it ran (its sources are not the ones its code names)', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      const other = join(home, 'certifix.cjs');
      const text = readFileSync(built, 'latin1');
      // Each compressed source moved one line down: what another build of the file would hold there.
      const at = text.lastIndexOf('function __payloads() {/*\n') + 'function __payloads() {/*\n'.length;
      const lines = text.slice(at, text.lastIndexOf('\n*/}')).split('\n');
      writeFileSync(other, `${text.slice(0, at)}${[lines.at(-1), ...lines.slice(0, -1)].join('\n')}\n*/}\n`);
      const r = runFile(other, home);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('changed while it ran');
    });

    it("removes the caches of versions not run for a month when it makes this version's, and keeps the rest", () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-prune-'));
      const root = join(home, '.cache', 'certifix');
      const month = Date.now() / 1000 - 31 * 86400;
      const make = (dir: string, used: number) => {
        mkdirSync(join(root, dir), { recursive: true, mode: 0o700 });
        writeFileSync(join(root, dir, 'group0-x.js.cache'), 'x', { mode: 0o600 });
        utimesSync(join(root, dir, 'group0-x.js.cache'), used, used);
        utimesSync(join(root, dir), month, month);
      };
      make('code-0.0.1-v18.0.0-x64', month); // neither read nor written for a month
      make('code-0.0.2-v20.0.0-x64', Date.now() / 1000 - 86400); // read yesterday
      make('bundles-v3', month); // not a code cache
      expect(run(home)).toContain('Usage: certifix explain');
      const left = readdirSync(root);
      expect(left).not.toContain('code-0.0.1-v18.0.0-x64');
      expect(left).toEqual(expect.arrayContaining(['code-0.0.2-v20.0.0-x64', 'bundles-v3']));
      expect(left.filter((d) => d.startsWith('code-'))).toHaveLength(2); // this version's, and the one in use
    });

    it('is off with CERTIFIX_NO_CODE_CACHE=1', () => {
      const home = mkdtempSync(join(tmpdir(), 'certifix-cc-'));
      run(home, { CERTIFIX_NO_CODE_CACHE: '1' });
      expect(cacheFiles(home)).toEqual([]);
    });
  },
);
