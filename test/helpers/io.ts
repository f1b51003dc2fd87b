/** An in-memory Io for running one CLI command in-process: what it printed, and its environment and cwd. */
import type { Io } from '../../src/cli/io.ts';

export interface MemoryIo {
  io: Io;
  out: { stdout: string; stderr: string };
}

export function memoryIo(env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), isTTY = false): MemoryIo {
  const out = { stdout: '', stderr: '' };
  const io: Io = {
    stdout: (s) => {
      out.stdout += s;
    },
    stderr: (s) => {
      out.stderr += s;
    },
    env,
    cwd,
    isTTY,
  };
  return { io, out };
}
