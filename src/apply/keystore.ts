/**
 * The `keystore` change at apply time: read its inputs (a file the same run writes is taken from the plan,
 * not from the disk), merge their certificates and write a JKS truststore (core/keystore.ts). The text shown
 * by `--dry-run` and recorded for the diff is a listing of the entries, one line each, never the bytes.
 */
import { readFileBounded } from '../bounded.ts';
import { parseCerts } from '../core/cert.ts';
import { entriesFor, type KeystoreEntry, mergeEntries, readKeystore, writeJks } from '../core/keystore.ts';
import type { Runner } from '../types.ts';
import { keytoolEntries } from './cacerts.ts';

/** The JDK's keytool and the store password, to read a password-protected PKCS#12 input. */
interface KeytoolReader {
  keytool: string;
  password: string;
  env: NodeJS.ProcessEnv;
  run: Runner;
}

/** A keystore or PEM input as read: its entries, or why it gave none. */
async function entriesOf(
  path: string,
  pending: ReadonlyMap<string, string>,
  warnings: string[],
  reader?: KeytoolReader,
): Promise<KeystoreEntry[]> {
  const planned = pending.get(path);
  let data: Buffer;
  try {
    data = planned === undefined ? await readFileBounded(path) : Buffer.from(planned, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    warnings.push(
      `${path} ${code === 'ENOENT' ? 'does not exist' : 'cannot be read'}; the truststore goes without it`,
    );
    return [];
  }
  if (data.includes('-----BEGIN')) return entriesFor(parseCerts(data, path).certs);
  try {
    const ks = readKeystore(data);
    // A PKCS#12 store keytool made encrypts its certificates with the store password: with the password the
    // user's options give the JVM, the JDK's keytool lists them all.
    if (ks.encrypted > 0 && reader)
      return (await keytoolEntries(path, data, reader)).map((e) => ({
        ...e,
        date: e.cert.notBefore.getTime(),
      }));
    if (ks.encrypted > 0)
      warnings.push(
        `${path}: ${ks.encrypted} password-protected part(s) cannot be read without the keystore's password; their certificates are not copied`,
      );
    return ks.entries;
  } catch (e) {
    warnings.push(
      `${path} is not a keystore or PEM file (${(e as Error).message}); the truststore goes without it`,
    );
    return [];
  }
}

/** The listing `--dry-run` diffs: `<alias>: <subject>` per entry, in the file's order. */
function keystoreListing(entries: readonly KeystoreEntry[]): string {
  return entries.map((e) => `trusted ${e.alias}: ${e.cert.subject}\n`).join('');
}

/** The listing of an existing file when it is a keystore, else null (then it is shown as text). */
export function listingOf(data: Buffer | null): string | null {
  if (!data) return null;
  try {
    return keystoreListing(readKeystore(data).entries);
  } catch {
    return null;
  }
}

/** The truststore's bytes and listing, from every input in order. */
export async function buildKeystore(
  from: readonly string[],
  pending: ReadonlyMap<string, string>,
  password?: string,
  reader?: KeytoolReader,
): Promise<{ bytes: Buffer; listing: string; warnings: string[] }> {
  const warnings: string[] = [];
  const lists: KeystoreEntry[][] = [];
  for (const path of from) lists.push(await entriesOf(path, pending, warnings, reader));
  const entries = mergeEntries(lists);
  return { bytes: writeJks(entries, password), listing: keystoreListing(entries), warnings };
}
