/**
 * The server conditions of the fidelity matrix: one shared PKI, one origin per condition. Each condition is
 * what a server (or a proxy in front of it) really does wrong, made with the real `openssl` CLI.
 */
import type { Issued, Pki } from '../helpers/pki.ts';
import { LAB_HOSTS } from '../helpers/servers.ts';

/** The certificates of the matrix PKI that conditions pick from. */
export type MatrixPki = Record<string, Issued>;

export interface Condition {
  name: string;
  /** Certificates the server sends, leaf first; omitted for proxy conditions (the lab's origin behind it). */
  serve?: (c: MatrixPki) => Issued[];
  /** Connect by IP address (127.0.0.1) instead of `localhost`. */
  ip?: boolean;
  via?: 'squid' | 'mitmproxy';
}

/** Roots the laptop's OS store gets besides the lab's corporate and internal roots. */
export const TRUSTED = ['root', 'laxRoot'] as const;

/** Issue the matrix PKI; `aia` is the caIssuers URL that serves `int` (DER). */
export function issueMatrix(pki: Pki, aia: string): MatrixPki {
  const o = { subjectPrefix: '/O=Fidelity Lab' };
  const names = LAB_HOSTS;
  const c: MatrixPki = {};
  c.root = pki.root('fid-root', 'Fidelity Root CA', o);
  c.int = pki.intermediate('fid-int', 'Fidelity Issuing CA', c.root, o);
  c.leaf = pki.leaf('fid-leaf', 'localhost', c.int, names);
  c.aiaLeaf = pki.leaf('fid-aia-leaf', 'localhost', c.int, { ...names, caIssuers: aia });
  // A root no store has.
  c.stray = pki.root('fid-stray', 'Stray Root CA', { subjectPrefix: '/O=Stray' });
  c.strayInt = pki.intermediate('fid-stray-int', 'Stray Issuing CA', c.stray, { subjectPrefix: '/O=Stray' });
  c.strayLeaf = pki.leaf('fid-stray-leaf', 'localhost', c.strayInt, names);
  c.strayOther = pki.leaf('fid-stray-other', 'other.test', c.strayInt);
  c.strayNoIp = pki.leaf('fid-stray-noip', 'localhost', c.strayInt);
  c.self = pki.issue('fid-self', { cn: 'localhost', ...names });
  c.expired = pki.leaf('fid-expired', 'localhost', c.int, { ...names, notBeforeDays: -30, notAfterDays: -1 });
  c.future = pki.leaf('fid-future', 'localhost', c.int, { ...names, notBeforeDays: 10, notAfterDays: 400 });
  c.oldInt = pki.intermediate('fid-old-int', 'Fidelity Expired CA', c.root, {
    ...o,
    notBeforeDays: -60,
    notAfterDays: -2,
  });
  c.oldIntLeaf = pki.leaf('fid-old-int-leaf', 'localhost', c.oldInt, { ...names, notBeforeDays: -10 });
  c.other = pki.leaf('fid-other', 'other.test', c.int);
  c.noIp = pki.leaf('fid-noip', 'localhost', c.int);
  c.cnOnly = pki.leaf('fid-cn-only', 'localhost', c.int, { dns: [] });
  // root → A → B → leaf, sent as leaf, A, B (the intermediates reversed).
  c.intA = pki.intermediate('fid-int-a', 'Fidelity Policy CA', c.root, o);
  c.intB = pki.intermediate('fid-int-b', 'Fidelity Issuing CA 2', c.intA, o);
  c.leafB = pki.leaf('fid-leaf-b', 'localhost', c.intB, names);
  c.unrelated = pki.root('fid-unrelated', 'Unrelated Test CA');
  c.rsaInt = pki.intermediate('fid-rsa-int', 'Fidelity RSA CA', c.root, { ...o, key: 'rsa2048' });
  c.sha1 = pki.leaf('fid-sha1', 'localhost', c.rsaInt, { ...names, key: 'rsa2048', digest: 'sha1' });
  c.rsa1024 = pki.leaf('fid-rsa1024', 'localhost', c.int, { ...names, key: 'rsa1024' });
  c.weakInt = pki.intermediate('fid-weak-int', 'Fidelity Weak CA', c.root, { ...o, key: 'rsa1024' });
  c.weakIntLeaf = pki.leaf('fid-weak-int-leaf', 'localhost', c.weakInt, names);
  c.critical = pki.leaf('fid-critical', 'localhost', c.int, {
    ...names,
    extraExt: ['1.3.6.1.4.1.55555.1.1=critical,ASN1:NULL'],
  });
  c.ncInt = pki.intermediate('fid-nc-int', 'Fidelity Constrained CA', c.root, {
    ...o,
    extraExt: ['nameConstraints=critical,permitted;DNS:example.com'],
  });
  c.ncLeaf = pki.leaf('fid-nc-leaf', 'localhost', c.ncInt, names);
  c.plInt = pki.intermediate('fid-pl-int', 'Fidelity Path CA', c.root, { ...o, pathLen: 0 });
  c.plSub = pki.intermediate('fid-pl-sub', 'Fidelity Sub CA', c.plInt, o);
  c.plLeaf = pki.leaf('fid-pl-leaf', 'localhost', c.plSub, names);
  c.clientAuth = pki.leaf('fid-client-auth', 'localhost', c.int, {
    ...names,
    noEku: true,
    extraExt: ['extendedKeyUsage=clientAuth'],
  });
  // A company root that is not RFC 5280-strict: basicConstraints not critical (Python >= 3.13 refuses it).
  c.laxRoot = pki.root('fid-lax-root', 'Lax Corp Root CA', {
    subjectPrefix: '/O=Lax Corp',
    bcCritical: false,
  });
  c.laxInt = pki.intermediate('fid-lax-int', 'Lax Corp Issuing CA', c.laxRoot, {
    subjectPrefix: '/O=Lax Corp',
    bcCritical: false,
  });
  c.laxLeaf = pki.leaf('fid-lax-leaf', 'localhost', c.laxInt, names);
  return c;
}

const pick =
  (...names: string[]) =>
  (c: MatrixPki) =>
    names.map((n) => c[n] as Issued);

export const CONDITIONS: Condition[] = [
  { name: 'good chain', serve: pick('leaf', 'int') },
  { name: 'leaf only, no AIA', serve: pick('leaf') },
  { name: 'leaf only, with AIA', serve: pick('aiaLeaf') },
  { name: 'root in no store', serve: pick('strayLeaf', 'strayInt') },
  { name: 'self-signed leaf', serve: pick('self') },
  { name: 'expired leaf', serve: pick('expired', 'int') },
  { name: 'expired intermediate', serve: pick('oldIntLeaf', 'oldInt') },
  { name: 'not yet valid', serve: pick('future', 'int') },
  { name: 'wrong host, root trusted', serve: pick('other', 'int') },
  { name: 'wrong host, root untrusted', serve: pick('strayOther', 'strayInt') },
  { name: 'IP target with an IP SAN', serve: pick('leaf', 'int'), ip: true },
  { name: 'IP target without an IP SAN', serve: pick('noIp', 'int'), ip: true },
  { name: 'IP target without an IP SAN, root untrusted', serve: pick('strayNoIp', 'strayInt'), ip: true },
  { name: 'CN-only certificate', serve: pick('cnOnly', 'int') },
  { name: 'wrong chain order', serve: pick('leafB', 'intA', 'intB') },
  { name: 'root included', serve: pick('leaf', 'int', 'root') },
  { name: 'unrelated extra certificates', serve: pick('leaf', 'unrelated', 'int') },
  { name: 'SHA-1 leaf', serve: pick('sha1', 'rsaInt') },
  { name: 'RSA-1024 leaf', serve: pick('rsa1024', 'int') },
  { name: 'RSA-1024 intermediate', serve: pick('weakIntLeaf', 'weakInt') },
  { name: 'unknown critical extension', serve: pick('critical', 'int') },
  { name: 'name constraints violated', serve: pick('ncLeaf', 'ncInt') },
  { name: 'path length violated', serve: pick('plLeaf', 'plSub', 'plInt') },
  { name: 'clientAuth-only EKU', serve: pick('clientAuth', 'int') },
  { name: 'non-strict legacy root', serve: pick('laxLeaf', 'laxInt') },
  { name: 'Squid ssl-bump', via: 'squid' },
  { name: 'mitmproxy', via: 'mitmproxy' },
];
