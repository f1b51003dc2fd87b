import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCerts } from '../../src/core/cert.ts';
import { Pkcs7Error, pkcs7Certificates, pkcs7FromPem } from '../../src/core/pkcs7.ts';
import { parseIssuerResponse } from '../../src/net/aia.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const openssl = (args: string[]): Buffer =>
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const sha = (i: Issued) => parseCerts(i.pem).certs[0]?.sha256;

let pki: Pki;
let root: Issued;
let int: Issued;
let leaf: Issued;
let chainPath: string;

beforeAll(() => {
  pki = new Pki();
  root = pki.root('root', 'P7 Root', { key: 'rsa2048' });
  int = pki.intermediate('int', 'P7 Issuing CA', root);
  leaf = pki.leaf('leaf', 'p7.test', int);
  chainPath = pki.bundle('chain', [leaf, int, root]);
});

describe('pkcs7Certificates on files made by openssl', () => {
  it('reads every certificate of `openssl crl2pkcs7 -nocrl -certfile` (DER), in order', () => {
    const p7 = openssl(['crl2pkcs7', '-nocrl', '-certfile', chainPath, '-outform', 'DER']);
    const ders = pkcs7Certificates(p7);
    expect(ders).toHaveLength(3);
    const got = ders.map((d) => parseCerts(d).certs[0]?.sha256);
    expect(got).toEqual([sha(leaf), sha(int), sha(root)]);
    // The same bytes as `openssl pkcs7 -print_certs` gives back.
    const printed = openssl(['pkcs7', '-inform', 'DER', '-print_certs', '-in', save('chain.p7c', p7)]);
    expect(parseCerts(printed).certs.map((c) => c.sha256)).toEqual(got);
  });

  it('reads the PEM form (-----BEGIN PKCS7-----), also through the AIA response parser', () => {
    const pem = openssl(['crl2pkcs7', '-nocrl', '-certfile', int.certPath]).toString();
    expect(pem).toContain('-----BEGIN PKCS7-----');
    const der = pkcs7FromPem(pem);
    expect(der && pkcs7Certificates(der).length).toBe(1);
    expect(parseIssuerResponse(Buffer.from(pem)).map((c) => c.sha256)).toEqual([sha(int)]);
  });

  it('gives [] for a degenerate SignedData without certificates (crl2pkcs7 -nocrl alone)', () => {
    const empty = openssl(['crl2pkcs7', '-nocrl', '-outform', 'DER']);
    expect(pkcs7Certificates(empty)).toEqual([]);
    expect(parseIssuerResponse(empty)).toEqual([]);
  });

  it('reads BER with indefinite lengths: a streamed signed message from `openssl cms -sign -stream`', () => {
    const data = save('data.txt', Buffer.from('hello\n'));
    const signed = openssl([
      'cms',
      '-sign',
      '-in',
      data,
      '-signer',
      leaf.certPath,
      '-inkey',
      leaf.keyPath,
      '-certfile',
      int.certPath,
      '-outform',
      'DER',
      '-stream',
      '-nodetach',
    ]);
    expect(signed.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x80])); // really indefinite
    const got = pkcs7Certificates(signed).map((d) => parseCerts(d).certs[0]?.sha256);
    expect(new Set(got)).toEqual(new Set([sha(leaf), sha(int)]));
  });
});

describe('pkcs7Certificates on malformed input: throws a Pkcs7Error, never hangs or crashes', () => {
  let good: Buffer;
  beforeAll(() => {
    good = openssl(['crl2pkcs7', '-nocrl', '-certfile', chainPath, '-outform', 'DER']);
  });

  it('rejects every truncation of a real file', () => {
    for (let n = 0; n < good.length; n += 7) {
      expect(() => pkcs7Certificates(good.subarray(0, n)), `length ${n}`).toThrow(Pkcs7Error);
    }
  });

  it('survives single-byte corruptions: a Pkcs7Error, or candidates that the AIA parser then checks', () => {
    for (let i = 0; i < 240; i++) {
      const bad = Buffer.from(good);
      bad[i] = (bad[i] as number) ^ 0xa5;
      try {
        const found = pkcs7Certificates(bad);
        expect(found.length).toBeLessThanOrEqual(64);
        for (const d of found) expect(bad.includes(d)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(Pkcs7Error);
      }
      // Whatever came out, the response parser returns certificates or one Error, never crashes.
      try {
        expect(Array.isArray(parseIssuerResponse(bad))).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
  });

  it.each([
    ['empty', ''],
    ['not a SEQUENCE', '0400'],
    ['a certificate-shaped SEQUENCE', '3003020101'],
    ['another content type (id-data)', '300f06092a864886f70d010701a0020400'],
    ['SignedData without content', '300b06092a864886f70d010702'],
    ['length past the end', '3084ffffffff'],
    ['indefinite length on a primitive', '0480'],
    ['indefinite without end-of-contents', '308006092a864886f70d010702a080'],
    ['indefinite nesting beyond the bound', `${'3080'.repeat(40)}${'0000'.repeat(40)}`],
  ])('%s', (_name, hex) => {
    expect(() => pkcs7Certificates(Buffer.from(hex, 'hex'))).toThrow(Pkcs7Error);
  });

  it('bounds the number of certificates', () => {
    const cert = parseCerts(int.pem).certs[0]?.der as Buffer;
    const many = Buffer.concat(Array.from({ length: 65 }, () => cert));
    const tlv = (tag: number, body: Buffer) => {
      const len = body.length;
      const hdr = len < 128 ? [tag, len] : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
      return Buffer.concat([Buffer.from(hdr), body]);
    };
    const signed = tlv(
      0x30,
      Buffer.concat([
        Buffer.from('020101310030', 'hex'),
        Buffer.from('0b06092a864886f70d010701', 'hex'),
        tlv(0xa0, many),
        Buffer.from('3100', 'hex'),
      ]),
    );
    const info = tlv(0x30, Buffer.concat([Buffer.from('06092a864886f70d010702', 'hex'), tlv(0xa0, signed)]));
    expect(() => pkcs7Certificates(info)).toThrow(/more than 64/);
  });

  it('the AIA response parser turns a malformed PKCS#7 into one readable error', () => {
    expect(() => parseIssuerResponse(good.subarray(0, 100))).toThrow(
      /neither a DER or PEM certificate nor PKCS#7/,
    );
  });
});

function save(name: string, data: Buffer): string {
  const p = join(pki.dir, name);
  writeFileSync(p, data);
  return p;
}
