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

export function processIo(): Io {
  const isTTY = Boolean(process.stdout.isTTY);
  const interactive = isTTY && Boolean(process.stdin.isTTY);
  const ask = async (q: string): Promise<string> => {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(q);
    } finally {
      rl.close();
    }
  };
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
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
