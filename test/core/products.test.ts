import { describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { PRODUCTS, recognizeProduct } from '../../src/core/products.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
let n = 0;
/** A real root with this subject (openssl -subj syntax; `\/` for a slash inside a value). */
function root(subjectPrefix: string, cn: string): Cert {
  return parseCerts(pki.root(`r${n++}`, cn, { subjectPrefix }).pem).certs[0] as Cert;
}

/** Each product's default root (or issuing CA) subject, as its documentation shows it. */
const TYPICAL: Array<[product: string, prefix: string, cn: string]> = [
  ['Zscaler', '/C=US/ST=California/L=San Jose/O=Zscaler Inc./OU=Zscaler Inc.', 'Zscaler Root CA'],
  ['Netskope', '/O=Netskope Inc', 'caadmin.netskope.com'],
  ['Netskope', '/O=Acme', 'ca.acme.goskope.com'],
  ['Fortinet FortiGate', '/O=Fortinet/OU=Certificate Authority', 'FortiGate CA'],
  ['Fortinet FortiGate', '/O=Fortinet Ltd.', 'Fortinet_CA_SSL'],
  ['Palo Alto Networks', '/O=Palo Alto Networks/OU=Decryption', 'Forward Trust CA'],
  ['Cisco Umbrella', '/O=Cisco', 'Cisco Umbrella Root CA'],
  ['Cisco Umbrella', '/O=OpenDNS, Inc.', 'OpenDNS Root CA'],
  ['Sophos', '/O=Sophos', 'Sophos SSL CA_C4A2B1'],
  ['Kaspersky', '/O=AO Kaspersky Lab', 'Kaspersky Anti-Virus Personal Root Certificate'],
  ['Avast/AVG', '/O=Avast', 'Avast Web\\/Mail Shield Root'],
  ['Avast/AVG', '/O=AVG Technologies', 'AVG Web\\/Mail Shield Root'],
  ['ESET', '/O=ESET, spol. s r. o.', 'ESET SSL Filter CA'],
  ['Bitdefender', '/O=Bitdefender', 'Bitdefender Personal CA.Net-Defender'],
  ['mitmproxy', '/O=mitmproxy', 'mitmproxy'],
  ['Charles', '/O=XK72 Ltd/OU=https:\\/\\/charlesproxy.com\\/ssl', 'Charles Proxy CA (1 Jan 2024, laptop)'],
  ['Fiddler', '/O=DO_NOT_TRUST/OU=Created by http:\\/\\/www.fiddler2.com', 'DO_NOT_TRUST_FiddlerRoot'],
  ['Burp Suite', '/ST=PortSwigger/L=PortSwigger/O=PortSwigger/OU=PortSwigger CA', 'PortSwigger CA'],
  ['Surge', '', 'Surge Generated CA 2F3A1B9C'],
  ['Proxyman', '/O=Proxyman Inc/OU=Proxyman', 'Proxyman CA (1 Jan 2024, laptop)'],
  ['HTTP Toolkit', '/O=HTTP Toolkit CA', 'HTTP Toolkit CA'],
  ['Forcepoint', '/O=Forcepoint LLC', 'Forcepoint Content Gateway CA'],
  ['Forcepoint', '/O=Websense Inc', 'Websense Content Gateway CA'],
  ['Blue Coat ProxySG', '/O=Blue Coat Systems', 'Blue Coat ProxySG CA'],
  ['Check Point', '/O=Check Point Software Technologies', 'Check Point HTTPS Inspection CA'],
  ['McAfee/Skyhigh Web Gateway', '/O=McAfee', 'McAfee Web Gateway'],
  ['McAfee/Skyhigh Web Gateway', '/O=Skyhigh Security', 'Skyhigh Secure Web Gateway CA'],
  ['Menlo Security', '/O=Menlo Security', 'Menlo Security Intermediate CA'],
  ['iboss', '/O=iboss', 'iboss Root CA'],
];

/** Company and public CA names that must not be taken for an inspection product. */
const NEUTRAL: Array<[prefix: string, cn: string]> = [
  ['/O=Acme Corp', 'Acme Corp Root CA'],
  ['/DC=com/DC=contoso', 'Contoso Issuing CA 01'],
  ['/O=Asset Bank', 'Asset Bank Root CA'], // "eset" inside a word
  ['/O=Reset Software', 'Reset Internal CA'],
  ['/O=Savvy Group', 'Savvy Group Root'], // "avg"-like letters
  ['/O=Palo Alto Medical Foundation', 'PAMF Root CA'], // a city name, not the vendor
  ['/O=Menlo College', 'Menlo College Root CA'],
  ['/O=Umbrella Insurance Group', 'Umbrella Insurance Issuing CA'],
  ['/O=Internet Security Research Group', 'ISRG Root X1'],
  ['/O=DigiCert Inc/OU=www.digicert.com', 'DigiCert Global Root G2'],
];

describe('recognizeProduct', () => {
  it.each(TYPICAL)('%s: %s/CN=%s', (product, prefix, cn) => {
    expect(recognizeProduct([root(prefix, cn)])?.name).toBe(product);
  });

  it('has a typical subject for every product in the table', () => {
    const covered = new Set(TYPICAL.map(([p]) => p));
    expect(PRODUCTS.map((p) => p.name).filter((p) => !covered.has(p))).toEqual([]);
  });

  it('matches every pattern case-insensitively and nothing else (they are joined into one)', () => {
    expect(PRODUCTS.filter((p) => p.pattern.flags !== 'i').map((p) => p.name)).toEqual([]);
  });

  it.each(NEUTRAL)('a neutral name is not a product: %s/CN=%s', (prefix, cn) => {
    expect(recognizeProduct([root(prefix, cn)])).toBeNull();
  });

  it('finds the product from the issuer of a leaf when the root is unknown', () => {
    const z = pki.root('z', 'Zscaler Root CA', { subjectPrefix: '/O=Zscaler Inc.' });
    const int = pki.intermediate('zi', 'Zscaler Intermediate Root CA (zscaler.net)', z, {
      subjectPrefix: '/O=Zscaler Inc.',
    });
    const leaf = pki.leaf('zl', 'pypi.org', int);
    const leafCert = parseCerts(leaf.pem).certs[0] as Cert;
    expect(recognizeProduct([null, leafCert])?.name).toBe('Zscaler');
    expect(recognizeProduct([undefined])).toBeNull();
    expect(recognizeProduct([])).toBeNull();
  });

  it('checks the anchor first', () => {
    const a = root('/O=mitmproxy', 'mitmproxy');
    const b = root('/O=Zscaler Inc.', 'Zscaler Root CA');
    expect(recognizeProduct([a, b])?.name).toBe('mitmproxy');
    expect(recognizeProduct([b, a])?.name).toBe('Zscaler');
  });
});
