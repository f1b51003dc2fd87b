import { processContext } from '../context.ts';
import type { Context } from '../types.ts';
import type { Io } from './io.ts';

export { runProcess } from '../context.ts';

export function contextFromIo(io: Io): Context {
  return processContext(io.env, io.cwd);
}
