/**
 * Store warnings in the text output. One that several clients share (a missing SSL_CERT_FILE is read by a
 * dozen of them) is printed whole under the first client that has it and referred to under the others, in one
 * line per earlier client, so the list stays one screen. `--json` keeps every client's warnings whole.
 */
export function warningsOnce(): (client: string, warnings: readonly string[] | undefined) => string[] {
  const first = new Map<string, string>();
  return (client, warnings) => {
    const lines: string[] = [];
    const seen = new Map<string, number>(); // earlier client -> how many of its warnings this one repeats
    for (const w of warnings ?? []) {
      const owner = first.get(w);
      if (owner === undefined) first.set(w, client);
      if (owner === undefined || owner === client) lines.push(`warning: ${w}`);
      else seen.set(owner, (seen.get(owner) ?? 0) + 1);
    }
    for (const [owner, n] of seen)
      lines.push(
        n === 1
          ? `warning: the same as for ${owner}, above`
          : `warnings: the same ${n} as for ${owner}, above`,
      );
    return lines;
  };
}
