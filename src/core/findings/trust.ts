import type { Analysis, Rule } from '../analysis.ts';
import { formatFingerprint } from '../cert.ts';
import type { Finding } from '../report.ts';

const ISSUER_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** Clients that fail for want of the anchor: an issuer error, and the root is not in their store. */
function failingOnTrust(a: Analysis): string[] {
  // A client whose store holds the root fails for another reason (a missing intermediate): not a trust failure.
  const anchor = a.anchor;
  const ids = a.clients
    .filter((c, i) => ISSUER_CODES.has(a.verdicts[i]?.code ?? '') && !(anchor && c.anchors.has(anchor)))
    .map((c) => c.id);
  return [...new Set(ids)]; // one client in several Python environments is named once
}

function fixCommand(a: Analysis): string {
  return `certifix fix ${a.target.url}`;
}

/** The chain ends in a root the OS trusts but Mozilla's list (certifi, Node) does not. */
const interception: Rule = (a) => {
  if (!a.anchor || a.anchorInMozilla) return [];
  const failing = failingOnTrust(a);
  const who = a.intercepted
    ? `${a.target.host} is intercepted by ${a.product ?? 'a TLS-inspecting proxy'}: the certificate is re-signed by "${a.anchor.subject}"`
    : `${a.target.host} uses a private CA: its chain ends in "${a.anchor.subject}"`;
  const where = a.anchorInSystem
    ? `Your OS store trusts that root${a.systemVerdict.ok ? ' (so browsers, curl and urllib work)' : ''}, but it is not among the Mozilla roots that certifi and Node ship.`
    : 'That root is not in your OS store either: it came only from the network.';
  const fix = a.anchorInSystem
    ? `Run \`${fixCommand(a)}\` to add it to one merged bundle (Mozilla roots + this root) that every client uses.`
    : `Ask IT for the company root and check its fingerprint ${formatFingerprint(a.anchor.sha256)}; then run \`certifix fix ${a.target.url} --trust-fingerprint ${a.anchor.sha256}\`.`;
  const finding: Finding = {
    id: a.intercepted ? 'interception' : 'private-ca',
    severity: failing.length > 0 ? 'error' : 'info',
    message: `${who}. ${where}${failing.length ? ` Failing: ${failing.join(', ')}.` : ''}`,
    fix,
    details: { anchor: a.anchor.subject, sha256: a.anchor.sha256, product: a.product, failing },
  };
  return [finding];
};

/** No certificate we know of anchors the chain: neither the OS store nor the chain itself has the root. */
const unknownAnchor: Rule = (a) => {
  // Not only the issuer codes: a same-name root with another key makes OpenSSL fail on the signature instead.
  if (a.anchor || a.systemVerdict.ok) return [];
  const top = a.chain[a.chain.length - 1];
  const twin = top && a.system.issuersOf(top).length > 0;
  return [
    {
      id: 'unknown-anchor',
      severity: 'error',
      message: `No root in your OS store issued this chain (top: "${top?.issuer ?? '?'}"), and the server did not send one.${twin ? ' Your OS store holds a root with that name but another key: it did not sign this chain (a re-keyed or look-alike root).' : ''}`,
      fix: 'Get the issuing root from your IT team (or the service owner), then run `certifix fix --ca root.pem`.',
    },
  ];
};

/** Per client: the store it uses and why it misses the root, in the client's terms. */
const clientStores: Rule = (a) =>
  a.clients.flatMap((c, i): Finding[] => {
    const v = a.verdicts[i];
    if (!v || v.ok || !ISSUER_CODES.has(v.code) || !a.systemVerdict.ok) return [];
    return [
      {
        id: 'client-store',
        severity: 'error',
        message: `${c.id} does not trust the root: ${c.source.why}${c.source.path ? ` (${c.source.path})` : ''}.`,
        fix: `certifix fix points ${c.id} at a merged bundle with its native setting.`,
        details: { client: c.id, source: c.source.source, path: c.source.path },
      },
    ];
  });

export const trustRules: readonly Rule[] = [interception, unknownAnchor, clientStores];
