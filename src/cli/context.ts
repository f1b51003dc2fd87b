import { processContext } from '../context.ts';
import { enableAiaCache } from '../net/aia-cache.ts';
import { enableBundleIndex } from '../stores/bundle-index.ts';
import { enableReadMemo } from '../stores/read-memo.ts';
import type { Context } from '../types.ts';
import type { Io } from './io.ts';

export { runProcess } from '../context.ts';

/** A hash of the sources this CLI was built from (scripts/build.mjs): results kept by one build are its own. */
declare const __BUILD__: string;

/**
 * The context of a command; the CLI keeps its index of CA bundles, what diagnose resolved (per build) and the
 * issuers it fetched over AIA under the cache of this environment's user.
 */
export function contextFromIo(io: Io): Context {
  enableBundleIndex(io.env);
  enableAiaCache(io.env);
  enableReadMemo(io.env, typeof __BUILD__ === 'string' ? __BUILD__ : undefined);
  return processContext(io.env, io.cwd);
}
