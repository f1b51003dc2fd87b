/**
 * certifix's entry: dispatch to one command module, loaded lazily so `--version` and `--help` start fast.
 * This is the only place (with the command modules) that prints and sets exit codes.
 */
import { writeSync } from 'node:fs';
import { CertifixError } from '../core/errors.ts';
import { armHostCheck } from '../net/host-check.ts';
import { flushed, type Io, output, processIo } from './io.ts';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

type Command = (argv: string[], io: Io) => Promise<number>;

/** name → [one-line summary, lazy module]. The order is the order of `--help`. */
const COMMANDS: Record<string, [string, () => Promise<Command>]> = {
  diagnose: [
    'see the chain each client sees and why each fails',
    async () => (await import('./diagnose.ts')).diagnoseCommand,
  ],
  check: [
    'run every installed client for real and compare with the prediction',
    async () => (await import('./check.ts')).checkCommand,
  ],
  fix: [
    'make every client trust what the OS trusts (merged bundle)',
    async () => (await import('./fix.ts')).fixCommand,
  ],
  status: [
    'show what certifix configured and what has drifted',
    async () => (await import('./status.ts')).statusCommand,
  ],
  undo: ['restore every file certifix changed', async () => (await import('./undo.ts')).undoCommand],
  refresh: [
    'rebuild the bundle from the current OS store and re-apply',
    async () => (await import('./refresh.ts')).refreshCommand,
  ],
  verify: [
    'verify a certificate chain offline, as OpenSSL would',
    async () => (await import('./verify.ts')).verifyCommand,
  ],
  probe: [
    'handshake many times with every address: find the bad backend',
    async () => (await import('./probe.ts')).probeCommand,
  ],
  explain: [
    'explain a pasted TLS error and diagnose its host',
    async () => (await import('./explain.ts')).explainCommand,
  ],
  export: [
    'write out the OS roots, the locally added ones, or a server chain (PEM/DER)',
    async () => (await import('./export.ts')).exportCommand,
  ],
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const rows = Object.entries(COMMANDS).map(([name, [summary]]) => `  ${name.padEnd(width)}  ${summary}`);
  return `certifix ${VERSION}: end CERTIFICATE_VERIFY_FAILED for Python, pip, Node, npm, git and curl

Usage: certifix <command> [options]

Commands:
${rows.join('\n')}

Start here:
  certifix diagnose https://pypi.org        why does this fail, for which client?
  certifix fix --dry-run                    what would be changed to fix it
  certifix fix https://pypi.org             fix it; certifix undo takes it back

Options: --help (per command; or certifix help <command>), --version, --json (most commands)
Exit codes: 0 all good, 1 a client fails or something was found or not done (each --help says which),
2 usage, file or connection error
`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  // `certifix help fix` is `certifix fix --help`; `certifix help` alone, the overview.
  const asked = first === 'help' && rest.length > 0 ? rest[0] : undefined;
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && !asked)) {
    io.stdout(mainHelp());
    return first === undefined ? 2 : 0;
  }
  const name = asked ?? first;
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr(`certifix: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    const command = await entry[1]();
    return await command(asked ? ['--help'] : rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}

/** Expected failures print one line (and a hint); unexpected ones keep their stack for bug reports. */
function reportError(e: unknown, io: Io): number {
  if (e instanceof CertifixError) {
    io.stderr(`certifix: ${e.message}\n`);
    if (e.hint) io.stderr(`  hint: ${e.hint}\n`);
    if (e.code === 'INTERRUPTED') return 130; // 128 + SIGINT, as shells report Ctrl-C
    // Nothing wrong with what was asked, but it was not done: 1, as a problem found; 2 is for bad input.
    const notDone = ['REFUSED', 'LOCKED', 'CANCELLED', 'NOT_CONFIGURED'];
    return notDone.includes(e.code) ? 1 : 2;
  }
  io.stderr(`certifix: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 70;
}

/** The bin's entry: run with the process's argv and streams, set the exit code. */
export async function run(): Promise<void> {
  const first = process.argv[2];
  if (process.argv.length === 3 && (first === '--version' || first === '-v' || first === 'version')) {
    // Without touching process.stdout: creating it loads Node's stream modules, a third of what the answer costs.
    try {
      writeSync(1, `${VERSION}\n`);
    } catch {
      // a closed stdout: nothing to say it to
    }
    return;
  }
  const io = processIo();
  armHostCheck(); // this process is ours: see net/host-check.ts
  const code = await main(process.argv.slice(2), io).catch((e: unknown) => reportError(e, io));
  process.exitCode = output.failed ? 2 : code;
  // The command has done all it does (every write, spawn and file change is awaited): end now, once the output
  // is out, rather than when the event loop drains. Waiting costs a tenth of a short run: closing sockets
  // gracefully, then tearing down Node's environment, worker threads and heap. 'exit' handlers still run (the
  // code cache is written in one).
  await flushed();
  process.exit();
}
