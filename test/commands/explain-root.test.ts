/** Which root the diagnosis found decides explain's advice: the OS store's, one only the network sent, none. */
import { describe, expect, it } from 'vitest';
import { rootSeen } from '../../src/commands/explain.ts';
import type { AnchorInfo, DiagnoseReport, Finding } from '../../src/core/report.ts';

const sha256 = 'cd'.repeat(32);
const report = (anchor: Partial<AnchorInfo> | null, findings: Partial<Finding>[] = []) =>
  ({
    target: { url: 'https://r.corp/', host: 'r.corp', port: 443, proxy: null },
    chain: [],
    anchor: anchor && { subject: 'CN=Corp Root', sha256, inSystemStore: false, inMozilla: false, ...anchor },
    interception: { detected: false, product: null },
    clients: [],
    findings: findings as Finding[],
  }) satisfies DiagnoseReport;

describe('rootSeen', () => {
  it.each([
    ['no diagnosis', null, { where: 'undiagnosed' }],
    ['a root in the OS store', report({ inSystemStore: true }), { where: 'os-store' }],
    ['a root only the network sent', report({}), { where: 'network', sha256 }],
    ['no root, unknown anchor', report(null, [{ id: 'unknown-anchor' }]), { where: 'none' }],
    [
      'a proxy that sent only its leaf',
      report(null, [{ id: 'interception', details: { anchor: null } }]),
      { where: 'none' },
    ],
    ['a public root the OS lacks', report({ inMozilla: true }), { where: 'undiagnosed' }],
  ])('%s', (_, r, seen) => {
    expect(rootSeen(r)).toEqual(seen);
  });
});
