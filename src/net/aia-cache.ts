/**
 * Issuers fetched over AIA, kept between runs as browsers keep them (Firefox's intermediate cache, Chrome's
 * AIA fetcher cache): a server missing its intermediate is diagnosed again and again while a user fixes
 * things, and every run would fetch the same one or two certificates again.
 *
 * Kept: the DER bytes a caIssuers URL answered, under $XDG_CACHE_HOME/certifix/aia-v1/ (stores/user-cache.ts:
 * our own tree only, no symlinks, bounded, atomic), for a day. The entry is keyed by the URL and by what
 * allowed the fetch (--allow-private-aia, the proxy), so a run without --allow-private-aia never uses what
 * a run with it fetched from a private address. A kept certificate is only ever a candidate: the caller
 * uses it only when its signature verifies on the child and it is valid now (aia.ts), so a changed or
 * planted file can at worst cost a fetch. Off unless enabled (the CLI); CERTIFIX_NO_CACHE=1 turns it off.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cacheRoot, makeRoom, readCacheJson, writeCacheFile } from '../stores/user-cache.ts';

const FORMAT = 1;
/** How long a fetched issuer is used without asking its server again. */
const KEEP_MS = 24 * 60 * 60 * 1000;
/** A certificate is a few kB; a PKCS#7 answer holds a handful. */
const MAX_BYTES = 256 * 1024;
/** Files at most (one per URL): past it the answer kept longest ago makes room (stores/user-cache.ts makeRoom). */
const MAX_FILES = 64;

let enabledEnv: NodeJS.ProcessEnv | null = null;

/** Keep fetched issuers from now on in this process, under the cache of `env`'s user. */
export function enableAiaCache(env: NodeJS.ProcessEnv | null): void {
  enabledEnv = env;
}

interface Entry {
  format: number;
  key: string;
  at: number;
  /** The answer's bytes, base64. */
  body: string;
}

function fileOf(key: string): string | null {
  const root = enabledEnv ? cacheRoot(enabledEnv) : null;
  if (!root) return null;
  return join(root, `aia-v${FORMAT}`, `${key.slice(0, 32)}.json`);
}

/** The cache key of a fetch: the URL and what allowed it. */
export function aiaKey(url: string, allowPrivate: boolean, proxy: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, url, allowPrivate, proxy]))
    .digest('hex');
}

/** The answer kept for `key`, when it is there and fresh. */
export function keptAnswer(key: string, now = Date.now()): Buffer | undefined {
  const file = fileOf(key);
  if (!file) return undefined;
  const e = readCacheJson(file, MAX_BYTES * 2) as Partial<Entry> | undefined;
  if (e?.format !== FORMAT || e.key !== key || typeof e.at !== 'number' || typeof e.body !== 'string')
    return undefined;
  if (e.at > now || now - e.at > KEEP_MS) return undefined;
  return Buffer.from(e.body, 'base64');
}

/** Keep `body`, the answer that gave a real issuer, for `key`. */
export function keepAnswer(key: string, body: Buffer, now = Date.now()): void {
  const file = fileOf(key);
  if (!file || body.length > MAX_BYTES || !makeRoom(file, MAX_FILES)) return;
  const e: Entry = { format: FORMAT, key, at: now, body: body.toString('base64') };
  writeCacheFile(file, JSON.stringify(e));
}
