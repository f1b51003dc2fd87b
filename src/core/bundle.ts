import { type Cert, toPem, uniqueCerts } from './cert.ts';

export interface BundleParts {
  /** Mozilla's roots: the public web keeps working with the bundle. */
  mozilla: readonly Cert[];
  /** The roots the user chose (company roots, --ca extras). */
  extra: readonly Cert[];
}

/**
 * The merged bundle as a PEM file: every Mozilla root, then the chosen roots, de-duplicated by DER, each
 * preceded by a comment naming it. The text is deterministic, so re-running `fix` produces identical bytes
 * (and the executor sees nothing to change).
 */
export function renderBundle(parts: BundleParts): string {
  const mozilla = uniqueCerts(parts.mozilla);
  // A chosen root that Mozilla already ships is not "added": the counts must add up to the total.
  const inMozilla = new Set(mozilla.map((c) => c.sha256));
  const extra = new Set(parts.extra.map((c) => c.sha256).filter((s) => !inMozilla.has(s)));
  const all = uniqueCerts([...mozilla, ...parts.extra]);
  const header = [
    '# certifix merged CA bundle: Mozilla roots + roots you chose. Managed by certifix; `certifix refresh` rebuilds it.',
    `# ${all.length} certificates (${mozilla.length} Mozilla, ${extra.size} added).`,
    '',
  ];
  const body = all.map(
    (c) => `# ${extra.has(c.sha256) ? 'added: ' : ''}${c.subject}\n# sha256 ${c.sha256}\n${toPem(c)}`,
  );
  return `${header.join('\n')}${body.join('\n')}`;
}
