/**
 * Node checks every host name it dials or looks up against a large IPv6 pattern (`isIP` in net.connect,
 * dns.lookup and tls.connect: lib/internal/net.js). V8 compiles a regular expression to bytecode on its first
 * use and again to machine code on its second (--regexp-tier-up). For that pattern the two compiles take
 * ~8 ms and ~2 ms, a twelfth of a whole `diagnose`. Compiled straight to machine code it takes ~2.5 ms, and
 * ~0.5 ms without V8's regexp optimisations (quick checks and lookahead tables, which pay off over many long
 * inputs, not a few host names); with loading node:v8, about 1 ms. Measured on Node 20, 22 and 24.
 * `primeHostCheck` makes that one compile so, before anything asks whether a string is an IP address (ip.ts
 * calls it, and so runs it before the first name is parsed, dialled or looked up): both flags off, one
 * check, both on again. The pattern and its answers are Node's own: the optimisations change how fast a
 * match runs, not what matches.
 *
 * Node documents setting V8 flags after start-up as possibly unpredictable (`v8.setFlagsFromString`: "behavior
 * is undefined if flags are changed after the VM has started"); what is relied on here is narrow and checked:
 * - Only the CLI arms it (`armHostCheck`): a V8 flag belongs to the whole process, and a library does not
 *   change its host's.
 * - V8's code caches (Node's own for its modules, ours: scripts/pack-loader.cjs) are keyed by a hash of the
 *   flags, `v8.cachedDataVersionTag()`. Each flag is turned off only when that changes the hash, and on again
 *   only then: a flag already off (Node started with it, or implied by another, as --jitless does on Node
 *   24) is left alone, so the hash is the same after as before (tested on each Node line).
 * - It is synchronous: nothing else compiles while the flags are off.
 * - Where process.getBuiltinModule is missing (Node < 20.16) it does nothing.
 * No static imports: the CLI's entry loads this module, and node:v8 is loaded only when it primes.
 */
let state: 'off' | 'armed' | 'done' = 'off';

/** Let `primeHostCheck` act in this process (the CLI's entry calls this). */
export function armHostCheck(): void {
  if (state === 'off') state = 'armed';
}

/** Compile Node's host-name check straight to machine code, once, when armed; otherwise nothing. */
export function primeHostCheck(): void {
  if (state !== 'armed') return;
  state = 'done';
  const v8 = process.getBuiltinModule?.('node:v8') as typeof import('node:v8') | undefined;
  const net = process.getBuiltinModule?.('node:net') as typeof import('node:net') | undefined;
  if (!v8 || !net) return;
  const { cachedDataVersionTag: hash, setFlagsFromString: set } = v8;
  const start = hash();
  set('--no-regexp-tier-up');
  if (hash() === start) return; // off already: nothing to gain, nothing to restore
  const tierOff = hash();
  set('--no-regexp-optimization');
  const optimised = hash() !== tierOff;
  try {
    net.isIP('certifix.invalid');
  } finally {
    if (optimised) set('--regexp-optimization');
    set('--regexp-tier-up');
  }
}
