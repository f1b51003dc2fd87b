import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import type { Context, Runner } from '../clients/types.ts';
import type { Io } from './io.ts';

/** Run a program, never throwing for a non-zero exit (the caller reads code/stdout/stderr). */
export const runProcess: Runner = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const child = execFile(
      cmd,
      [...args],
      { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (error && code === null ? error.message : '')),
        });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });

export function contextFromIo(io: Io): Context {
  return {
    env: io.env,
    home: io.env.HOME || homedir(),
    cwd: io.cwd,
    platform: process.platform,
    run: runProcess,
  };
}
