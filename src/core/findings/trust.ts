import type { Analysis, Rule } from '../analysis.ts';
import { formatFingerprint } from '../cert.ts';
import { productRoot } from '../products.ts';
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

/** Who re-signs the certificate: the proxy in use, named, or "the certificate is re-signed by". */
function resigner(a: Analysis, root: string): string {
  const by = `${a.target.host} is intercepted by ${a.product ?? 'a TLS-inspecting proxy'}`;
  return a.target.proxy
    ? `${by}: the proxy (${a.target.proxy}) re-signs the site's certificate with "${root}"`
    : `${by}: the certificate is re-signed by "${root}"`;
}

/** The OS store holds a root of that name with another key (a re-keyed or look-alike root). */
function twinNote(a: Analysis): string {
  const top = a.chain[a.chain.length - 1];
  return top && a.system.issuersOf(top).length > 0
    ? ' Your OS store holds a root with that name but another key: it did not sign this chain (a re-keyed or look-alike root).'
    : '';
}

/** The chain ends in a root the OS trusts but Mozilla's list (certifi, Node) does not. */
const interception: Rule = (a) => {
  if (!a.anchor) return a.intercepted ? [unseenRoot(a)] : [];
  if (a.anchorInMozilla) return [];
  const failing = failingOnTrust(a);
  const who = a.intercepted
    ? resigner(a, a.anchor.subject)
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

/**
 * Interception whose root was never seen: a proxy that sends only the leaf it minted (mitmproxy does), its root
 * in no store. The issuer's name is all there is, so the fix is to get the root itself, never a fingerprint.
 */
function unseenRoot(a: Analysis): Finding {
  const root = a.chain[a.chain.length - 1]?.issuer ?? '?';
  const failing = failingOnTrust(a);
  const sent = !a.target.proxy
    ? 'it was not sent with the chain'
    : a.chain.length === 1
      ? 'the proxy sent only the certificate it minted, not the root itself'
      : 'the proxy sent only the certificates below it, not the root itself';
  const hint = productRoot(a.product);
  return {
    id: 'interception',
    severity: 'error', // nothing here trusts that root, the OS store included
    message: `${resigner(a, root)}. That root is not in your OS store, and ${sent}.${twinNote(a)}${failing.length ? ` Failing: ${failing.join(', ')}.` : ''}`,
    fix: `Get that root as a file (${hint ? `${a.product}: ${hint}` : `from whoever runs ${a.target.proxy ? 'the proxy' : 'the interception'}, usually your IT team`}), then run \`certifix fix --ca root.pem\`.`,
    details: { anchor: null, issuer: root, sha256: null, product: a.product, failing },
  };
}

/** No certificate we know of anchors the chain: neither the OS store nor the chain itself has the root. */
const unknownAnchor: Rule = (a) => {
  // Not only the issuer codes: a same-name root with another key makes OpenSSL fail on the signature instead.
  if (a.anchor || a.systemVerdict.ok || a.intercepted) return [];
  const top = a.chain[a.chain.length - 1];
  const proxy = a.target.proxy;
  // Through a proxy the chain may be the proxy's own (re-signed by a root not named after any product).
  const sent = proxy
    ? `and neither the server nor the proxy (${proxy}) sent one. If that proxy inspects TLS, the root is its own.`
    : 'and the server did not send one.';
  return [
    {
      id: 'unknown-anchor',
      severity: 'error',
      message: `No root in your OS store issued this chain (top: "${top?.issuer ?? '?'}"), ${sent}${twinNote(a)}`,
      fix: proxy
        ? "Get the issuing root from your IT team (the proxy's, or the service owner's), then run `certifix fix --ca root.pem`."
        : 'Get the issuing root from your IT team (or the service owner), then run `certifix fix --ca root.pem`.',
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
