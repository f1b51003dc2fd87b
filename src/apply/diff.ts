/**
 * A small line diff for `--dry-run`: which lines a change adds and removes. Common prefix and suffix are
 * trimmed first (our edits are local), then an LCS over the rest; very large middles fall back to
 * "all removed, all added", which is still true, just less precise.
 */
import { bare, splitLines } from '../formats/text.ts';

interface LineDiff {
  added: string[];
  removed: string[];
}

const LCS_LIMIT = 4_000_000;

export function lineDiff(before: string | null, after: string): LineDiff {
  const a = splitLines(before ?? '').map(bare);
  const b = splitLines(after).map(bare);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length * y.length > LCS_LIMIT) return { added: y, removed: x };
  // dp[i][j] = LCS length of x[i..] and y[j..]
  const dp = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      const row = dp[i] as Uint32Array;
      const next = dp[i + 1] as Uint32Array;
      row[j] =
        x[i] === y[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
    }
  }
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      i++;
      j++;
    } else if (((dp[i + 1] as Uint32Array)[j] as number) >= ((dp[i] as Uint32Array)[j + 1] as number)) {
      removed.push(x[i++] as string);
    } else {
      added.push(y[j++] as string);
    }
  }
  removed.push(...x.slice(i));
  added.push(...y.slice(j));
  return { added, removed };
}
