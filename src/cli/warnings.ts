/**
 * Store warnings in the text output. One that several clients share (a missing SSL_CERT_FILE is read by a
 * dozen of them) is printed whole under the first client that has it and referred to under the others, so
 * the list stays one screen. `--json` keeps every client's warnings whole.
 */
export function warningsOnce(): (client: string, warnings: readonly string[] | undefined) => string[] {
  const first = new Map<string, string>();
  return (client, warnings) =>
    (warnings ?? []).map((w) => {
      const owner = first.get(w);
      if (owner === undefined) first.set(w, client);
      return `warning: ${owner === undefined || owner === client ? w : `the same as for ${owner}, above`}`;
    });
}
