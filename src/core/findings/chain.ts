/**
 * Problems with the certificates themselves and with how the server sends them. Trust settings on this
 * machine cannot fix any of these; the findings say who can.
 */
import type { Rule } from '../analysis.ts';
import { type Cert, isIssuedBy } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import type { Finding } from '../report.ts';
import { verifyChain } from '../verify/index.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);
const DAY = 86400_000;

/** Signature algorithms OpenSSL refuses at its default security level or browsers have retired. */
const WEAK_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption', // RFC 6151
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption', // SHA-1: https://shattered.io, CA/B Forum BR 7.1.3
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
};

const validity: Rule = (a) => {
  const now = a.at ?? new Date();
  const certs: Array<[Cert, string]> = a.chain.map((c, i) => [c, `depth ${i}`]);
  if (a.anchor && !a.chain.some((c) => c.sha256 === a.anchor?.sha256)) certs.push([a.anchor, 'the root']);
  return certs.flatMap(([c, where]): Finding[] => {
    if (c.notAfter < now) {
      return [
        {
          id: 'expired',
          severity: 'error',
          message: `The certificate at ${where} ("${c.subject}") expired on ${day(c.notAfter)}.`,
          fix: 'The server owner must renew it; no trust setting on this machine can fix an expired certificate.',
        },
      ];
    }
    if (c.notBefore > now) {
      const fresh = c.notBefore.getTime() - now.getTime() < 2 * DAY;
      return [
        {
          id: 'not-yet-valid',
          severity: 'error',
          message: `The certificate at ${where} ("${c.subject}") is valid only from ${c.notBefore.toISOString()}; this machine's clock says ${now.toISOString()}.`,
          fix: fresh
            ? "It was issued moments ago: check this machine's clock (timedatectl / NTP) — a clock running behind is the usual cause."
            : "The server owner installed a certificate that is not valid yet; or this machine's clock is wrong.",
        },
      ];
    }
    return [];
  });
};

const hostname: Rule = (a) => {
  const leaf = a.chain[0];
  if (!leaf) return [];
  const host = a.target.host;
  const isIp = /^[\d.]+$|:/.test(host);
  const ok = isIp
    ? leaf.x509.checkIP(host) !== undefined
    : leaf.x509.checkHost(host, { subject: 'default' }) !== undefined;
  if (ok) return [];
  const names = leaf.x509.subjectAltName ?? `(no subjectAltName; subject ${leaf.subject})`;
  return [
    {
      id: 'hostname-mismatch',
      severity: 'error',
      message: `The certificate is not valid for ${host}: it names ${names}.`,
      fix: `Use one of the names the certificate holds, or have the server owner add ${host} to its subjectAltName.`,
      details: { names },
    },
  ];
};

const selfSignedLeaf: Rule = (a) => {
  const leaf = a.chain[0];
  if (!leaf?.selfSigned || a.anchorInMozilla) return [];
  return [
    {
      id: 'self-signed-leaf',
      severity: 'error',
      message: `The server presents a self-signed certificate ("${leaf.subject}"), not one issued by a CA.`,
      fix: 'Best: have the service use a certificate from your internal CA. If you must trust this one, verify its fingerprint with the owner and run `certifix fix --ca cert.pem --allow-non-ca`.',
    },
  ];
};

const weakSignature: Rule = (a) =>
  a.chain.flatMap((c, i): Finding[] => {
    if (c.selfSigned) return []; // a root's own signature is not checked
    const alg = WEAK_SIGNATURES[certInfo(c).sigOid];
    return alg
      ? [
          {
            id: 'weak-signature',
            severity: 'error',
            message: `The certificate at depth ${i} ("${c.subject}") is signed with ${alg}, which OpenSSL and browsers reject.`,
            fix: 'The server owner must reissue it with SHA-256 or better.',
          },
        ]
      : [];
  });

/** The path from the leaf through what was sent, by issuer links (not by position). */
function sentPath(chain: readonly Cert[]): Cert[] {
  const path: Cert[] = [];
  // By fingerprint, not object identity: a certificate sent twice may be one shared object or two.
  const on = (x: Cert) => path.some((p) => p.sha256 === x.sha256);
  let cur = chain[0];
  while (cur && !on(cur)) {
    path.push(cur);
    if (cur.selfSigned) break;
    const c: Cert = cur;
    cur = chain.find((x) => !on(x) && isIssuedBy(c, x));
  }
  return path;
}

const hygiene: Rule = (a) => {
  const out: Finding[] = [];
  const path = sentPath(a.chain);
  const count = (c: Cert) => a.chain.filter((x) => x.sha256 === c.sha256).length;
  const unique = a.chain.filter((c, i) => a.chain.findIndex((x) => x.sha256 === c.sha256) === i);
  const repeated = unique.filter((c) => count(c) > 1);
  const extra = unique.filter((c) => !path.some((p) => p.sha256 === c.sha256));
  const ordered = path.every((c, i) => a.chain[i]?.sha256 === c.sha256);
  if (!ordered || repeated.length > 0) {
    const twice = repeated.map((c) => `"${c.subject}"`).join(', ');
    out.push({
      id: 'chain-order',
      severity: 'warning',
      message: [
        ordered
          ? ''
          : 'The server sends its certificates out of order (each should be followed by its issuer).',
        repeated.length
          ? `The server sends ${twice} twice (or more); each certificate belongs in the chain once.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
      fix: 'The server owner should list leaf, then intermediate(s), in issuing order, each once. Strict clients (some Java and embedded TLS stacks) fail on this.',
    });
  }
  if (extra.length > 0) {
    out.push({
      id: 'extra-certs',
      severity: 'warning',
      message: `The server sends ${extra.length} certificate(s) that are not part of its chain: ${extra.map((c) => `"${c.subject}"`).join(', ')}.`,
      fix: 'The server owner should remove them from the chain file; they cost bytes in every handshake and confuse some clients.',
    });
  }
  const top = path[path.length - 1];
  if (path.length > 1 && top?.selfSigned) {
    out.push({
      id: 'contains-anchor',
      severity: 'info',
      message: `The server sends its root ("${top.subject}") too. Clients ignore it (a root is trusted only from the local store), so it cannot make an untrusted chain trusted.`,
      fix: 'Harmless but wasteful; the server owner may drop it.',
    });
  }
  return out;
};

const missingIntermediate: Rule = (a) => {
  const fetched = a.fetched?.certs ?? [];
  if (fetched.length === 0) return [];
  const names = fetched
    .map((f) => `"${f.cert.subject}" (${f.url}${f.kept ? ', as fetched by an earlier run' : ''})`)
    .join(', ');
  return [
    {
      id: 'missing-intermediate',
      severity: 'error',
      message: `The server sends an incomplete chain: it leaves out ${names}, fetched${fetched.some((f) => f.kept) ? '' : ' here'} from the certificate's AIA URL. Browsers hide this (they fetch or cache intermediates); OpenSSL-based clients (Python, pip, curl, git, Node) fail with "unable to get local issuer certificate".`,
      fix: 'Fix it on the server: serve the leaf followed by its intermediate(s). Adding the intermediate to this machine only hides the problem.',
      details: {
        fetched: fetched.map((f) => ({
          url: f.url,
          subject: f.cert.subject,
          sha256: f.cert.sha256,
          ...(f.kept ? { kept: true } : {}),
        })),
      },
    },
  ];
};

/**
 * The chain is incomplete and the issuer could not be fetched: say which URL failed and why (a refused
 * private address names --allow-private-aia), so "unable to get local issuer" does not stay a mystery.
 */
const aiaUnavailable: Rule = (a) => {
  const errors = a.fetched?.errors ?? [];
  if (errors.length === 0 || (a.fetched?.certs.length ?? 0) > 0 || a.anchor) return [];
  const shown = errors.slice(0, 3).map((e) => `${e.url}: ${e.error}`);
  if (errors.length > 3) shown.push(`and ${errors.length - 3} more`);
  return [
    {
      id: 'aia-unavailable',
      severity: 'warning',
      message: `The server's chain does not reach a trusted root, and the missing issuer could not be fetched from the certificate's AIA URL: ${shown.join('; ')}.`,
      fix: 'Get the issuing CA certificate from the server owner or your IT team; `certifix verify chain.pem --untrusted issuer.pem` tells whether it completes the chain.',
      details: { errors },
    },
  ];
};

/** A chain OpenSSL accepts but Python >= 3.13 (VERIFY_X509_STRICT) rejects, once the root is trusted. */
const strictX509: Rule = (a) => {
  const [leaf, ...untrusted] = a.chain;
  if (!leaf || !a.anchor) return [];
  const trusted = [a.anchor];
  const base = {
    leaf,
    untrusted: [...untrusted, ...(a.fetched?.certs.map((f) => f.cert) ?? [])],
    trusted,
    at: a.at,
  };
  const lax = verifyChain({ ...base, profile: 'openssl' });
  if (!lax.ok) return [];
  const strict = verifyChain({ ...base, profile: 'python313' });
  if (strict.ok) return [];
  const culprit = strict.chain[strict.depth] ?? a.anchor;
  return [
    {
      id: 'strict-x509',
      severity: 'warning',
      message: `Python 3.13+ rejects this chain even with its root trusted: "${culprit.subject}" fails X.509 strict checks (${strict.message}). OpenSSL's defaults (Python <= 3.12, curl, Node) accept it.`,
      fix: `Trusting the root is not enough for Python 3.13+: the owner of "${culprit.subject}" must reissue it per RFC 5280 (e.g. basicConstraints critical, subject and authority key identifiers present).`,
      details: { code: strict.code, depth: strict.depth },
    },
  ];
};

export const chainRules: readonly Rule[] = [
  validity,
  hostname,
  selfSignedLeaf,
  weakSignature,
  missingIntermediate,
  aiaUnavailable,
  hygiene,
  strictX509,
];
