/** Whether a dotted version ("3.12.1", "24.2") is at least major.minor; a missing version counts as 0.0. */
export function atLeast(version: string | undefined, min: [number, number]): boolean {
  const [a = 0, b = 0] = (version ?? '0').split('.').map((n) => Number.parseInt(n, 10));
  return a > min[0] || (a === min[0] && b >= min[1]);
}
