/**
 * Which tool printed a pasted error, and where it says it was connecting: a table, tried in order.
 *
 * Order matters: wrappers before what they wrap. pip vendors requests and urllib3, conda calls requests, so
 * their tracebacks mention both; the outermost tool is the one whose advice helps, so it comes first.
 * npm before node, git before curl (git's verbose output is libcurl's), the Python HTTP libraries before the
 * bare ssl module they all end in.
 */
import type { Reason } from './reasons.ts';

export type ErrorClient =
  | 'conda'
  | 'pip'
  | 'uv'
  | 'npm'
  | 'git'
  | 'curl'
  | 'java'
  | 'python-aiohttp'
  | 'python-httpx'
  | 'python-requests'
  | 'python-urllib3'
  | 'python-urllib'
  | 'python-ssl'
  | 'node'
  // A reason we know, in words no row claims (a bare OpenSSL reason string, an unknown tool).
  | 'unknown';

interface Recogniser {
  client: ErrorClient;
  /** Any of these in the text means this tool printed it. */
  markers: RegExp[];
  /** Reasons in this tool's own words, tried before the shared OpenSSL table. */
  reasons?: Reason[];
}

// biome-ignore format: one row per line reads as a table
export const RECOGNISERS: readonly Recogniser[] = [
  // conda wraps requests: "CondaSSLError: Encountered an SSL error. Most likely a certificate verification issue."
  { client: 'conda', markers: [/CondaSSLError|CondaHTTPError|conda[/\\]gateways/] },
  {
    client: 'pip',
    markers: [
      /pip[._]_(?:vendor|internal)|[/\\]site-packages[/\\]pip[/\\]/,
      /^Looking in indexes: /m,
      /There was a problem confirming the ssl certificate/,
      /No matching distribution found for /,
    ],
  },
  // uv (rustls + reqwest). Other rustls tools print the same "invalid peer certificate: <webpki error>";
  // the advice (SSL_CERT_FILE, system certs) is the same for them.
  {
    client: 'uv',
    markers: [/invalid peer certificate/],
    reasons: [
      // webpki's UnknownIssuer = no path to a trust anchor; it cannot tell 19 from 20, 20 is the closer.
      { re: /UnknownIssuer/, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'unable to get local issuer certificate' },
      { re: /invalid peer certificate: Expired/, code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
      { re: /NotValidForName/, code: 'HOSTNAME_MISMATCH', message: 'hostname mismatch' },
      { re: /invalid peer certificate: NotValidYet/, code: 'CERT_NOT_YET_VALID', message: 'certificate is not yet valid' },
      { re: /invalid peer certificate: BadSignature/, code: 'CERT_SIGNATURE_FAILURE', message: 'certificate signature failure' },
    ],
  },
  // npm 7+ "npm error"/"npm ERR!" lines; `code` is Node's err.code.
  { client: 'npm', markers: [/^npm (?:ERR!|error|WARN|warn) /m] },
  {
    client: 'git',
    markers: [/^fatal: unable to access '/m, /^Cloning into '/m],
    reasons: [
      // Debian's git uses libcurl-gnutls: the same sentence for an unknown root, a missing intermediate and an
      // expired certificate (verified against a local server: see test/fixtures/errors/git-*.txt).
      {
        re: /server certificate verification failed/,
        code: 'CERT_VERIFY_FAILED',
        message: 'certificate verify failed',
      },
    ],
  },
  // libcurl's "SSL certificate problem: <reason>" (git with OpenSSL says it too, but git is matched first).
  {
    client: 'curl',
    markers: [/^curl: \(\d+\)/m, /curl\.se\/docs\/sslcerts/, /^\* +Trying \S+\.\.\.$/m, /SSL certificate problem: /],
  },
  {
    client: 'java',
    markers: [/javax\.net\.ssl\.|sun\.security\.(?:validator|provider\.certpath|ssl)\.|java\.security\.cert\./],
    reasons: [
      { re: /CertificateExpiredException/, code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
      { re: /CertificateNotYetValidException/, code: 'CERT_NOT_YET_VALID', message: 'certificate is not yet valid' },
      { re: /No (?:subject alternative (?:DNS )?names?|name) matching/, code: 'HOSTNAME_MISMATCH', message: 'hostname mismatch' },
      // PKIX "unable to find valid certification path to requested target": no path to a trust anchor in
      // the keystore. Java does not say whether the server sent its root (19) or not (20); 20 is the closer.
      {
        re: /PKIX path building failed|unable to find valid certification path/,
        code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        message: 'unable to get local issuer certificate',
      },
      { re: /validity check failed/, code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
    ],
  },
  { client: 'python-aiohttp', markers: [/aiohttp[./\\]/] },
  { client: 'python-httpx', markers: [/\bhttpx[./\\]|\bhttpcore[./\\]/] },
  { client: 'python-requests', markers: [/requests\.exceptions\.|[/\\]site-packages[/\\]requests[/\\]/] },
  { client: 'python-urllib3', markers: [/urllib3\.exceptions\./] },
  { client: 'python-urllib', markers: [/urllib\.error\.URLError|<urlopen error /] },
  { client: 'python-ssl', markers: [/ssl\.SSLCertVerificationError|\[SSL: CERTIFICATE_VERIFY_FAILED\]/] },
  {
    client: 'node',
    markers: [/node:_tls_wrap|_tls_wrap\.js|node:internal\/|TypeError: fetch failed|code: '[A-Z_]+'/],
  },
];

/**
 * Where the text says it was connecting, most explicit first. Each returns a URL or host[:port] string.
 * URLs give a port only when they have one (else 443); bare host names leave the port unknown.
 */
export const WHERE: readonly { re: RegExp; kind: 'hostport' | 'url' | 'host' }[] = [
  { re: /host='([^']+)', port=(\d+)/, kind: 'hostport' }, // urllib3 / requests / pip 23 / conda
  { re: /Cannot connect to host (\S+?):(\d+) ssl:/, kind: 'hostport' }, // aiohttp
  { re: /unable to access '(https?:\/\/[^']+)'/, kind: 'url' }, // git
  { re: /request to (https?:\/\/\S+) failed/, kind: 'url' }, // npm
  { re: /Connected to (\S+) \([^)]*\) port (\d+)/, kind: 'hostport' }, // curl -v
  { re: /Failed to connect to (\S+) port (\d+)/, kind: 'hostport' }, // curl
  { re: /Could not fetch URL (https?:\/\/\S+?):? There was/, kind: 'url' }, // pip 24+
  { re: /error sending request for url \((https?:\/\/[^)\s]+)\)/, kind: 'url' }, // uv / reqwest
  { re: /Failed to download (https?:\/\/\S+)/, kind: 'url' }, // uv
  { re: /^Looking in indexes: (https?:\/\/[^\s,]+)/m, kind: 'url' }, // pip
  { re: /certificate is not valid for '([^']+)'/, kind: 'host' }, // Python ssl hostname check
  { re: /hostname '([^']+)' doesn't match/, kind: 'host' }, // urllib3 1.x
  { re: /(?:does not match|matches) target host ?name '([^']+)'/, kind: 'host' }, // curl, git
  { re: /No subject alternative (?:DNS )?names? matching (?:IP address )?(\S+?) found/, kind: 'host' }, // Java
  { re: /^\s*host: '([^']+)'/m, kind: 'host' }, // Node's error object
  { re: /Host: ([^\s.]+(?:\.[^\s.]+)*)\. is not in the cert's altnames/, kind: 'host' }, // Node
];

/** URLs in a paste that name documentation, never the server that failed. */
export const NOT_THE_SERVER =
  /^(?:curl\.se|docs\.npmjs\.com|requests\.readthedocs\.io|urllib3\.readthedocs\.io)$/;
