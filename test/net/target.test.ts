import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../src/net/target.ts';

describe('parseTarget', () => {
  it.each([
    ['https://example.com', 'https://example.com:443/', 'example.com', 443],
    ['https://Example.COM:8443/a/b?q=1', 'https://example.com:8443/a/b?q=1', 'example.com', 8443],
    ['https://example.com:443/x', 'https://example.com:443/x', 'example.com', 443],
    ['example.com', 'https://example.com:443/', 'example.com', 443],
    ['example.com:8443', 'https://example.com:8443/', 'example.com', 8443],
    ['example.com/path', 'https://example.com:443/path', 'example.com', 443],
    ['  pypi.org  ', 'https://pypi.org:443/', 'pypi.org', 443],
    ['www.example.com.', 'https://www.example.com:443/', 'www.example.com', 443],
    ['10.1.2.3', 'https://10.1.2.3:443/', '10.1.2.3', 443],
    ['10.1.2.3:8443', 'https://10.1.2.3:8443/', '10.1.2.3', 8443],
    ['[::1]:8443', 'https://[::1]:8443/', '::1', 8443],
    ['[::1]', 'https://[::1]:443/', '::1', 443],
    ['::1', 'https://[::1]:443/', '::1', 443],
    ['fe80::1:2', 'https://[fe80::1:2]:443/', 'fe80::1:2', 443],
    ['https://[2001:db8::1]/x', 'https://[2001:db8::1]:443/x', '2001:db8::1', 443],
    ['HTTPS://user@host.internal:9443', 'https://host.internal:9443/', 'host.internal', 9443],
    ['localhost', 'https://localhost:443/', 'localhost', 443],
  ])('%s', (input, url, host, port) => {
    expect(parseTarget(input)).toEqual({ url, host, port });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['http://example.com', /only https:\/\/ URLs.*not http:\/\//],
    ['ftp://example.com', /not ftp:\/\//],
    ['example.com:abc', /port "abc" is not a number/],
    ['example.com:70000', /port 70000 is out of range/],
    ['example.com:0', /out of range/],
    ['exa mple.com', /spaces/],
    ['https://', /cannot parse|no host/],
    ['https://ex!ample.com', /not a host name|cannot parse/],
    ['[::1', /no closing \]/],
  ])('rejects %j with BAD_URL', (input, message) => {
    let caught: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'CertifixError', code: 'BAD_URL' });
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
