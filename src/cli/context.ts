import { processContext } from '../context.ts';
import { enableBundleIndex } from '../stores/bundle-index.ts';
import type { Context } from '../types.ts';
import type { Io } from './io.ts';

export { runProcess } from '../context.ts';

/** The context of a command; the CLI keeps its index of CA bundles under the cache of this environment's user. */
export function contextFromIo(io: Io): Context {
  enableBundleIndex(io.env);
  return processContext(io.env, io.cwd);
}
