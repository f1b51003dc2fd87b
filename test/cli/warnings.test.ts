import { expect, it } from 'vitest';
import { warningsOnce } from '../../src/cli/warnings.ts';

it('prints a shared warning whole under its first client and refers to it under the others', () => {
  const lines = warningsOnce();
  expect(lines('python-ssl', ['SSL_CERT_FILE is missing'])).toEqual(['warning: SSL_CERT_FILE is missing']);
  expect(lines('curl', ['SSL_CERT_FILE is missing: curl exits with 77'])).toEqual([
    'warning: SSL_CERT_FILE is missing: curl exits with 77',
  ]);
  expect(lines('ruby', ['SSL_CERT_FILE is missing', 'other'])).toEqual([
    'warning: other',
    'warning: the same as for python-ssl, above',
  ]);
  // a client with rows in several environments keeps its own text in each
  expect(lines('python-ssl', ['SSL_CERT_FILE is missing'])).toEqual(['warning: SSL_CERT_FILE is missing']);
  expect(lines('go', undefined)).toEqual([]);
  // several repeated from one client: one line for them
  expect(lines('aiohttp', ['a', 'b', 'c'])).toEqual(['warning: a', 'warning: b', 'warning: c']);
  expect(lines('pip', ['a', 'SSL_CERT_FILE is missing', 'b', 'c', 'new'])).toEqual([
    'warning: new',
    'warnings: the same 3 as for aiohttp, above',
    'warning: the same as for python-ssl, above',
  ]);
});
