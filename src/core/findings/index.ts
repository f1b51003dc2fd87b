import type { Analysis } from '../analyze.ts';
import type { Finding } from '../report.ts';
import { chainRules } from './chain.ts';
import { trustRules } from './trust.ts';

/** A rule looks at the analysis and returns the findings it is sure of (none when it does not apply). */
export type Rule = (a: Analysis) => Finding[];

const RULES: readonly Rule[] = [...trustRules, ...chainRules];

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function collectFindings(a: Analysis): Finding[] {
  return RULES.flatMap((rule) => rule(a)).sort((x, y) => ORDER[x.severity] - ORDER[y.severity]);
}
