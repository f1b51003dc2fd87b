/** Rows per environment: folded where store and verdict agree, kept apart where they differ, order kept. */
import { describe, expect, it } from 'vitest';
import { collapseEnvironments } from '../../src/core/environments.ts';
import type { ClientReport } from '../../src/core/report.ts';

const row = (id: string, env: string, path: string, ok = false): ClientReport => ({
  id,
  ok,
  code: ok ? 'OK' : 'SELF_SIGNED_CERT_IN_CHAIN',
  message: ok ? 'ok' : 'self-signed certificate in certificate chain',
  environment: env,
  trustStore: { source: 'certifi', path },
});

describe('collapseEnvironments', () => {
  it('folds environments that agree into the first row and keeps those that differ', () => {
    const rows = [
      row('python-requests', '/usr (Python 3.11)', '/usr/lib/python3/dist-packages/certifi/cacert.pem'),
      row('curl', '', '/etc/ssl/certs/ca-certificates.crt', true),
      row('python-requests', '~/.pyenv/versions/3.12.1 (pyenv, Python 3.12.1)', '/p/certifi/cacert.pem'),
      row('python-requests', '~/work/.venv (venv, Python 3.12.1)', '/p/certifi/cacert.pem'),
      row('python-requests', '~/miniconda3 (conda, Python 3.11)', '/m/certifi/cacert.pem', true),
    ];
    const out = collapseEnvironments(rows);
    expect(out.map((r) => [r.id, r.environment, r.alsoIn])).toEqual([
      ['python-requests', '/usr (Python 3.11)', undefined],
      ['curl', '', undefined],
      [
        'python-requests',
        '~/.pyenv/versions/3.12.1 (pyenv, Python 3.12.1)',
        ['~/work/.venv (venv, Python 3.12.1)'],
      ],
      ['python-requests', '~/miniconda3 (conda, Python 3.11)', undefined],
    ]);
    expect(rows[2]?.alsoIn).toBeUndefined(); // the input is not changed
  });
});
