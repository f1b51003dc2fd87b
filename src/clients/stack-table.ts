/**
 * Each client's verification stack as data: the TLS library it runs on, the security level and verify flags
 * of its context, where it checks the host name and by which rules, and how it prints a failure. Where it
 * takes its CAs from is the adapter's trust(). A client whose stack is like another's is one more row.
 * The rows are proved against the real clients by test/e2e/fidelity.test.ts; stacks.ts reads them.
 */
import type { VerifyPolicy } from '../core/predict.ts';
import type { HostFlags } from '../core/verify/index.ts';
import { atLeast } from '../core/version.ts';
import type { ClientId, Installation } from '../types.ts';
import type { PrintStyle } from './printed.ts';

export interface Stack {
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

/** requests, on whichever urllib3 it has: 1.26 and 2 check host names differently. */
const REQUESTS: Stack[] = [
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
];

export const STACKS: Partial<Record<ClientId, Stack[]>> = {
  'python-ssl': [CPYTHON_SSL],
  // httpx: ssl.create_default_context() + certifi (https://github.com/encode/httpx/blob/0.28.1/httpx/_config.py)
  httpx: [CPYTHON_SSL],
  // aiohttp: ssl.create_default_context() (https://github.com/aio-libs/aiohttp/blob/v3.11.0/aiohttp/connector.py)
  aiohttp: [CPYTHON_SSL],
  'python-requests': REQUESTS,
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
  // urllib3 alone verifies as requests does on the same urllib3, and fails with the ssl module's line.
  urllib3: REQUESTS.map((r) => ({ ...r, print: 'python-ssl' as const })),
  // conda downloads through requests (conda/gateways/connection/session.py CondaSession), so it verifies and
  // prints as requests does.
  conda: REQUESTS,
  // poetry and pipenv send through requests too (poetry.ts, pipenv.ts); pdm through httpx on CPython ssl from
  // 2.13, through requests before (pdm.ts). Their installations carry `details.urllib3` (tool-python.ts).
  poetry: REQUESTS,
  pipenv: REQUESTS,
  pdm: [
    ...REQUESTS.map((r) => ({
      ...r,
      when: (inst: Installation) => !atLeast(inst.version, [2, 13]) && (!r.when || r.when(inst)),
    })),
    CPYTHON_SSL,
  ],
  // gcloud sends through the requests it vendors (gcloud.ts), on its bundled CPython's ssl.
  gcloud: REQUESTS,
  // az sends through requests on the Python it runs on (az.ts).
  az: REQUESTS,
};
