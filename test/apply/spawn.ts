/** Run test/apply/child.ts as a real process and wait for a line it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `re` (rejects if the child exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

export function runChild(...args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timeout waiting for ${re}; got ${lines.join('|')} ${stderr}`)),
        timeoutMs,
      );
      const check = () => {
        const hit = lines.find((l) => re.test(l));
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else if (proc.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`child exited (${proc.exitCode}) before ${re}: ${lines.join('|')} ${stderr}`));
        } else waiters.push(check);
      };
      proc.on('exit', check);
      check();
    });
  const kill9 = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  return { proc, lines, waitFor, kill9, exited };
}
