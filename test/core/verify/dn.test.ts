import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Cert, parseCerts, rawNames, toPem } from '../../../src/core/cert.ts';
import { parse } from '../../../src/core/verify/der.ts';
import { nameHash, nameKey, parseName } from '../../../src/core/verify/dn.ts';
import { lacks, missing } from '../../helpers/has.ts';
import { CORPUS as LIMBO } from './limbo.ts';

const run = promisify(execFile);

/** Distinct certificates with varied names: the limbo corpus when present, else the distro bundle. */
function corpus(): Cert[] {
  const pems: string[] = [];
  if (existsSync(LIMBO)) {
    const limbo = JSON.parse(readFileSync(LIMBO, 'utf8')) as { testcases: Record<string, unknown>[] };
    for (const c of limbo.testcases)
      pems.push(...(c.trusted_certs as string[]), ...(c.untrusted_intermediates as string[]));
  }
  for (const f of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'])
    if (existsSync(f)) pems.push(readFileSync(f, 'latin1'));
  const seen = new Map<string, Cert>();
  for (const pem of pems) for (const c of parseCerts(pem).certs) seen.set(c.sha256, c);
  return [...seen.values()];
}

const certs = corpus();

describe('name keys', () => {
  it('are equal exactly when the canonical encodings are', () => {
    const names = certs.flatMap((c) => [rawNames(c).subject, rawNames(c).issuer]);
    const byKey = new Map<string, string>();
    const byCanon = new Map<string, string>();
    for (const der of names) {
      const key = nameKey(der);
      const canon = parseName(parse(der)).canon.toString('hex');
      expect(parseName(parse(der)).key).toBe(key);
      if (byKey.has(key)) expect(byKey.get(key)).toBe(canon);
      if (byCanon.has(canon)) expect(byCanon.get(canon)).toBe(key);
      byKey.set(key, canon);
      byCanon.set(canon, key);
    }
    expect(names.length).toBeGreaterThan(100);
  });

  const name = (...atvs: [number, string][]) => {
    const tlv = (tag: number, v: Buffer) => Buffer.concat([Buffer.from([tag, v.length]), v]);
    const cn = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);
    const rdns = atvs.map(([tag, s]) =>
      tlv(0x31, tlv(0x30, Buffer.concat([cn, tlv(tag, Buffer.from(s, 'latin1'))]))),
    );
    return tlv(0x30, Buffer.concat(rdns));
  };
  it.each([
    ['case', name([0x13, 'Example CA']), name([0x0c, 'example ca']), true],
    ['whitespace runs and ends', name([0x0c, '  Example \t CA ']), name([0x13, 'example ca']), true],
    ['BMPString', name([0x1e, '\0E\0x']), name([0x0c, 'ex']), true],
    ['different text', name([0x0c, 'Example CA']), name([0x0c, 'Example CB']), false],
    ['RDN order matters', name([0x0c, 'a'], [0x0c, 'b']), name([0x0c, 'b'], [0x0c, 'a']), false],
  ])('%s', (_, a, b, equal) => {
    expect(nameKey(a) === nameKey(b)).toBe(equal);
    expect(parseName(parse(a)).canon.equals(parseName(parse(b)).canon)).toBe(equal);
  });
});

describe('X509_NAME_hash', () => {
  it.skipIf(lacks('openssl'))(
    `matches the hash \`openssl rehash\` names every certificate of the corpus by ${missing('openssl')}`,
    async () => {
      // One `openssl rehash` over a directory of the certificates instead of one `openssl x509 -hash` each:
      // it links <hash>.<n> to every file, with the same X509_NAME_hash.
      const sample = certs.slice(0, 400);
      const dir = mkdtempSync(join(tmpdir(), 'certifix-rehash-'));
      sample.forEach((c, i) => {
        writeFileSync(join(dir, `c${i}.pem`), toPem(c));
      });
      await run('openssl', ['rehash', dir]);
      const want: string[] = Array(sample.length).fill('');
      for (const link of readdirSync(dir).filter((n) => /^[0-9a-f]{8}\.\d+$/.test(n)))
        want[Number(/^c(\d+)\.pem$/.exec(readlinkSync(join(dir, link)))?.[1])] = link.slice(0, 8);
      const got = sample.map((c) => nameHash(parseName(parse(rawNames(c).subject))));
      expect(got).toEqual(want);
    },
    60_000,
  );

  it.skipIf(lacks('/etc/ssl/certs'))(`names the distro's hash links ${missing('/etc/ssl/certs')}`, () => {
    const dir = '/etc/ssl/certs';
    const links = readdirSync(dir).filter((n) => /^[0-9a-f]{8}\.0$/.test(n));
    for (const link of links) {
      const [c] = parseCerts(readFileSync(join(dir, link))).certs;
      if (c) expect(`${nameHash(parseName(parse(rawNames(c).subject)))}.0`).toBe(link);
    }
  });
});
