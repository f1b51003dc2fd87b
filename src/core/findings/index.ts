import type { Analysis, Rule } from '../analysis.ts';
import type { Finding } from '../report.ts';
import { chainRules } from './chain.ts';
import { trustRules } from './trust.ts';

const RULES: readonly Rule[] = [...trustRules, ...chainRules];

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function collectFindings(a: Analysis): Finding[] {
  return RULES.flatMap((rule) => rule(a)).sort((x, y) => ORDER[x.severity] - ORDER[y.severity]);
}
