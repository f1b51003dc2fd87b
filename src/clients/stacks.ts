/**
 * Each client's verification stack as data: the TLS library it runs on, the security level and verify flags
 * of its context, where it checks the host name and by which rules, and how it prints a failure. Where it
 * takes its CAs from is the adapter's trust(). A client whose stack is like another's is one more row.
 * The rows are proved against the real clients by test/e2e/fidelity.test.ts.
 */
import type { VerifyPolicy } from '../core/predict.ts';
import { type HostFlags, opensslSecurityLevel } from '../core/verify/index.ts';
import type { ClientId, Context, Installation, RenderDetail, TrustSource } from '../types.ts';
import { type PrintStyle, printLine } from './printed.ts';
import { type PythonInfo, profileOf, pythonFromDetails } from './python.ts';

interface Stack {
  /** Which installations this row describes (first match wins); omitted = all. */
  when?: (inst: Installation) => boolean;
  /** The TLS library and build, in words (for `status` and humans). */
  tls: string;
  /** Where the CAs come from, in words; the adapter's trust() resolves it (with its sources). */
  trust: string;
  /**
   * Security level: `system` = the system OpenSSL's configured level (OPENSSL_CONF / OPENSSLDIR/openssl.cnf,
   * else the distro's compiled default); `python` = CPython's own cipher string where it sets one; a number.
   */
  level: 'system' | 'python' | number;
  /** Verify flags: a verifier profile, or `python` (VERIFY_X509_STRICT + PARTIAL_CHAIN from Python 3.13). */
  profile: VerifyPolicy['profile'] | 'python';
  hostCheck: VerifyPolicy['hostCheck'];
  host: HostFlags;
  print: PrintStyle;
  /** Where each fact comes from. */
  sources: string[];
}

/** CPython's ssl context: X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, CN consulted when there is no DNS SAN. */
const CPYTHON_HOST: HostFlags = { noPartialWildcards: true, commonName: 'no-dns-san' };

const PYTHON_SOURCES = [
  // `self->hostflags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`; hostname_checks_common_name defaults to True
  'https://github.com/python/cpython/blob/3.11/Modules/_ssl.c (_ssl__SSLContext_impl)',
  'https://docs.python.org/3/library/ssl.html#ssl.SSLContext.hostname_checks_common_name',
  // PY_SSL_DEFAULT_CIPHER_STRING "@SECLEVEL=2:ECDH+AESGCM:…" since 3.10 (bpo-43998)
  'https://github.com/python/cpython/blob/3.11/Modules/_ssl.c (PY_SSL_DEFAULT_CIPHER_STRING)',
];

const atLeast = (v: string | undefined, min: [number, number]) => {
  const [a = 0, b = 0] = (v ?? '0').split('.').map((n) => Number.parseInt(n, 10));
  return a > min[0] || (a === min[0] && b >= min[1]);
};

/** pip >= 24.2 on Python >= 3.10 verifies with truststore (pip.ts trust() explains when). */
const pipTruststore = (inst: Installation) =>
  atLeast(inst.version, [24, 2]) && atLeast(inst.details?.pythonVersion, [3, 10]);

/** CPython's `ssl.create_default_context()`: what urllib, http.client, httpx and aiohttp verify with. */
const CPYTHON_SSL: Stack = {
  tls: 'the OpenSSL CPython links (Debian: system libssl3)',
  trust: "SSL_CERT_FILE / SSL_CERT_DIR, else OpenSSL's default paths (python-ssl.ts)",
  level: 'python',
  profile: 'python',
  hostCheck: 'handshake', // check_hostname=True: X509_VERIFY_PARAM_set1_host before the handshake
  host: CPYTHON_HOST,
  print: 'python-ssl',
  sources: PYTHON_SOURCES,
};

/** urllib3 1.26 and 2, as requests and urllib3 itself use them (`details.urllib3` or the version). */
const urllib3Major = (inst: Installation) => (inst.details?.urllib3 ?? inst.version ?? '').split('.')[0];

export const STACKS: Partial<Record<ClientId, Stack[]>> = {
  'python-ssl': [CPYTHON_SSL],
  // httpx: ssl.create_default_context() + certifi (https://github.com/encode/httpx/blob/0.28.1/httpx/_config.py)
  httpx: [CPYTHON_SSL],
  // aiohttp: ssl.create_default_context() (https://github.com/aio-libs/aiohttp/blob/v3.11.0/aiohttp/connector.py)
  aiohttp: [CPYTHON_SSL],
  'python-requests': [
    {
      // urllib3 1.26 (requests < 2.30, or pinned): check_hostname=False, its own match_hostname afterwards
      when: (inst) => urllib3Major(inst) === '1',
      tls: 'CPython ssl through urllib3 1.26',
      trust: 'REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › certifi (python-requests.ts)',
      level: 'python',
      profile: 'python',
      hostCheck: 'after-chain',
      host: { commonName: 'no-san' },
      print: 'requests',
      sources: ['https://github.com/urllib3/urllib3/blob/1.26.x/src/urllib3/connection.py (_match_hostname)'],
    },
    {
      // urllib3 2: check_hostname=True and hostname_checks_common_name=False (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)
      // when ssl.HAS_NEVER_CHECK_COMMON_NAME: a certificate without a DNS SAN never matches.
      tls: 'CPython ssl through urllib3 2',
      trust: 'REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › certifi (python-requests.ts)',
      level: 'python',
      profile: 'python',
      hostCheck: 'handshake',
      host: { noPartialWildcards: true, commonName: 'never' },
      print: 'requests',
      sources: [
        'https://github.com/urllib3/urllib3/blob/2.2.3/src/urllib3/util/ssl_.py (create_urllib3_context)',
        'https://github.com/urllib3/urllib3/blob/2.2.3/src/urllib3/connection.py (_ssl_wrap_socket_and_match_hostname)',
        'https://github.com/psf/requests/blob/main/src/requests/adapters.py (send: SSLError)',
      ],
    },
  ],
  pip: [
    {
      // pip 26 prints only the ssl module's line after "There was a problem confirming the ssl certificate:"
      // (measured: pip 26.2.1; pip 24.2 still printed urllib3's MaxRetryError, 25.x is not measured).
      when: (inst) => pipTruststore(inst) && atLeast(inst.version, [26, 0]),
      tls: 'CPython ssl through truststore (vendored urllib3)',
      trust: 'the OS store + vendored certifi (+ cert / REQUESTS_CA_BUNDLE) (pip.ts)',
      level: 'python',
      profile: 'python',
      hostCheck: 'handshake',
      host: CPYTHON_HOST,
      print: 'pip-python-line',
      sources: [
        'https://github.com/pypa/pip/blob/main/src/pip/_internal/index/collector.py (_handle_get_simple_fail)',
      ],
    },
    {
      // truststore.SSLContext(PROTOCOL_TLS_CLIENT): check_hostname=True, so vendored urllib3 1.26 skips its own
      // match_hostname and OpenSSL checks the name with CPython's defaults.
      when: pipTruststore,
      tls: 'CPython ssl through truststore (vendored urllib3 1.26)',
      trust: 'the OS store + vendored certifi (+ cert / REQUESTS_CA_BUNDLE) (pip.ts)',
      level: 'python',
      profile: 'python',
      hostCheck: 'handshake',
      host: CPYTHON_HOST,
      print: 'pip-truststore',
      sources: [
        'https://github.com/pypa/pip/blob/24.2/src/pip/_internal/network/session.py (_SSLContextAdapterMixin)',
        'https://github.com/sethmlarson/truststore/blob/main/src/truststore/_api.py',
      ],
    },
    {
      // vendored urllib3 1.26: create_urllib3_context sets check_hostname=False; after the handshake
      // `_match_hostname` raises CertificateError (CN only when there is no DNS or IP SAN).
      tls: 'CPython ssl through vendored urllib3 1.26',
      trust: 'REQUESTS_CA_BUNDLE › PIP_CERT › pip.conf cert › vendored certifi (pip.ts)',
      level: 'python',
      profile: 'python',
      hostCheck: 'after-chain',
      host: { commonName: 'no-san' },
      print: 'pip-urllib3-1',
      sources: [
        'https://github.com/urllib3/urllib3/blob/1.26.x/src/urllib3/util/ssl_.py (create_urllib3_context)',
        'https://github.com/urllib3/urllib3/blob/1.26.x/src/urllib3/connection.py (VerifiedHTTPSConnection.connect)',
        'https://github.com/pypa/pip/blob/23.2/src/pip/_internal/index/collector.py (_handle_get_simple_fail)',
      ],
    },
  ],
  curl: [
    {
      // The handshake verifies the chain (no host in X509_VERIFY_PARAM); Curl_ossl_verifyhost runs after it.
      tls: 'system OpenSSL (Debian libcurl4 → libssl3)',
      trust: '.curlrc cacert › CURL_CA_BUNDLE › SSL_CERT_DIR / SSL_CERT_FILE › built-in (curl.ts)',
      level: 'system',
      profile: 'openssl',
      hostCheck: 'after-chain',
      host: { commonName: 'no-san' },
      print: 'curl',
      sources: [
        'https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/openssl.c (servercert, Curl_ossl_verifyhost)',
      ],
    },
  ],
  git: [
    {
      when: (inst) => inst.details?.tls === 'openssl',
      tls: 'libcurl on OpenSSL',
      trust: "GIT_SSL_CAINFO › http.sslCAInfo › libcurl's default (git.ts)",
      level: 'system',
      profile: 'openssl',
      hostCheck: 'after-chain',
      host: { commonName: 'no-san' },
      print: 'git-openssl',
      sources: [
        'https://github.com/git/git/blob/v2.39.5/http.c',
        'https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/openssl.c',
      ],
    },
    {
      // Debian's git-remote-http links libcurl-gnutls: gnutls_certificate_verify_peers2 for the chain (no
      // purpose, so no EKU check), then gnutls_x509_crt_check_hostname.
      tls: 'GnuTLS 3.7 through libcurl-gnutls (Debian)',
      trust: "GIT_SSL_CAINFO › http.sslCAInfo › GnuTLS's system trust (git.ts)",
      level: 0,
      profile: 'gnutls',
      hostCheck: 'after-chain',
      host: { commonName: 'no-san', wildcards: 'gnutls' },
      print: 'git-gnutls',
      sources: [
        'https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/gtls.c (Curl_gtls_verifyserver)',
        'https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/hostname-verify.c',
      ],
    },
  ],
  node: [
    {
      // The verify callback lets OpenSSL run on (the last error is reported); tls.checkServerIdentity runs only
      // when verifyError() is null (lib/_tls_wrap.js onConnectSecure). Bundled OpenSSL: level 1.
      tls: "Node's bundled OpenSSL",
      trust: 'bundled Mozilla roots + NODE_EXTRA_CA_CERTS (+ OS store with --use-system-ca) (node.ts)',
      level: 1,
      profile: 'node',
      hostCheck: 'after-chain',
      host: { commonName: 'no-dns-san' },
      print: 'node',
      sources: [
        'https://github.com/nodejs/node/blob/v20.x/lib/_tls_wrap.js (onConnectSecure)',
        'https://github.com/nodejs/node/blob/v20.x/lib/tls.js (checkServerIdentity)',
        'https://nodejs.org/api/cli.html#--openssl-shared-config',
      ],
    },
  ],
  npm: [
    {
      tls: "Node's bundled OpenSSL (npm-registry-fetch → node:https)",
      trust: "npmrc cafile / ca (replace Node's roots) › Node's store (npm.ts)",
      level: 1,
      profile: 'node',
      hostCheck: 'after-chain',
      host: { commonName: 'no-dns-san' },
      print: 'npm',
      sources: ['https://github.com/npm/npm-registry-fetch/blob/main/lib/check-response.js'],
    },
  ],
};

/** The row for an installation (a client without a row verifies as OpenSSL's defaults). */
export function stackOf(id: string, inst: Installation): Stack | undefined {
  const rows =
    id === 'urllib3'
      ? STACKS['python-requests']?.map((r) => ({ ...r, print: 'python-ssl' as const }))
      : STACKS[id as ClientId];
  return rows?.find((s) => !s.when || s.when(inst));
}

/** The client's effective policy: the row resolved against what is installed and configured. */
export async function policyOf(
  id: string,
  inst: Installation,
  source: TrustSource,
  ctx: Context,
): Promise<VerifyPolicy> {
  const stack = stackOf(id, inst);
  if (!stack) return { profile: source.profile, securityLevel: 1, hostCheck: 'handshake', hostFlags: {} };
  const py: PythonInfo | null = pythonFromDetails(inst.details);
  let level = typeof stack.level === 'number' ? stack.level : undefined;
  // CPython >= 3.10 starts every context at @SECLEVEL=2; older ones keep the library's level.
  if (stack.level === 'python' && py && atLeast(py.version, [3, 10])) level = 2;
  level ??= (await opensslSecurityLevel(ctx)).level;
  return {
    profile: stack.profile === 'python' ? (py ? profileOf(py) : source.profile) : stack.profile,
    securityLevel: level,
    hostCheck: stack.hostCheck,
    hostFlags: stack.host,
    ...(stack.profile === 'gnutls' ? { gnutls: { caller: 'curl' as const } } : {}),
  };
}

/**
 * The code a client's own output can show. GnuTLS through libcurl says only "server certificate verification
 * failed" for every chain error, so for git the chain errors are one observable code.
 */
export function observable(id: string, code: string): string {
  const gnutlsChain =
    id === 'git' &&
    !['OK', 'HOSTNAME_MISMATCH', 'IP_ADDRESS_MISMATCH', 'CA_FILE_UNREADABLE', 'CONNECT', 'UNKNOWN'].includes(
      code,
    );
  return gnutlsChain ? 'VERIFY_FAILED' : code;
}

/** The client's printed line for a failure, from its stack's print style. */
export function renderFor(
  id: ClientId,
  v: { code: string; message: string },
  host: string,
  port?: number,
  inst?: Installation,
  detail?: RenderDetail,
): string {
  const stack = stackOf(id, inst ?? { client: id, path: '' });
  const trust = detail?.trust;
  return printLine(stack?.print ?? 'python-ssl', {
    code: v.code,
    message: v.message,
    host,
    port,
    url: detail?.url,
    leaf: detail?.leaf,
    pythonVersion: inst?.details?.pythonVersion,
    // libcurl is handed a CA file only when git is told one (GIT_SSL_CAINFO / http.sslCAInfo)
    caFile: trust && (trust.source === 'env' || trust.source === 'config') ? trust.path : null,
  });
}

// conda downloads through requests (conda/gateways/connection/session.py CondaSession), so it verifies and
// prints as requests does.
STACKS.conda = STACKS['python-requests'];
// poetry and pipenv send through requests too (poetry.ts, pipenv.ts); pdm through httpx on CPython ssl (pdm.ts).
STACKS.poetry = STACKS['python-requests'];
STACKS.pipenv = STACKS['python-requests'];
STACKS.pdm = STACKS.httpx;
