import type { Cert } from './cert.ts';

/**
 * TLS-inspecting products recognisable by their root's subject. Data, not code: each row names the
 * pattern matched against the root (or issuing CA) subject and where the default name is documented.
 * A corporate deployment may rename its CA; then we say "unknown product" rather than guess. Patterns name the
 * vendor, never a bare place or word ("Palo Alto", "Menlo", "Umbrella" are also towns and companies): a match
 * marks the chain as intercepted even on an internal name.
 */
interface Product {
  name: string;
  /** Matched case-insensitively against the full subject DN (`CN=…, O=…`). */
  pattern: RegExp;
  evidence: string;
  /** Where the user finds the product's root as a file, when the product documents one place for everyone. */
  root?: string;
}

export const PRODUCTS: readonly Product[] = [
  // CN=Zscaler Root CA, OU=Zscaler Inc., O=Zscaler Inc. — https://help.zscaler.com/zia/adding-custom-certificate-application-specific-trust-store
  { name: 'Zscaler', pattern: /\bzscaler\b/i, evidence: 'Zscaler Root CA (O=Zscaler Inc.)' },
  // CN=caadmin.netskope.com, O=Netskope Inc / ca.<tenant>.goskope.com — https://docs.netskope.com/en/netskope-help/data-security/real-time-protection/ssl-decryption/
  { name: 'Netskope', pattern: /netskope|goskope/i, evidence: 'caadmin.netskope.com / *.goskope.com CA' },
  // CN=FortiGate CA / Fortinet_CA_SSL, O=Fortinet — https://docs.fortinet.com/document/fortigate/7.4.0/administration-guide/122078/ssl-ssh-inspection
  {
    name: 'Fortinet FortiGate',
    pattern: /fortinet|fortigate/i,
    evidence: 'Fortinet_CA_SSL / FortiGate CA (O=Fortinet)',
  },
  // O=Palo Alto Networks (forward-trust certificate) — https://docs.paloaltonetworks.com/pan-os/11-0/pan-os-admin/decryption
  {
    name: 'Palo Alto Networks',
    pattern: /palo ?alto ?networks/i,
    evidence: 'O=Palo Alto Networks forward-trust CA',
  },
  // CN=Cisco Umbrella Root CA, O=Cisco — https://docs.umbrella.com/deployment-umbrella/docs/install-cisco-umbrella-root-certificate
  { name: 'Cisco Umbrella', pattern: /cisco umbrella|opendns/i, evidence: 'Cisco Umbrella Root CA' },
  // CN=Sophos SSL CA_…, O=Sophos — https://docs.sophos.com/nsg/sophos-firewall/latest/Help/en-us/webhelp/onlinehelp/AdministratorHelp/Certificates/
  { name: 'Sophos', pattern: /sophos/i, evidence: 'Sophos SSL CA (O=Sophos)' },
  // CN=Kaspersky Anti-Virus Personal Root Certificate, O=AO Kaspersky Lab — https://support.kaspersky.com/common/compatibility/14231
  { name: 'Kaspersky', pattern: /kaspersky/i, evidence: 'Kaspersky Anti-Virus Personal Root Certificate' },
  // CN=Avast Web/Mail Shield Root / AVG Web/Mail Shield Root — https://support.avast.com/en-us/article/Use-Antivirus-HTTPS-scanning
  {
    name: 'Avast/AVG',
    pattern: /(avast|avg)\b.*shield|avast|\bavg technologies/i,
    evidence: 'Avast/AVG Web/Mail Shield Root',
  },
  // CN=ESET SSL Filter CA, O=ESET spol. s r. o. — https://help.eset.com/ees/latest/en-US/idh_config_epfw_ssl.html
  { name: 'ESET', pattern: /\beset\b/i, evidence: 'ESET SSL Filter CA' },
  // CN=Bitdefender Personal CA.Net-Defender — https://www.bitdefender.com/business/support/en/77212-78576-encrypted-web-scan.html
  { name: 'Bitdefender', pattern: /bitdefender/i, evidence: 'Bitdefender Personal CA' },
  // CN=mitmproxy, O=mitmproxy — https://docs.mitmproxy.org/stable/concepts-certificates/
  {
    name: 'mitmproxy',
    pattern: /\bmitmproxy\b/i,
    evidence: 'CN=mitmproxy, O=mitmproxy',
    root: '~/.mitmproxy/mitmproxy-ca-cert.pem of the user running it',
  },
  // CN=Charles Proxy CA (…), O=XK72 Ltd — https://www.charlesproxy.com/documentation/using-charles/ssl-certificates/
  { name: 'Charles', pattern: /charles proxy|xk72/i, evidence: 'Charles Proxy CA (O=XK72 Ltd)' },
  // CN=DO_NOT_TRUST_FiddlerRoot — https://docs.telerik.com/fiddler/configure-fiddler/tasks/trustfiddlerrootcert
  { name: 'Fiddler', pattern: /fiddler/i, evidence: 'DO_NOT_TRUST_FiddlerRoot' },
  // CN=PortSwigger CA, O=PortSwigger — https://portswigger.net/burp/documentation/desktop/external-browser-config/certificate
  { name: 'Burp Suite', pattern: /portswigger|\bburp\b/i, evidence: 'PortSwigger CA' },
  // CN=Surge Generated CA … — https://manual.nssurge.com/http-processing/mitm.html
  { name: 'Surge', pattern: /\bsurge\b/i, evidence: 'Surge Generated CA' },
  // CN=Proxyman CA — https://docs.proxyman.io/basic-features/ssl-proxying
  { name: 'Proxyman', pattern: /proxyman/i, evidence: 'Proxyman CA' },
  // CN=HTTP Toolkit CA — https://httptoolkit.com/docs/guides/
  { name: 'HTTP Toolkit', pattern: /http toolkit/i, evidence: 'HTTP Toolkit CA' },
  // Forcepoint / Websense content gateway — https://help.forcepoint.com/
  { name: 'Forcepoint', pattern: /forcepoint|websense/i, evidence: 'Forcepoint/Websense root' },
  // Symantec / Broadcom ProxySG (Blue Coat) — https://techdocs.broadcom.com/
  { name: 'Blue Coat ProxySG', pattern: /blue ?coat|proxysg/i, evidence: 'Blue Coat / ProxySG root' },
  // Check Point HTTPS Inspection — https://sc1.checkpoint.com/documents/
  { name: 'Check Point', pattern: /check ?point/i, evidence: 'Check Point HTTPS inspection CA' },
  // McAfee / Skyhigh Web Gateway — https://docs.trellix.com/
  { name: 'McAfee/Skyhigh Web Gateway', pattern: /mcafee|skyhigh/i, evidence: 'McAfee Web Gateway root' },
  // Menlo Security isolation — https://www.menlosecurity.com/
  { name: 'Menlo Security', pattern: /menlo security/i, evidence: 'Menlo Security root' },
  // iboss cloud — https://www.iboss.com/
  { name: 'iboss', pattern: /\biboss\b/i, evidence: 'iboss root' },
];

/**
 * Every pattern in one: V8 compiles a regular expression on its first use and again to machine code on its
 * second, so two dozen patterns tried on six names cost about a millisecond at every diagnosis. Nearly every
 * name matches none; the product is looked for only in a name that matches this.
 */
let anyProduct: RegExp | undefined;

/** The product whose CA appears in `certs` (checked anchor first, then the chain's issuers). */
export function recognizeProduct(certs: readonly (Cert | null | undefined)[]): Product | null {
  return recognizeProductIn(certs.flatMap((c) => (c ? [c.subject, c.issuer] : [])));
}

/**
 * The product named by the first of `names` (subject DNs) that names one; with `wholeWords`, only where the
 * name stands as whole words (Philosophos is not Sophos, Avastin not Avast).
 */
export function recognizeProductIn(
  names: readonly string[],
  opts: { wholeWords?: boolean } = {},
): Product | null {
  anyProduct ??= new RegExp(PRODUCTS.map((p) => `(?:${p.pattern.source})`).join('|'), 'i');
  for (const text of names) {
    if (!anyProduct.test(text)) continue;
    const hit = PRODUCTS.find((p) => p.pattern.test(text) && (!opts.wholeWords || wholeWord(p, text)));
    if (hit) return hit;
  }
  return null;
}

/** Whether one of `p`'s matches in `text` has no letter or digit right before or after it. */
function wholeWord(p: Product, text: string): boolean {
  const all = new RegExp(p.pattern.source, 'gi');
  for (let m = all.exec(text); m; m = all.exec(text)) {
    const before = text[m.index - 1] ?? ' ';
    const after = text[m.index + m[0].length] ?? ' ';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    if (m[0].length === 0) all.lastIndex++;
  }
  return false;
}

/** Where the named product's root is found as a file (see `Product.root`), if it documents one place. */
export function productRoot(name: string | null): string | undefined {
  return name ? PRODUCTS.find((p) => p.name === name)?.root : undefined;
}
