/**
 * Node checks every host name it dials or looks up against a large IPv6 pattern (`isIP` in net.connect,
 * dns.lookup and tls.connect: lib/internal/net.js). V8 compiles a regular expression to bytecode on its first
 * use and again to machine code on its second (--regexp-tier-up). For that pattern the two compiles take
 * ~8 ms and ~2 ms, a twelfth of a whole `diagnose`. Compiled straight to machine code it takes ~2.5 ms, and
 * ~0.6 ms without V8's regexp optimisations (quick checks and lookahead tables, which pay off over many long
 * inputs, not a few host names). Measured on Node 20, 22 and 24. `primeHostCheck` makes that one compile so,
 * before the first name is dialled: both flags off, one check, both on again. The pattern and its answers are
 * Node's own: the optimisations change how fast a match runs, not what matches.
 *
 * Only the CLI arms it (`armHostCheck`): a V8 flag belongs to the whole process, and a library does not
 * change its host's. V8's code caches are keyed by the flags' values, so the flags are off only for the
 * synchronous check, and the primer leaves them alone when Node was started with a regexp flag of its own
 * (turning one back "on" would then be a change). No static imports: the CLI's entry loads this module.
 */
let state: 'off' | 'armed' | 'done' = 'off';

/** Let `primeHostCheck` act in this process (the CLI's entry calls this). */
export function armHostCheck(): void {
  if (state === 'off') state = 'armed';
}

/** Compile Node's host-name check straight to machine code, once, when armed; otherwise nothing. */
export async function primeHostCheck(): Promise<void> {
  if (state !== 'armed') return;
  state = 'done';
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (flags.includes('regexp')) return;
  const [{ isIP }, { setFlagsFromString }] = await Promise.all([import('node:net'), import('node:v8')]);
  setFlagsFromString('--no-regexp-tier-up');
  setFlagsFromString('--no-regexp-optimization');
  try {
    isIP('certifix.invalid');
  } finally {
    setFlagsFromString('--regexp-optimization');
    setFlagsFromString('--regexp-tier-up');
  }
}
