/** Every command's --help teaches by example. */
import { describe, expect, it } from 'vitest';
import { CHECK_HELP } from '../../src/cli/check.ts';
import { DIAGNOSE_HELP } from '../../src/cli/diagnose.ts';
import { EXPLAIN_HELP } from '../../src/cli/explain.ts';
import { EXPORT_HELP } from '../../src/cli/export.ts';
import { FIX_HELP } from '../../src/cli/fix.ts';
import { PROBE_HELP } from '../../src/cli/probe.ts';
import { REFRESH_HELP } from '../../src/cli/refresh.ts';
import { STATUS_HELP } from '../../src/cli/status.ts';
import { UNDO_HELP } from '../../src/cli/undo.ts';
import { VERIFY_HELP } from '../../src/cli/verify.ts';

const HELP = {
  CHECK_HELP,
  DIAGNOSE_HELP,
  EXPLAIN_HELP,
  EXPORT_HELP,
  FIX_HELP,
  PROBE_HELP,
  REFRESH_HELP,
  STATUS_HELP,
  UNDO_HELP,
  VERIFY_HELP,
};

describe('--help', () => {
  it.each(Object.entries(HELP))('%s has examples', (_, text) => {
    expect(text).toMatch(/Examples:\n {2}.*certifix /);
  });
});
