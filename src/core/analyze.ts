import type { Analysis, AnalysisInput } from './analysis.ts';
import { type Cert, isIssuedBy } from './cert.ts';
import { collectFindings } from './findings/index.ts';
import { defaultPolicy, predict } from './predict.ts';
import { recognizeProduct, recognizeProductIn } from './products.ts';
import type { AnchorInfo, ChainEntry, ClientReport, DiagnoseReport } from './report.ts';
import type { TrustIndex } from './trust-index.ts';
import { verifyChain } from './verify/index.ts';
import type { VerifyResult } from './verify/types.ts';

/**
 * Follow the served chain upwards and find the root that anchors it: an OS-store certificate that issued
 * the top of what the server sent (matched by name, key identifier and signature, never by name alone),
 * or, failing that, a self-signed root the server (or proxy) sent along.
 */
export function findAnchor(
  chain: readonly Cert[],
  system: TrustIndex,
): { cert: Cert; inSystem: boolean } | null {
  let current = chain[0];
  const seen = new Set<string>();
  while (current && !seen.has(current.sha256)) {
    seen.add(current.sha256);
    // selfSigned first: a leaf is looked up in no store (the OS's hashed directory is a stat per name).
    if (current.selfSigned && system.has(current)) return { cert: current, inSystem: true };
    const fromStore = system.issuersOf(current).find((c) => isIssuedBy(current as Cert, c));
    if (fromStore) return { cert: fromStore, inSystem: true };
    if (current.selfSigned) return { cert: current, inSystem: false };
    const cur: Cert = current;
    current = chain.find((c) => !seen.has(c.sha256) && isIssuedBy(cur, c));
  }
  return null;
}

/** Names that point at an internal service rather than a public site (a private CA is expected there). */
export function looksInternal(host: string): boolean {
  if (!host.includes('.') || /^(localhost|.*\.localhost)$/i.test(host)) return true;
  if (/\.(local|internal|intranet|corp|lan|home|test|example|invalid)$/i.test(host)) return true;
  return /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|::1$|f[cd][0-9a-f]{2}:|fe80:)/i.test(
    host,
  );
}

export function analyze(input: AnalysisInput): Analysis {
  const [leaf, ...untrusted] = input.chain;
  if (!leaf) throw new Error('analyze: empty chain');
  // Fetched issuers help find the root the chain needs; the clients' verdicts still see only what was sent.
  const found = findAnchor(
    [...input.chain, ...(input.fetched?.certs.map((f) => f.cert) ?? [])],
    input.system,
  );
  const anchor = found?.cert ?? null;
  const anchorInSystem = anchor ? input.system.has(anchor) : false;
  const anchorInMozilla = anchor ? input.mozilla.has(anchor) : false;
  // Without an anchor only the issuers' names can name a product: the leaf's own subject is the site's
  // (www.sophos.com is not Sophos inspecting it). They must name it as whole words (Philosophos is not
  // Sophos), and not be the leaf's own product too: an appliance's admin page (a FortiGate's, signed by its
  // own Fortinet CA) is the device's own certificate, not an inspected site.
  const issuerNames = input.chain
    .slice()
    .reverse()
    .flatMap((c) => (c === leaf ? [c.issuer] : [c.subject, c.issuer]));
  const named = anchor
    ? recognizeProduct([anchor, ...input.chain.slice().reverse()])
    : recognizeProductIn(issuerNames, { wholeWords: true });
  const ownProduct = !anchor && named !== null && recognizeProductIn([leaf.subject])?.name === named.name;
  // A chain that ends outside Mozilla's roots is interception when it came through a proxy, names a known
  // inspection product, or belongs to a public-looking name; otherwise it is most likely a private CA.
  // Without an anchor (a proxy that sends only the leaf it minted, its root in no store) the issuer's name
  // is the evidence, for a connection through a proxy or to a public-looking name: a proxy alone is not, as
  // a plain CONNECT proxy passes on a server's own incomplete chain unchanged (telling the two apart would
  // take a direct connection to compare), and an internal name reached directly is most likely a device's.
  const intercepted =
    anchor !== null
      ? !anchorInMozilla &&
        (named !== null || input.target.proxy !== null || !looksInternal(input.target.host))
      : named !== null && !ownProduct && (input.target.proxy !== null || !looksInternal(input.target.host));
  const product = anchor !== null || intercepted ? (named?.name ?? null) : null;
  // A verdict depends only on the store and the verification stack: clients sharing both (most share the OS
  // bundle or a certifi, and one of a few stacks) are verified once.
  const seen = new Map<TrustIndex, Map<string, VerifyResult>>();
  const verdicts = input.clients.map((c) => {
    const policy = c.policy ?? defaultPolicy(c.source.profile);
    const key = JSON.stringify(policy);
    const byPolicy = seen.get(c.anchors) ?? new Map<string, VerifyResult>();
    seen.set(c.anchors, byPolicy);
    let verdict = byPolicy.get(key);
    if (!verdict) {
      verdict = predict(policy, {
        leaf,
        untrusted,
        trusted: c.anchors,
        host: input.target.host,
        at: input.at,
      });
      byPolicy.set(key, verdict);
    }
    return verdict;
  });
  const systemVerdict = verifyChain({
    leaf,
    untrusted,
    trusted: input.system,
    host: input.target.host,
    at: input.at,
  });
  const analysis: Analysis = {
    ...input,
    anchor,
    anchorInSystem,
    anchorInMozilla,
    product,
    intercepted,
    verdicts,
    systemVerdict,
  };
  return analysis;
}

function chainEntry(c: Cert): ChainEntry {
  return {
    subject: c.subject,
    issuer: c.issuer,
    sha256: c.sha256,
    ca: c.ca,
    selfSigned: c.selfSigned,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

export function toReport(a: Analysis): DiagnoseReport {
  const anchor: AnchorInfo | null = a.anchor
    ? {
        subject: a.anchor.subject,
        sha256: a.anchor.sha256,
        inSystemStore: a.anchorInSystem,
        inMozilla: a.anchorInMozilla,
      }
    : null;
  const clients: ClientReport[] = a.clients.map((c, i) => {
    const v = a.verdicts[i] as VerifyResult;
    const report: ClientReport = {
      id: c.id,
      ok: v.ok,
      code: v.code,
      message: v.message,
      trustStore: {
        source: c.source.source,
        path: c.source.path,
        ...(c.source.via ? { via: c.source.via } : {}),
        why: c.source.why,
        ...(c.source.warnings?.length ? { warnings: c.source.warnings } : {}),
      },
    };
    if (c.version) report.version = c.version;
    if (c.environment) report.environment = c.environment;
    if (!v.ok)
      report.printed = c.render(v, a.target.host, a.target.port, {
        url: a.target.url,
        leaf: a.chain[0] as Cert,
      });
    return report;
  });
  return {
    target: a.target,
    ...(a.protocol ? { protocol: a.protocol } : {}),
    chain: a.chain.map(chainEntry),
    anchor,
    interception: { detected: a.intercepted, product: a.intercepted ? a.product : null },
    clients,
    findings: collectFindings(a),
  };
}
