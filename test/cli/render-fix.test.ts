import { expect, it } from 'vitest';
import { styler } from '../../src/cli/io.ts';
import { renderProof } from '../../src/cli/render-fix.ts';
import { memoryIo } from '../helpers/io.ts';

it("shows under a failing client of the proof what it printed, as check does (npm's two lines)", () => {
  const s = styler(memoryIo().io);
  const text = renderProof(
    [
      { id: 'curl', path: '/usr/bin/curl', ok: true, code: 'OK', message: 'ok' },
      {
        id: 'npm',
        path: '/usr/bin/npm',
        ok: false,
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
        message: 'self-signed certificate in certificate chain',
        printed: 'npm error code SELF_SIGNED_CERT_IN_CHAIN\nnpm error request to https://a.test/ failed',
      },
    ],
    'https://a.test/',
    s,
  );
  expect(text.split('\n').slice(2)).toEqual([
    '  ✓ curl  verifies  /usr/bin/curl',
    '  ✗ npm   self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)  /usr/bin/npm',
    '          npm error code SELF_SIGNED_CERT_IN_CHAIN',
    '          npm error request to https://a.test/ failed',
    '',
  ]);
});
