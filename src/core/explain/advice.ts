/**
 * What to do, per (client, code): first what the reason means and whose side it is on, then - when the
 * fix is to trust a root - where this client takes its roots from and the switch that changes it.
 */
import { formatFingerprint } from '../cert.ts';
import type { ExplainedError } from './parse.ts';
import type { VerifyCode } from './reasons.ts';
import type { ErrorClient } from './recognisers.ts';

/** Families of reasons that share advice. Only `trust` and `unclear` are fixed on the user's side. */
type Kind = 'trust' | 'incomplete' | 'self-signed' | 'expired' | 'clock' | 'hostname' | 'server' | 'unclear';

export const KIND: Record<VerifyCode, Kind> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'trust',
  UNABLE_TO_GET_ISSUER_CERT: 'trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'incomplete',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'clock',
  HOSTNAME_MISMATCH: 'hostname',
  CERT_REVOKED: 'server',
  INVALID_CA: 'server',
  PATH_LENGTH_EXCEEDED: 'server',
  INVALID_PURPOSE: 'server',
  CERT_SIGNATURE_FAILURE: 'server',
  CA_MD_TOO_WEAK: 'server',
  EE_KEY_TOO_SMALL: 'server',
  CERT_VERIFY_FAILED: 'unclear',
};

/** One sentence per reason; `{host}` is the server's name or "the server". Never starts with `{host}`. */
const WHY: Record<VerifyCode, string> = {
  SELF_SIGNED_CERT_IN_CHAIN:
    'The chain {host} sent ends in a root this client does not trust; behind a TLS-intercepting proxy that is your company root, which your OS may trust while this client does not.',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "No certificate in this client's store issued the top of the chain {host} sent; behind a company proxy the missing one is usually the company root.",
  UNABLE_TO_GET_ISSUER_CERT:
    "An issuer of the chain {host} sent is missing from this client's store: usually a company root or an intermediate.",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'Only the server certificate came from {host}, without the intermediate that issued it; browsers fetch it, this client does not: the server should send its full chain (or it is a company proxy whose CA this client lacks).',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'The certificate of {host} is self-signed (no CA issued it): trust that one certificate only if you know who runs {host}, better ask them for a CA-issued one.',
  CERT_HAS_EXPIRED:
    "The certificate of {host} has expired; nothing on your side fixes it: tell whoever runs {host} (if every site fails at once, check this machine's clock).",
  CERT_NOT_YET_VALID: "The certificate of {host} is not valid yet: check this machine's date and time first.",
  HOSTNAME_MISMATCH:
    'The certificate of {host} is for another name: check the URL; if it is right, the server (or the proxy) presents the wrong certificate. Trusting more roots will not help.',
  CERT_REVOKED:
    'The certificate of {host} was revoked by its CA: a server-side problem; do not work around it.',
  INVALID_CA:
    'A CA in the chain {host} sent is not allowed to issue certificates: a server or proxy misconfiguration.',
  PATH_LENGTH_EXCEEDED:
    'The chain {host} sent is longer than a CA allows: a server or proxy misconfiguration.',
  INVALID_PURPOSE:
    'The certificate of {host} is not for TLS servers (extended key usage): the server must get a proper one.',
  CERT_SIGNATURE_FAILURE: 'A signature in the chain {host} sent does not verify: a broken or tampered chain.',
  CA_MD_TOO_WEAK:
    'A CA in the chain {host} sent signs with a digest this client refuses (SHA-1 or MD5): often an old proxy CA that must be re-issued.',
  EE_KEY_TOO_SMALL:
    "The key of {host}'s certificate is too small for this client's security level: the server must re-key.",
  CERT_VERIFY_FAILED:
    'The client says verification failed but not why; the diagnosis of {host} below shows the chain it gets.',
};

/** CERT_VERIFY_FAILED with no diagnosis to point at (--offline, or the server could not be reached). */
const UNCLEAR_UNDIAGNOSED =
  'The client says verification failed but not why; `certifix diagnose {url}` shows the chain {host} sends.';

/**
 * What the diagnosis found about the root the chain needs, which decides how `certifix fix` gets it:
 * `os-store`: your OS trusts it, `fix URL` takes it from there; `network`: only the server (or proxy) sent it,
 * `fix URL` refuses it until its fingerprint is confirmed; `none`: nobody has it, IT must hand it over;
 * `undiagnosed`: not known (--offline, or the server could not be reached).
 */
export type RootSeen =
  | { where: 'undiagnosed' }
  | { where: 'os-store' }
  | { where: 'network'; sha256: string }
  | { where: 'none' };

/** What the advice may depend on beyond the pasted text. */
interface AdviceFacts {
  root?: RootSeen | undefined;
  /** This machine's platform: Java's advice differs (`Windows-ROOT`, `sudo`). */
  platform?: NodeJS.Platform | undefined;
}

/** How `certifix fix` gets the root into the bundle; every variant ends "... to a merged bundle and". */
const FIX: Record<RootSeen['where'], string> = {
  'os-store': 'Run `certifix fix {url}`: it adds the root your OS trusts for {host} to a merged bundle and',
  undiagnosed:
    'Run `certifix fix {url}` (with `--ca root.pem` if your OS store lacks the root too): it adds the root to a merged bundle and',
  network: 'Either way, `certifix fix` adds the root to a merged bundle and',
  none: '`certifix fix --ca root.pem` adds it to a merged bundle and',
};

/** When the OS store lacks the root: where to get it, as `fix` itself says (core/findings/trust.ts). */
const GET_ROOT: Partial<Record<RootSeen['where'], string>> = {
  network:
    'The root of {host} is not in your OS store either (only the server or a proxy sent it), so `certifix fix {url}` alone refuses it: get the company root from your IT team and run `certifix fix --ca root.pem`, or, once IT confirms its fingerprint {fingerprint}, `certifix fix {url} --trust-fingerprint {sha256}`.',
  none: 'No root in your OS store issued the chain of {host}, and none was sent with it: get the issuing root as a file from your IT team (or whoever runs {host} or the proxy), then run `certifix fix --ca root.pem`.',
};

/** Java: its own keystore; `fix` names a truststore in JAVA_TOOL_OPTIONS, or imports into cacerts. */
function javaTrust(platform: NodeJS.Platform | undefined, root: RootSeen['where']): string {
  const intoCacerts =
    platform === 'win32'
      ? '`certifix fix --client java --java-cacerts`'
      : '`sudo -H certifix fix --client java --java-cacerts` (a system JDK)';
  const windowsStore =
    platform === 'win32' && root !== 'network' && root !== 'none'
      ? ' Or run Java with -Djavax.net.ssl.trustStoreType=Windows-ROOT to use the Windows store itself.'
      : '';
  return `Java uses its own keystore ($JAVA_HOME/lib/security/cacerts${platform === 'linux' ? '; /etc/ssl/certs/java/cacerts on Debian' : ''}), not your OS store. {fix} writes a Java truststore with it (the JDK's roots + the bundle's), named in JAVA_TOOL_OPTIONS for every JVM started from your shell; for JVMs started without your environment (services, build agents), ${intoCacerts} imports the roots into the JDK's own cacerts instead.${windowsStore}`;
}

/** Where each client takes its roots from, and how certifix (or the tool's own switch) changes it. */
const TRUST: Record<Exclude<ErrorClient, 'java'>, string> = {
  'python-requests': 'requests uses certifi, not your OS store. {fix} sets REQUESTS_CA_BUNDLE.',
  pip: "pip verifies with its own certifi copy (pip 24.2+ on Python 3.10+ also asks the OS store through truststore). {fix} points pip's `cert` setting (pip.conf / PIP_CERT) at it.",
  conda:
    'conda uses certifi through requests, not your OS store: `conda config --set ssl_verify truststore` (conda 23.9+) makes it use the OS store, or point `ssl_verify` at the bundle `certifix fix` writes.',
  uv: 'uv uses its bundled Mozilla roots by default: `uv --system-certs` / UV_SYSTEM_CERTS=true (older uv: --native-tls / UV_NATIVE_TLS=true) uses the OS store, or set SSL_CERT_FILE to the bundle `certifix fix` writes.',
  'python-httpx':
    'httpx uses certifi by default, not your OS store: pass `verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`, or an ssl context loaded with the bundle `certifix fix` writes.',
  'python-aiohttp':
    "aiohttp uses Python's default SSL context (OpenSSL's default paths, SSL_CERT_FILE overrides them). {fix} sets SSL_CERT_FILE.",
  'python-urllib3':
    "urllib3 uses Python's default SSL context unless given ca_certs. {fix} sets SSL_CERT_FILE.",
  'python-urllib':
    "urllib uses Python's default SSL context (OpenSSL's default paths, SSL_CERT_FILE overrides them). {fix} sets SSL_CERT_FILE.",
  'python-ssl':
    "Python's ssl module uses OpenSSL's default paths (SSL_CERT_FILE overrides them). {fix} sets SSL_CERT_FILE.",
  npm: "npm uses Node's bundled Mozilla roots plus npm's `cafile` and NODE_EXTRA_CA_CERTS, not your OS store. {fix} sets npm's cafile.",
  node: 'Node uses its own bundled Mozilla roots, not your OS store (NODE_USE_SYSTEM_CA=1 on Node 22.15+ changes that). {fix} sets NODE_EXTRA_CA_CERTS.',
  git: 'git verifies with http.sslCAInfo / GIT_SSL_CAINFO, else the OS bundle. {fix} sets http.sslCAInfo.',
  curl: 'curl uses the OS bundle unless CURL_CA_BUNDLE or --cacert says otherwise: if curl fails, the root is missing from the OS store itself; `certifix fix --ca corp-root.pem` adds it to a merged bundle and sets CURL_CA_BUNDLE (your IT team can add it to the OS store).',
  unknown: 'Each tool has its own store. {fix} points every client it knows at it.',
};

/**
 * Two or three sentences: the reason in plain words; then, when trusting a root is the fix, where to get the
 * root if the OS store lacks it (known once the server is diagnosed) and the client's switch.
 */
export function advise(e: ExplainedError, facts: AdviceFacts = {}): string[] {
  const root = facts.root ?? { where: 'undiagnosed' };
  const host = e.host ?? 'the server';
  const url = e.host ? `https://${e.host}${e.port && e.port !== 443 ? `:${e.port}` : ''}` : 'https://<host>';
  const sha256 = root.where === 'network' ? root.sha256 : '';
  const fill = (s: string) =>
    s
      .replaceAll('{fix}', FIX[root.where])
      .replaceAll('{fingerprint}', formatFingerprint(sha256))
      .replaceAll('{sha256}', sha256)
      .replaceAll('{host}', host)
      .replaceAll('{url}', url);
  const why =
    e.code === 'CERT_VERIFY_FAILED' && root.where === 'undiagnosed' ? UNCLEAR_UNDIAGNOSED : WHY[e.code];
  const out = [fill(why)];
  const kind = KIND[e.code];
  if (kind !== 'trust' && kind !== 'unclear' && kind !== 'incomplete') return out;
  const getRoot = GET_ROOT[root.where];
  if (getRoot) out.push(fill(getRoot));
  out.push(fill(e.client === 'java' ? javaTrust(facts.platform, root.where) : TRUST[e.client]));
  return out;
}
