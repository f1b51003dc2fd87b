/**
 * The `cacerts` change at apply time (`fix --java-cacerts`): the chosen roots imported into a JDK's own
 * keystore by that JDK's `keytool`, on a private copy of the file's bytes; the executor then writes the
 * copy's bytes atomically, after journaling the original ones (execute.ts), so `undo` puts back every byte.
 *
 * - The copy keeps the store's format (JKS: Debian's /etc/ssl/certs/java/cacerts and JDK <= 17's; PKCS12:
 *   JDK 18+'s password-less cacerts, JDK-8275252), named with -storetype so keytool never converts it.
 * - The password: CERTIFIX_JAVA_STOREPASS when the user set it, and only that; else, for Debian's
 *   /etc/ssl/certs/java/cacerts, the `storepass` of /etc/default/cacerts (core/debian-storepass.ts) when it
 *   sets one, then the JDK's `changeit` (keytool documentation, "cacerts Certificates File":
 *   https://docs.oracle.com/en/java/javase/17/docs/specs/man/keytool.html). It goes to keytool through
 *   -storepass:env, never on a command line. When keytool refuses every one, that is reported as such.
 * - Only roots the store lacks (by SHA-256) are added, as `certifix-<sha256 prefix>`; no entry the store had
 *   is removed or replaced (an alias already taken is left as it is, with a warning).
 */
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readFileBounded } from '../bounded.ts';
import { type Cert, parseCerts } from '../core/cert.ts';
import { DEBIAN_CACERTS, DEBIAN_CACERTS_DEFAULTS, debianStorepass } from '../core/debian-storepass.ts';
import { CertifixError } from '../core/errors.ts';
import { DEFAULT_STOREPASS, entriesFor, isJks, writeJks } from '../core/keystore.ts';
import { readText, sys } from '../host-files.ts';
import type { Context, Runner } from '../types.ts';
import { resolveTarget } from './atomic.ts';
import type { FileOp } from './edits.ts';
import { mayWrite } from './guard.ts';
import type { EditRecord } from './journal.ts';

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & Partial<Pick<Context, 'sysroot'>> & { run?: Runner };

/** The variable keytool reads the store password from (-storepass:env), in keytool's environment only. */
const PASS_VAR = 'CERTIFIX_KEYTOOL_STOREPASS';
/** keytool starts a JVM: ~1 s here; a loaded machine gets far more before this gives up. */
const KEYTOOL_TIMEOUT_MS = 120_000;
/** /etc/default/cacerts is a few lines of shell. */
const MAX_DEFAULTS_BYTES = 64 * 1024;

interface CacertsImport {
  bytes: Buffer;
  /** `trusted <alias>: <subject>` per entry, before and after (what --dry-run diffs). */
  beforeListing: string;
  afterListing: string;
  /** The aliases added. */
  imported: string[];
  warnings: string[];
}

/** `keytool -list -rfc` output: each entry's alias and its (first) certificate. */
export function parseRfcListing(out: string): Array<{ alias: string; cert: Cert }> {
  const entries: Array<{ alias: string; cert: Cert }> = [];
  for (const section of out.split(/^Alias name: /m).slice(1)) {
    const alias = section.slice(0, section.indexOf('\n')).trim();
    const cert = parseCerts(section, alias).certs[0];
    if (cert) entries.push({ alias, cert });
  }
  return entries;
}

const listing = (entries: ReadonlyArray<{ alias: string; cert: Cert }>) =>
  entries.map((e) => `trusted ${e.alias}: ${e.cert.subject}\n`).join('');

/** keytool's own environment: no JVM options of the user's (no "Picked up …" line), English messages. */
function keytoolEnv(env: NodeJS.ProcessEnv, password: string): NodeJS.ProcessEnv {
  return { PATH: env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', [PASS_VAR]: password };
}

async function keytool(
  run: Runner,
  path: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  store: string,
): Promise<string> {
  let r: Awaited<ReturnType<Runner>>;
  try {
    r = await run(path, args, { env, timeoutMs: KEYTOOL_TIMEOUT_MS });
  } catch (cause) {
    throw new CertifixError('IO', `cannot run ${path}`, { cause, hint: 'is the JDK complete?' });
  }
  const said = `${r.stdout}\n${r.stderr}`;
  const error = said.split('\n').find((l) => l.startsWith('keytool error'));
  // JKS: "Keystore was tampered with, or password was incorrect"; PKCS12: "keystore password was incorrect".
  if (/password was incorrect/i.test(said))
    throw new CertifixError('REFUSED', `keytool says the password is wrong for ${store}`, {
      hint: `for fix --java-cacerts set CERTIFIX_JAVA_STOREPASS to its password (certifix tries only the JDK's default, changeit, and for Debian's ${DEBIAN_CACERTS} the storepass of ${DEBIAN_CACERTS_DEFAULTS}); for a trust store your JVM options name, correct -Djavax.net.ssl.trustStorePassword. ${error ?? ''}`.trim(),
    });
  if (r.code !== 0 || error)
    throw new CertifixError('IO', `keytool failed on ${store}: ${error ?? said.trim().slice(-400)}`);
  return r.stdout;
}

/** A keystore's entries as its JDK's keytool lists them, with `password` (apply/keystore.ts copies them). */
export async function keytoolEntries(
  path: string,
  data: Buffer,
  reader: { keytool: string; password: string; env: NodeJS.ProcessEnv; run: Runner },
): Promise<Array<{ alias: string; cert: Cert }>> {
  const type = isJks(data) ? 'JKS' : 'PKCS12';
  const args = ['-list', '-rfc', '-keystore', path, '-storetype', type, '-storepass:env', PASS_VAR];
  const env = keytoolEnv(reader.env, reader.password);
  return parseRfcListing(await keytool(reader.run, reader.keytool, args, env, path));
}

/** The roots of the PEM inputs (a file this run writes is taken from the plan). */
async function rootsOf(from: readonly string[], pending: ReadonlyMap<string, string>): Promise<Cert[]> {
  const certs: Cert[] = [];
  for (const path of from) {
    const planned = pending.get(path);
    certs.push(...parseCerts(planned ?? (await readFileBounded(path)), path).certs);
  }
  return certs;
}

/** Import the roots in `from` into a copy of `before` (the store at `store`) with `keytoolPath`. */
async function importIntoCacerts(opts: {
  store: string;
  before: Buffer;
  from: readonly string[];
  pending: ReadonlyMap<string, string>;
  keytool: string;
  /** The passwords to try, in order (see above). */
  passwords: readonly string[];
  run: Runner;
  env: NodeJS.ProcessEnv;
}): Promise<CacertsImport> {
  const dir = await mkdtemp(join(tmpdir(), 'certifix-cacerts-'));
  try {
    const copy = join(dir, 'cacerts');
    await writeFile(copy, opts.before, { mode: 0o600 });
    const type = isJks(opts.before) ? 'JKS' : 'PKCS12';
    const store = ['-storetype', type, '-storepass:env', PASS_VAR];
    const list = ['-list', '-rfc', '-keystore', copy, ...store];
    // The first password keytool accepts is the store's (a wrong one: "password was incorrect").
    let password = opts.passwords[0] as string;
    let out: string | undefined;
    for (const [i, p] of opts.passwords.entries()) {
      password = p;
      try {
        out = await keytool(opts.run, opts.keytool, list, keytoolEnv(opts.env, p), opts.store);
        break;
      } catch (e) {
        if (!(e instanceof CertifixError && e.code === 'REFUSED') || i === opts.passwords.length - 1) throw e;
      }
    }
    const env = keytoolEnv(opts.env, password);
    const had = parseRfcListing(out ?? '');
    const shas = new Set(had.map((e) => e.cert.sha256));
    const aliases = new Set(had.map((e) => e.alias.toLowerCase()));
    const warnings: string[] = [];
    const wanted = entriesFor((await rootsOf(opts.from, opts.pending)).filter((c) => !shas.has(c.sha256)));
    const fresh = wanted.filter((e) => {
      if (!aliases.has(e.alias)) return true;
      warnings.push(
        `${opts.store} already has an entry ${e.alias} holding another certificate; left as it is`,
      );
      return false;
    });
    const unique = fresh.filter((e, i) => fresh.findIndex((f) => f.alias === e.alias) === i);
    if (unique.length === 0)
      return {
        bytes: opts.before,
        beforeListing: listing(had),
        afterListing: listing(had),
        imported: [],
        warnings,
      };
    const src = join(dir, 'roots.jks');
    await writeFile(src, writeJks(unique, password), { mode: 0o600 });
    await keytool(
      opts.run,
      opts.keytool,
      [
        '-importkeystore',
        '-noprompt',
        '-srckeystore',
        src,
        '-srcstoretype',
        'JKS',
        '-srcstorepass:env',
        PASS_VAR,
        '-destkeystore',
        copy,
        '-deststoretype',
        type,
        '-deststorepass:env',
        PASS_VAR,
      ],
      env,
      opts.store,
    );
    const after = [...had, ...unique];
    return {
      bytes: await readFile(copy),
      beforeListing: listing(had),
      afterListing: listing(after),
      imported: unique.map((e) => e.alias),
      warnings,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why certifix will not change this keystore, or null: it must be the user's own, writable, and one `undo` may restore. */
export async function cacertsRefusal(planned: string, ctx: Ctx): Promise<CertifixError | null> {
  const target = await resolveTarget(planned);
  const uid = process.getuid?.();
  const st = await stat(target).catch(() => null);
  if (!st) return new CertifixError('REFUSED', `there is no keystore at ${target}`);
  const hint = `as root for a system JDK: sudo -H certifix fix --client java --java-cacerts (then undo with sudo -H certifix undo); or leave out --java-cacerts: certifix then builds a truststore of your own and leaves ${target} alone`;
  if (uid !== undefined && st.uid !== uid)
    return new CertifixError(
      'REFUSED',
      `${target} belongs to ${st.uid === 0 ? 'root' : `uid ${st.uid}`}, not to you (uid ${uid}); certifix imports only into a JDK keystore the user running it owns`,
      { hint },
    );
  const writable = await Promise.all(
    [target, dirname(target)].map((p) =>
      access(p, constants.W_OK).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (writable.includes(false))
    return new CertifixError('REFUSED', `${target} (or its directory) is not writable here`, { hint });
  if ((await stat(ctx.home).catch(() => null))?.uid !== uid)
    return new CertifixError(
      'REFUSED',
      `as root, certifix changes a JDK's keystore only for root's own HOME: a journal in ${ctx.home}, which another user owns, must not decide what root's JVMs trust`,
      { hint },
    );
  if (!/^(jsse)?cacerts$/.test(basename(target)) || !mayWrite(planned, ctx))
    return new CertifixError(
      'REFUSED',
      `${planned} is not a JDK keystore certifix may change (a Java home's lib/security/cacerts or jssecacerts, or /etc/ssl/certs/java/cacerts)`,
    );
  return null;
}

/** The passwords to try on `target`: the user's alone, else Debian's own (for its store) and the JDK's default. */
export async function storePasswords(target: string, given: string | undefined, ctx: Ctx): Promise<string[]> {
  if (given !== undefined) return [given];
  if (resolve(target) !== resolve(sys(ctx, DEBIAN_CACERTS))) return [DEFAULT_STOREPASS];
  const text = await readText(sys(ctx, DEBIAN_CACERTS_DEFAULTS), MAX_DEFAULTS_BYTES);
  const debian = text === null ? undefined : debianStorepass(text);
  return debian && debian !== DEFAULT_STOREPASS ? [debian, DEFAULT_STOREPASS] : [DEFAULT_STOREPASS];
}

/** The new bytes of a keystore the plans import into, and what the journal records about it (prepare.ts). */
export async function cacertsWork(
  f: { planned: string; target: string; ops: readonly FileOp[]; before: Buffer | null },
  pending: ReadonlyMap<string, string>,
  ctx: Ctx,
): Promise<{ after: Buffer; beforeText: string; afterText: string; record: EditRecord; warnings: string[] }> {
  const ops = f.ops.filter((o): o is Extract<FileOp, { kind: 'cacerts' }> => o.kind === 'cacerts');
  if (ops.length !== f.ops.length)
    throw new CertifixError(
      'USAGE',
      `${f.planned}: an import into a keystore cannot be combined with other edits`,
    );
  const refusal = await cacertsRefusal(f.planned, ctx);
  if (refusal || f.before === null)
    throw refusal ?? new CertifixError('REFUSED', `there is no keystore at ${f.target}`);
  const done = await importIntoCacerts({
    store: f.target,
    before: f.before,
    from: [...new Set(ops.flatMap((o) => o.from))],
    pending,
    keytool: (ops[0] as (typeof ops)[number]).keytool,
    passwords: await storePasswords(f.target, ops.find((o) => o.password !== undefined)?.password, ctx),
    run: ctx.run ?? (await import('../context.ts')).runProcess,
    env: ctx.env,
  });
  return {
    after: done.bytes,
    beforeText: done.beforeListing,
    afterText: done.afterListing,
    record: { kind: 'file', imported: done.imported },
    warnings: done.warnings,
  };
}
