import type { Analysis } from '../analyze.ts';
import type { Rule } from './index.ts';

/** Served-chain hygiene and certificate problems that no trust setting can fix. Filled in by later rules. */
const expired: Rule = (a) => {
  const now = a.at ?? new Date();
  return a.chain.flatMap((c, depth) =>
    c.notAfter < now
      ? [
          {
            id: 'expired',
            severity: 'error' as const,
            message: `The certificate at depth ${depth} ("${c.subject}") expired on ${c.notAfter.toISOString().slice(0, 10)}.`,
            fix: 'The server owner must renew it; trusting anything on this machine cannot fix an expired certificate.',
          },
        ]
      : [],
  );
};

export const chainRules: readonly Rule[] = [expired];
