import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { CertifixError } from '../core/errors.ts';

/** The CLI's only window on the world: output streams, environment, terminal facts. Tests pass their own. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a terminal (progress bars, colour, prompts). */
  isTTY: boolean;
  /** Ask a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
  /** Ask for a line of text (e.g. a fingerprint); undefined without a terminal. */
  prompt?: ((question: string) => Promise<string>) | undefined;
}

/**
 * One question on the terminal. Ctrl-D (end of input) and Ctrl-C are answers too: "stop, change nothing".
 * readline swallows Ctrl-C in raw mode (it emits 'SIGINT' on the interface, and pauses input when nobody
 * listens: the process would then just end, exit 0), and rejects a pending question with an AbortError on
 * close; both are turned into CANCELLED / INTERRUPTED here, which the CLI reports as "nothing changed".
 */
async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      fn();
      rl.close();
    };
    rl.on('SIGINT', () => {
      if (!done) process.stderr.write('\n');
      finish(() => reject(new CertifixError('INTERRUPTED', 'interrupted at the prompt; nothing changed')));
    });
    rl.on('close', () => {
      if (!done) process.stderr.write('\n');
      finish(() => reject(new CertifixError('CANCELLED', 'no answer (end of input); nothing changed')));
    });
    rl.question(question, (answer) => finish(() => resolve(answer)));
  });
}

/**
 * Output to a pipe whose reader is gone (`certifix diagnose … | head -1`) or to a full disk (`>/dev/full`):
 * the stream emits an error, later writes are dropped. A closed pipe is the reader's choice and stays quiet;
 * any other write error is said once on stderr and makes the exit code 2.
 */
export const output = { failed: false };

/** The streams output went through (a terminal, or a pipe that could not take it at once). */
const streams = new Set<NodeJS.WriteStream>();

/**
 * Resolves once everything written through the streams has been handed to the OS (or has failed, and said
 * so): Node writes a terminal on Windows and a pipe on every POSIX system asynchronously. What direct() wrote
 * with write(2) is done already.
 */
export async function flushed(): Promise<void> {
  await Promise.all([...streams].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  await new Promise<void>((resolve) => setImmediate(resolve)); // a write's 'error' event, emitted after its callback
}

function guard(stream: NodeJS.WriteStream, name: string): (s: string | Uint8Array) => void {
  streams.add(stream);
  let broken = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (broken) return;
    broken = true;
    failedWrite(e, name, stream === process.stderr);
  });
  return (s) => {
    if (!broken) stream.write(s);
  };
}

function failedWrite(e: NodeJS.ErrnoException, name: string, isStderr: boolean): void {
  if (e.code === 'EPIPE' || isStderr) return;
  output.failed = true;
  process.exitCode = 2;
  streams.add(process.stderr); // flushed() waits for this line too
  process.stderr.write(`certifix: could not write to ${name} (${e.code ?? e.message})\n`);
}

/**
 * Output to a file or a pipe, written with write(2) on the descriptor: creating process.stdout and
 * process.stderr loads and sets up Node's stream machinery, a measurable share of a `diagnose --json` run.
 * Node writes to files and pipes synchronously too (https://nodejs.org/api/process.html#a-note-on-process-io),
 * so the order of what is written is the same. A descriptor that cannot take the bytes now (EAGAIN: a
 * non-blocking pipe its reader has not drained) hands this and every later write to the stream, which waits.
 */
function direct(fd: 1 | 2, name: string): (s: string) => void {
  let broken = false;
  let stream: ((s: string | Uint8Array) => void) | undefined;
  return (s) => {
    if (broken) return;
    if (stream) return stream(s);
    const buf = Buffer.from(s, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        stream = guard(fd === 1 ? process.stdout : process.stderr, name);
        return stream(buf.subarray(off));
      }
      broken = true;
      failedWrite(e as NodeJS.ErrnoException, name, fd === 2);
    }
  };
}

/** A terminal (node:tty, which loads node:net, is asked only about a character device: /dev/null is one). */
function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && isatty(fd);
  } catch {
    return false;
  }
}

export function processIo(): Io {
  const isTTY = isTerminal(1);
  const interactive = isTTY && isTerminal(0);
  return {
    stdout: isTTY ? guard(process.stdout, 'standard output') : direct(1, 'standard output'),
    stderr: isTerminal(2) ? guard(process.stderr, 'standard error') : direct(2, 'standard error'),
    env: process.env,
    cwd: process.cwd(),
    isTTY,
    confirm: interactive ? async (q) => /^y(es)?$/i.test((await ask(`${q} [y/N] `)).trim()) : undefined,
    prompt: interactive ? ask : undefined,
  };
}

/** Minimal ANSI styling; off unless stdout is a terminal and NO_COLOR is unset (https://no-color.org). */
export function styler(io: Io) {
  const on = io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
export type Style = ReturnType<typeof styler>;
