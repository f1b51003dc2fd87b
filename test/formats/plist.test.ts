import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../../src/formats/plist.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, '..', 'stores', 'fixtures', n), 'utf8');

describe('XML property lists', () => {
  it('reads a trust record as `security trust-settings-export` writes it (recorded, 2015)', () => {
    const root = parsePlist(fx('security-trust-settings-export-certmanage-2015.plist')) as Record<
      string,
      unknown
    >;
    expect(root.trustVersion).toBe(1);
    const list = root.trustList as Record<string, Record<string, unknown>>;
    expect(Object.keys(list)).toHaveLength(221);
    const diginotar = list.FFAD0E26F05BBCD8063CCE1DFA60245E143D5380 ?? {};
    expect(diginotar.modDate).toEqual(new Date('2015-12-05T01:31:48Z'));
    expect((diginotar.serialNumber as Buffer).toString('base64')).toBe('W9VgnGQXaM8hDjX9+wWtQQ==');
    expect(diginotar.trustSettings).toEqual([{ kSecTrustSettingsResult: 4 }]);
  });

  it.each([
    [
      'scalars',
      '<plist version="1.0"><array><true/><false/><real>1.5</real><string>a&amp;b&#x41;</string><string/></array></plist>',
      [true, false, 1.5, 'a&bA', ''],
    ],
    [
      'empty containers',
      '<plist version="1.0"><dict><key>a</key><array/><key>b</key><dict/></dict></plist>',
      { a: [], b: {} },
    ],
    [
      'data with line breaks',
      '<plist version="1.0"><data>\n\tKoZI\n\thvdjZAED\n</data></plist>',
      Buffer.from('2a864886f763640103', 'hex'),
    ],
  ])('%s', (_name, xml, want) => {
    expect(parsePlist(xml)).toEqual(want);
  });

  it.each([
    ['a binary plist', 'bplist00\u00d4\u0001'],
    ['a value without <key> in a dict', '<plist version="1.0"><dict><string>x</string></dict></plist>'],
    ['markup inside a string', '<plist version="1.0"><string>a<b/></string></plist>'],
    ['a truncated document', '<plist version="1.0"><dict><key>a</key>'],
    [
      'nesting past the limit',
      `<plist version="1.0">${'<array>'.repeat(40)}${'</array>'.repeat(40)}</plist>`,
    ],
  ])('refuses %s', (_name, xml) => {
    expect(() => parsePlist(xml)).toThrow();
  });
});
