/**
 * One CA file's index (stores/bundle-index.ts writes and finds it), searched in its bytes rather than parsed:
 * after a JSON header line, one line per certificate, `["<sha256>","<subject key>",start,end]`.
 */
import { type Cert, certFromDer } from '../core/cert.ts';
import type { AnchorTable, IndexedAnchor } from '../core/trust-index.ts';
import { certOfPemBody } from './pem.ts';

/** [sha256 of the certificate, subject key or null, start, end of its bytes in the file or text] */
export type Row = [string, string | null, number, number];

/** How a row's bytes are a certificate: a PEM body (base64) or DER. */
export type Kind = 'pem' | 'der';

/** Where the rows of one index read their bytes: shared by the rows (an index has a few hundred). */
interface RowSource {
  kind: Kind;
  bytes(row: Row): Buffer | string | undefined;
}

/** A row of an index as an anchor: one small object a row, decoded only when a lookup reaches it. */
class RowAnchor implements IndexedAnchor {
  constructor(
    private readonly row: Row,
    private readonly src: RowSource,
  ) {}

  get sha256(): string {
    return this.row[0];
  }

  get key(): string | null {
    return this.row[1];
  }

  load(): Cert | undefined {
    const b = this.src.bytes(this.row);
    if (b === undefined) return undefined;
    let c: Cert | null;
    try {
      c =
        this.src.kind === 'pem'
          ? certOfPemBody(typeof b === 'string' ? b : b.toString('latin1'))
          : certFromDer(b as Buffer);
    } catch {
      c = null;
    }
    // Only the certificate indexed: the file may have changed since (then the lookup finds nothing there).
    return c && c.sha256 === this.row[0] ? c : undefined;
  }
}

export const NL = 0x0a;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * An index file searched in its bytes: a sha256 is found as the start of a line (`["<sha256>",`), a subject
 * key as the JSON string after a sha256 (`","<key>",` with JSON's escapes, as JSON.stringify wrote them); a
 * line found is parsed and checked as a whole, so a match elsewhere in a line answers nothing. A row that is
 * not one this code wrote is skipped: its certificate is then not found, which can fail a verdict but never
 * trust anything (and a row's bytes must still hash to its sha256 when loaded).
 */
export class IndexTable implements AnchorTable, RowSource {
  private readonly byKey = new Map<string, RowAnchor[]>();
  private everything: RowAnchor[] | undefined;

  constructor(
    private readonly data: Buffer,
    /** where the first row begins (after the header's newline) */
    private readonly from: number,
    /** how many rows the header says follow: all() reads no more lines than that */
    private readonly rows: number,
    readonly kind: Kind,
    private readonly size: number,
    private readonly read: (row: Row) => Buffer | string | undefined,
  ) {}

  bytes(row: Row): Buffer | string | undefined {
    return this.read(row);
  }

  hasSha256(sha256: string): boolean {
    if (!HEX64.test(sha256)) return false;
    const needle = `["${sha256}",`;
    for (
      let at = this.data.indexOf(needle, this.from, 'latin1');
      at >= 0;
      at = this.data.indexOf(needle, at + 1, 'latin1')
    )
      if (this.data[at - 1] === NL && this.rowAt(at, this.lineEnd(at))?.[0] === sha256) return true;
    return false;
  }

  withKey(key: string): readonly IndexedAnchor[] {
    let found = this.byKey.get(key);
    if (!found) {
      found = [];
      const needle = Buffer.from(`",${JSON.stringify(key)},`, 'utf8');
      // Each line is parsed once at most: the search goes on after the line a match is in.
      for (let at = this.data.indexOf(needle, this.from); at >= 0; ) {
        const end = this.lineEnd(at);
        const row = this.rowAt(at, end);
        if (row?.[1] === key) found.push(new RowAnchor(row, this));
        at = this.data.indexOf(needle, end);
      }
      this.byKey.set(key, found);
    }
    return found;
  }

  all(): readonly IndexedAnchor[] {
    if (!this.everything) {
      this.everything = [];
      for (let start = this.from, n = 0; start < this.data.length && n < this.rows; n++) {
        const end = this.data.indexOf(NL, start);
        const row = this.parse(start, end < 0 ? this.data.length : end);
        if (row) this.everything.push(new RowAnchor(row, this));
        if (end < 0) break;
        start = end + 1;
      }
    }
    return this.everything;
  }

  /** Where the line holding byte `at` ends (its newline, or the end of the data). */
  private lineEnd(at: number): number {
    const end = this.data.indexOf(NL, at);
    return end < 0 ? this.data.length : end;
  }

  /** The row on the line holding byte `at`, which ends at `end`, when it is one. */
  private rowAt(at: number, end: number): Row | undefined {
    const start = this.data.lastIndexOf(NL, at) + 1;
    return start < this.from ? undefined : this.parse(start, end);
  }

  private parse(start: number, end: number): Row | undefined {
    try {
      const row: unknown = JSON.parse(this.data.toString('utf8', start, end));
      return validRow(row, this.size) ? row : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A certificate is at most 256 kB here: a row's span past that is not one this code wrote. */
const MAX_SPAN = 256 * 1024;

function validRow(r: unknown, size: number): r is Row {
  if (!Array.isArray(r) || r.length !== 4) return false;
  const sha: unknown = r[0];
  const key: unknown = r[1];
  const start: unknown = r[2];
  const end: unknown = r[3];
  // A sha256 that is not one only never matches a certificate: its length is check enough.
  return (
    typeof sha === 'string' &&
    sha.length === 64 &&
    (key === null || (typeof key === 'string' && key.length <= 65_536)) &&
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    (start as number) >= 0 &&
    (start as number) < (end as number) &&
    (end as number) - (start as number) <= MAX_SPAN &&
    (end as number) <= size
  );
}
