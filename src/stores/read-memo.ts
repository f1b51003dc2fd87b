/**
 * A result kept between runs, keyed by exactly what computing it read: `diagnose` resolves thirty clients over
 * PATH, every Python environment and their config files (a few hundred stats and reads, and parsing), and
 * between two runs nothing of that usually changed.
 *
 * While the computation runs, every path it hands to node:fs (sync, callback or promise API) is recorded with
 * what the file system says about it then: `stat` (device, inode, mode, owner, size, mtime, ctime) for what
 * is read, listed or tested; `lstat` for what is looked at as a link; the resolved path for `realpath`; or
 * that it does not exist. The next run repeats exactly those questions and uses the result only when every
 * answer is the same: a new `python3` in a PATH directory changes that directory's stamps (and is a new
 * answer where "missing" was recorded), an edited config file its size or ctime, a new pyenv version the
 * versions directory. The key also holds the computation's own inputs (the whole environment, HOME, cwd,
 * arguments, user, certifix build, Node version), so anything not on disk is matched exactly.
 *
 * Not kept (the next run computes again): a result whose computation spawned a program or wrote a file
 * (the caller reports a spawn with `taint`), or read anything whose ctime is within user-cache.ts's RACY_MS of the start (a
 * file changed twice within one timestamp tick, the second time after we read it, would look unchanged: git's
 * "racy clean" problem; ctime cannot be set back by a program, so an old ctime is a settled file).
 *
 * Files live under $XDG_CACHE_HOME/certifix/reads-v2/ through stores/user-cache.ts (our own tree only, no
 * symlinks, bounded, atomic), SLOTS per name at most. Off unless enabled: the CLI turns it on with its
 * environment and build id; a library user's process writes nothing under HOME. CERTIFIX_NO_CACHE=1 turns it
 * off. Paths under the cache tree itself are not recorded (certifix's other caches change as they fill).
 */
import { createHash } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgetRealDirs } from '../host-files.ts';
import { answer, compact, ctimeOf, type Op, type Seen, stamp, stillMissing } from './fs-answers.ts';
import { cacheRoot, readCacheJson, settled, writeCacheFile } from './user-cache.ts';

const FORMAT = 2;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_READS = 100_000;
/** Files per name: a slot is chosen by the key, so the directory stays bounded whatever the inputs. */
const SLOTS = 16;

let enabled: { env: NodeJS.ProcessEnv; build: string } | null = null;

/** Keep results from now on in this process, under the cache `env` names, for this build of certifix. */
export function enableReadMemo(env: NodeJS.ProcessEnv | null, build?: string): void {
  enabled = env && build ? { env, build } : null;
}

/** Separates the fields of `Doc.reads`: node:fs refuses a path holding it, and no answer holds one. */
const SEP = '\0';

interface Doc {
  format: number;
  key: string;
  /** `<op><path>` and its answer, alternately, joined by SEP: one string to parse, not an array per read. */
  reads: string;
  value: unknown;
}

/**
 * `compute()`'s result, from the cache when every read it made last time answers the same now; else computed
 * (and kept for the next run). `valid` checks the shape of a cached value before it is returned.
 */
export async function memoByReads<T>(
  name: string,
  inputs: unknown,
  compute: (taint: () => void) => Promise<T>,
  valid: (v: unknown) => v is T,
): Promise<T> {
  const root = enabled ? cacheRoot(enabled.env) : null;
  if (!enabled || !root || recording) return compute(() => {});
  const key = sha256(
    JSON.stringify([FORMAT, enabled.build, process.version, process.arch, process.geteuid?.(), name, inputs]),
  );
  const file = join(root, `reads-v${FORMAT}`, `${name}-${parseInt(key.slice(0, 8), 16) % SLOTS}.json`);
  const hit = cached(file, key);
  if (hit && valid(hit.value)) {
    // A directory that changed but still holds none of the names: kept with its new stamp, so the next run
    // asks one question again, not one per name.
    if (hit.refreshed !== undefined)
      writeCacheFile(file, ascii(JSON.stringify({ ...hit.doc, reads: hit.refreshed })));
    return hit.value;
  }
  const fs = await fsExports();
  // another computation may have begun recording while this one waited: one recording at a time
  if (recording) return compute(() => {});
  const rec = startRecording(root, fs);
  let value: T;
  try {
    value = await compute(() => {
      rec.tainted = true;
    });
  } finally {
    stopRecording();
  }
  const stable = [...rec.reads.values()].every(
    (a) => !/^\d/.test(a) || settled({ ctimeMs: ctimeOf(a) }, rec.start),
  );
  if (!rec.tainted && stable && rec.reads.size <= MAX_READS) {
    const doc: Doc = { format: FORMAT, key, reads: compact(rec.reads, rec.start).join(SEP), value };
    const text = ascii(JSON.stringify(doc));
    if (text.length <= MAX_BYTES) writeCacheFile(file, text);
  }
  return value;
}

/**
 * JSON text in ASCII alone, the rest as \u escapes (JSON reads them back the same): the next run decodes it by
 * a copy and parses it as one-byte text, where a single '…' in a kept warning makes the whole file two-byte
 * (about a third slower to decode and parse).
 */
function ascii(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The kept value when every answer holds, with the reads to keep instead when a directory's stamp moved. */
function cached(file: string, key: string): { value: unknown; doc: Doc; refreshed?: string } | undefined {
  const doc = readCacheJson(file, MAX_BYTES) as Partial<Doc> | undefined;
  if (doc?.format !== FORMAT || doc.key !== key || typeof doc.reads !== 'string') return undefined;
  const reads = doc.reads;
  const start = Date.now();
  let refreshed: string | undefined;
  let copied = 0; // reads[0, copied) is in `refreshed` already
  const end = reads.length;
  // host-files.ts looks at a path as a possible link, then reads it: when it is not a link, stat says what
  // that lstat said (a missing path is missing to both), so the stat is answered without a system call.
  const seen: Seen = { path: '', st: undefined };
  let n = 0;
  // Walked in place: no array per read, and the stored answer is compared where it lies.
  for (let i = 0; i < end; ) {
    const op = reads[i];
    const k = reads.indexOf(SEP, i);
    if ((op !== 's' && op !== 'l' && op !== 'r' && op !== 'D') || k <= i + 1 || ++n > MAX_READS)
      return undefined;
    let a = reads.indexOf(SEP, k + 1);
    if (a === -1) a = end;
    const path = reads.slice(i + 1, k);
    if (op === 'D') {
      const kept = reads.slice(k + 1, a);
      const now = a === end - 1 ? null : stillMissing(path, kept, start);
      if (now === null) return undefined;
      if (now !== kept) {
        refreshed = `${refreshed ?? ''}${reads.slice(copied, k + 1)}${now}`;
        copied = a;
      }
      i = a + 1;
      continue;
    }
    const ans = op === 's' && path === seen.path ? stamp(op, seen.st) : answer(op, path, seen);
    if (a - k - 1 !== ans.length || !reads.startsWith(ans, k + 1)) return undefined;
    // The last answer ends the string: a separator after it would be a field more.
    if (a === end - 1) return undefined;
    i = a + 1;
  }
  return {
    value: doc.value,
    doc: doc as Doc,
    ...(refreshed === undefined ? {} : { refreshed: refreshed + reads.slice(copied) }),
  };
}

interface Recording {
  start: number;
  reads: Map<string, string>;
  tainted: boolean;
}
let recording: Recording | null = null;
const restore: Array<() => void> = [];

/** node:fs functions by what they do with their first argument (a path; a descriptor is not recorded). */
const READS: Record<Op, string[]> = {
  s: ['stat', 'access', 'exists', 'readFile', 'readdir', 'open', 'opendir', 'createReadStream', 'watch'],
  l: ['lstat', 'readlink'],
  r: ['realpath'],
};
const WRITES = [
  'writeFile',
  'appendFile',
  'mkdir',
  'mkdtemp',
  'rename',
  'unlink',
  'rm',
  'rmdir',
  'copyFile',
  'cp',
  'symlink',
  'link',
  'chmod',
  'chown',
  'utimes',
  'truncate',
  'createWriteStream',
];

/** node:fs itself (its CommonJS exports, which every caller reaches), not an ES namespace of it. */
async function fsExports(): Promise<typeof import('node:fs')> {
  const ns = await import('node:fs');
  return (ns as unknown as { default: typeof ns }).default;
}

function startRecording(root: string, fs: typeof import('node:fs')): Recording {
  forgetRealDirs(); // components host-files.ts already looked at are looked at again, and so recorded
  const rec: Recording = { start: Date.now(), reads: new Map(), tainted: false };
  const mine = (p: string) => p === root || p.startsWith(`${root}/`);
  const pathOf = (arg: unknown): string | null => {
    const p =
      typeof arg === 'string'
        ? arg
        : Buffer.isBuffer(arg)
          ? arg.toString()
          : arg instanceof URL && arg.protocol === 'file:'
            ? fileURLToPath(arg)
            : null;
    return p === null ? null : isAbsolute(p) ? p : resolve(p);
  };
  const note = (op: Op, arg: unknown) => {
    const p = pathOf(arg);
    // node:fs refuses a path holding a NUL before it looks at anything: nothing to record (nor to store).
    if (p === null || mine(p) || p.includes(SEP)) return;
    const k = `${op}${p}`;
    if (!rec.reads.has(k)) rec.reads.set(k, answer(op, p));
  };
  const taint = (arg: unknown) => {
    const p = pathOf(arg);
    if (p === null || !mine(p)) rec.tainted = true;
  };
  const wrap = (obj: Record<string, unknown>, fn: string, before: (arg: unknown) => void) => {
    const orig = obj[fn];
    if (typeof orig !== 'function') return;
    const wrapped = Object.assign(function (this: unknown, ...args: unknown[]) {
      before(args[0]);
      return orig.apply(this, args);
    }, orig); // realpathSync.native and friends stay reachable
    obj[fn] = wrapped;
    restore.push(() => {
      obj[fn] = orig;
    });
  };
  const mod = fs as unknown as Record<string, unknown>;
  const promises = fs.promises as unknown as Record<string, unknown>;
  for (const [op, fns] of Object.entries(READS) as Array<[Op, string[]]>)
    for (const fn of fns) {
      const rec1 = (arg: unknown) => note(op, arg);
      wrap(mod, fn, rec1);
      wrap(mod, `${fn}Sync`, rec1);
      wrap(promises, fn, rec1);
      if (op === 'r') {
        wrap(mod.realpath as Record<string, unknown>, 'native', rec1);
        wrap(mod.realpathSync as Record<string, unknown>, 'native', rec1);
      }
    }
  for (const fn of WRITES) {
    wrap(mod, fn, taint);
    wrap(mod, `${fn}Sync`, taint);
    wrap(promises, fn, taint);
  }
  // ES modules' named imports of node:fs see the replaced functions too (the library, the tests).
  syncBuiltinESMExports();
  recording = rec;
  return rec;
}

function stopRecording(): void {
  for (const undo of restore.splice(0).reverse()) undo();
  syncBuiltinESMExports();
  recording = null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
