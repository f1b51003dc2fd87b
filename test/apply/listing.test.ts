/** undo's confirmation listing: files, HKCU\Environment values and launchd variables, each with its fate. */
import { describe, expect, it } from 'vitest';
import { type Journal, renderUndoListing, undoListing } from '../../src/apply/index.ts';

const journal: Journal = {
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdDirs: [],
  env: {},
  entries: [],
  registry: [
    { key: 'HKCU\\Environment', name: 'REQUESTS_CA_BUNDLE', before: null, after: 'C:\\b.pem' },
    {
      key: 'HKCU\\Environment',
      name: 'SSL_CERT_FILE',
      before: { type: 'REG_EXPAND_SZ', data: '%USERPROFILE%\\corp.pem' },
      after: 'C:\\b.pem',
    },
  ],
};

describe('undo listing', () => {
  it('names each registry value and what it goes back to', () => {
    const l = undoListing(journal);
    expect(l.registry).toEqual([
      'HKCU\\Environment\\REQUESTS_CA_BUNDLE: removed',
      'HKCU\\Environment\\SSL_CERT_FILE: back to REG_EXPAND_SZ %USERPROFILE%\\corp.pem',
    ]);
    expect(renderUndoListing(l)).toEqual([
      'Windows user environment (HKCU\\Environment):',
      '  HKCU\\Environment\\REQUESTS_CA_BUNDLE: removed',
      '  HKCU\\Environment\\SSL_CERT_FILE: back to REG_EXPAND_SZ %USERPROFILE%\\corp.pem',
    ]);
  });
});
