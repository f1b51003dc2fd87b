/**
 * One diagnose row per environment where they differ: a user with five Python environments sees five rows
 * only when their stores or verdicts differ (a conda env with its own certifi, a venv that REQUESTS_CA_BUNDLE
 * does not reach); environments that agree with an earlier row of the same client fold into its `alsoIn`.
 * Rows keep their order, so the first row of a client is still the one its bare command runs.
 */
import type { ClientReport } from './report.ts';

const sameRow = (a: ClientReport, b: ClientReport): boolean =>
  a.id === b.id &&
  a.ok === b.ok &&
  a.code === b.code &&
  a.trustStore.source === b.trustStore.source &&
  a.trustStore.path === b.trustStore.path &&
  a.trustStore.via === b.trustStore.via;

export function collapseEnvironments(rows: readonly ClientReport[]): ClientReport[] {
  const out: ClientReport[] = [];
  for (const row of rows) {
    const kept = out.find((o) => sameRow(o, row));
    if (!kept) {
      out.push({ ...row });
      continue;
    }
    if (row.environment && row.environment !== kept.environment)
      kept.alsoIn = [...(kept.alsoIn ?? []), row.environment];
  }
  return out;
}
