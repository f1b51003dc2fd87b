/**
 * The Context of a real run: this process's environment, HOME and platform, and a Runner that spawns
 * programs. The CLI builds one per command; library users call `processContext()`.
 */
import { homedir } from 'node:os';
import type { Context, Runner } from './types.ts';

/** Run a program, never throwing for a non-zero exit (the caller reads code/stdout/stderr). */
export const runProcess: Runner = async (cmd, args, opts = {}) => {
  // Loaded on first use: most diagnose runs never spawn anything.
  const { execFile } = await import('node:child_process');
  const timeout = opts.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      [...args],
      { env: opts.env, cwd: opts.cwd, timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        // Stopped for taking too long: say so as the last line, the one a verdict quotes (not the command).
        const stopped = error?.killed
          ? `\ncertifix stopped ${cmd} after ${timeout / 1000} s: it had not finished`
          : '';
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (error && code === null && !stopped ? error.message : '')) + stopped,
          ...(stopped ? { stopped: true as const } : {}),
        });
      },
    );
    if (opts.input !== undefined) {
      // A program may exit without reading its input (a client failing early): the pipe's EPIPE is no error
      // of ours, and unhandled it would end this process. The exit code and output say what happened.
      child.stdin?.on('error', () => {});
      child.stdin?.end(opts.input);
    }
  });
};

export function processContext(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Context {
  return { env, home: env.HOME || homedir(), cwd, platform: process.platform, run: runProcess };
}
