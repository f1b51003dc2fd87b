/** ipBytes: the octets X509_check_ip compares, for IP literals only; host names are never IP addresses. */
import { describe, expect, it } from 'vitest';
import { ipBytes } from '../../../src/core/verify/hostname.ts';

const TABLE: Array<[string, string | null]> = [
  ['127.0.0.1', '7f000001'],
  ['10.1.2.3', '0a010203'],
  ['::1', '00000000000000000000000000000001'],
  ['fe80::1:2', 'fe800000000000000000000000010002'],
  ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
  ['2001:db8::', '20010db8000000000000000000000000'],
  ['localhost', null],
  ['pypi.org', null],
  ['1.2.3', null],
  ['1.2.3.4.5', null],
  ['256.1.1.1', null],
  ['::g', null],
  ['host:8443', null],
];

describe('ipBytes', () => {
  it.each(TABLE)('%s', (host, hex) => {
    expect(ipBytes(host)?.toString('hex') ?? null).toBe(hex);
  });
});
