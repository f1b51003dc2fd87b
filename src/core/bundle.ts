import { type Cert, toPem, uniqueCerts } from './cert.ts';

/** A named set of roots added to the Mozilla ones ("chosen", "OS store", ...), for the header's counts. */
interface BundleGroup {
  name: string;
  certs: readonly Cert[];
}

export interface BundleParts {
  /** Mozilla's roots: the public web keeps working with the bundle. */
  mozilla: readonly Cert[];
  /** Roots added to them, counted as one group named "added". */
  extra?: readonly Cert[];
  /** Roots added to them, by where they come from; a root counts in the first group that holds it. */
  groups?: readonly BundleGroup[];
}

export interface BundleCounts {
  total: number;
  mozilla: number;
  /** Per group, the roots it adds that neither Mozilla nor an earlier group holds. */
  groups: Array<{ name: string; count: number }>;
}

function layout(parts: BundleParts) {
  const mozilla = uniqueCerts(parts.mozilla);
  const groups = [...(parts.groups ?? []), ...(parts.extra ? [{ name: 'added', certs: parts.extra }] : [])];
  // A root Mozilla (or an earlier group) already holds is not "added" again: the counts add up to the total.
  const seen = new Set(mozilla.map((c) => c.sha256));
  const added = groups.map((g) => ({
    name: g.name,
    certs: uniqueCerts(g.certs).filter((c) => !seen.has(c.sha256) && seen.add(c.sha256)),
  }));
  return { mozilla, added };
}

export function bundleCounts(parts: BundleParts): BundleCounts {
  const { mozilla, added } = layout(parts);
  return {
    total: mozilla.length + added.reduce((n, g) => n + g.certs.length, 0),
    mozilla: mozilla.length,
    groups: added.map((g) => ({ name: g.name, count: g.certs.length })),
  };
}

/**
 * The merged bundle as a PEM file: every Mozilla root, then the added roots group by group, de-duplicated by
 * DER, each preceded by a comment naming it. The text is deterministic, so re-running `fix` produces identical
 * bytes (and the executor sees nothing to change).
 */
export function renderBundle(parts: BundleParts): string {
  const { mozilla, added } = layout(parts);
  const counts = bundleCounts(parts);
  const header = [
    '# certifix merged CA bundle: Mozilla roots + roots you chose. Managed by certifix; `certifix refresh` rebuilds it.',
    `# ${counts.total} certificates (${[`${counts.mozilla} Mozilla`, ...counts.groups.map((g) => `${g.count} ${g.name}`)].join(', ')}).`,
    '',
  ];
  const entry = (c: Cert, prefix: string) => `# ${prefix}${c.subject}\n# sha256 ${c.sha256}\n${toPem(c)}`;
  const body = [
    ...mozilla.map((c) => entry(c, '')),
    ...added.flatMap((g) => g.certs.map((c) => entry(c, 'added: '))),
  ];
  return `${header.join('\n')}${body.join('\n')}`;
}
