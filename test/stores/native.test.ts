import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { nativeSystemPems } from '../../src/stores/native.ts';

const hasApi = typeof (tls as { getCACertificates?: unknown }).getCACertificates === 'function';

describe('nativeSystemPems', () => {
  it('never answers for a platform this process does not run on', () => {
    const other = process.platform === 'darwin' ? 'win32' : 'darwin';
    expect(nativeSystemPems({ platform: other })).toBeNull();
  });

  it(`reads Node's system store where tls.getCACertificates exists (this Node: ${process.version})`, () => {
    const pems = nativeSystemPems({ platform: process.platform });
    if (!hasApi) return expect(pems).toBeNull();
    expect(Array.isArray(pems)).toBe(true);
    for (const p of pems ?? []) expect(p).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
