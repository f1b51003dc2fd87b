import { join } from 'node:path';
import { envOf, isDir, isFile, sys } from '../host-files.ts';
import type { Verdict } from '../types.ts';
import { NOT_VERIFIED, REASONS } from './messages.ts';
import { inTempDir, onPath, runVerdict, sslCertFilePlan } from './on-path.ts';
import { renderOf } from './renders.ts';
import type { Client } from './types.ts';

/** root_linux.go certFiles (first existing wins) and root_unix.go certDirectories. */
const CERT_FILES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian/Ubuntu/Gentoo etc.
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora/RHEL 6
  '/etc/ssl/ca-bundle.pem', // OpenSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS/RHEL 7
  '/etc/ssl/cert.pem', // Alpine Linux
];
const CERT_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

/**
 * The `"Error"` of `go mod download -json` (cmd/go/internal/modcmd/download.go prints one JSON object per
 * module; a string's quotes and control characters escaped as Go's encoding/json does), its first line: an
 * HTTP error adds "\n\tserver response: …". Undefined when go printed no such field (it failed before fetching).
 */
export function goError(output: string): string | undefined {
  const m = /"Error": ("(?:[^"\\]|\\.)*")/.exec(output);
  if (!m?.[1]) return undefined;
  try {
    return String(JSON.parse(m[1])).split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * The errors of the module proxy protocol (cmd/go/internal/modfetch/proxy.go) that come after an HTTP answer
 * from the proxy, so after a verified handshake: `reading URL: 404 Not Found` (any status), `invalid response
 * from proxy "URL": invalid character '<' looking for beginning of value` (a page that is not JSON: any plain
 * website) or `: unexpected end of JSON input`, `proxy returned info for version …`, `zip: not a valid zip
 * file`. Only these count: go also fails before it dials (a GOPROXY it cannot parse, `module lookup disabled`),
 * and a fetch that got no answer is wrapped as `Get "URL": <cause>` by net/http.
 */
const AFTER_RESPONSE =
  /: reading https?:\/\/\S+: \d{3}\b|: invalid response from proxy "https?:\/\/[^"]*": |: proxy returned info for version |(?:^|: )zip: not a valid zip file$/;

/**
 * What Go prints (crypto/x509 error strings, verify.go); it never names OpenSSL's reasons. Go ≥ 1.20 puts
 * "tls: failed to verify certificate: " before them (crypto/tls CertificateVerificationError).
 */
export function goVerdict(output: string, code: number | null): Verdict {
  const error = goError(output);
  const said = error ?? output;
  if (/x509: certificate is valid for|x509: certificate is not valid for any names/.test(said))
    return {
      ok: false,
      code: 'HOSTNAME_MISMATCH',
      message: REASONS.HOSTNAME_MISMATCH ?? '',
      printed: error,
    };
  if (/x509: certificate has expired or is not yet valid/.test(said))
    return {
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      message: REASONS.CERT_HAS_EXPIRED ?? '',
      printed: error,
    };
  if (/x509: |tls: failed to verify/.test(said))
    return {
      ok: false,
      code: NOT_VERIFIED.UNSPECIFIED,
      message: 'certificate signed by unknown authority',
      printed: error,
    };
  // An error only an HTTP answer can cause (a 404, a page that is not a module) means the handshake verified.
  if (code === 0 || (error !== undefined && AFTER_RESPONSE.test(error)))
    return { ok: true, code: 'OK', message: 'ok' };
  if (/connection refused|no such host/i.test(said))
    return { ok: false, code: NOT_VERIFIED.CONNECT, message: 'could not connect', printed: error };
  return {
    ok: false,
    code: NOT_VERIFIED.UNKNOWN,
    message: 'go failed',
    printed: error ?? output.trim().split('\n').filter(Boolean).at(-1)?.trim(),
  };
}

export const go: Client = {
  id: 'go',

  detect: onPath('go', 'go'),

  async trust(_inst, ctx) {
    const profile = 'openssl' as const;
    const envFile = envOf(ctx, 'SSL_CERT_FILE');
    const envDirs = envOf(ctx, 'SSL_CERT_DIR');
    let file: string | null = null;
    if (envFile) file = (await isFile(envFile)) ? envFile : null;
    else for (const f of CERT_FILES) if (!file && (await isFile(sys(ctx, f)))) file = sys(ctx, f);
    const dirs: string[] = [];
    for (const d of envDirs ? envDirs.split(':') : CERT_DIRS.map((x) => sys(ctx, x)))
      if (d && (await isDir(d))) dirs.push(d);
    const via = [envFile && 'SSL_CERT_FILE', envDirs && 'SSL_CERT_DIR'].filter(Boolean).join('+');
    return {
      source: via ? 'env' : 'system',
      ...(via ? { via } : {}),
      path: file,
      files: file ? [file] : [],
      dirs,
      profile,
      why: via
        ? `${via} ${via.includes('+') ? 'are' : 'is'} set; Go reads it instead of its default ${envFile ? 'bundle file' : 'directories'}.`
        : 'Go reads the system bundle and /etc/ssl/certs.',
      ...(envFile && !file ? { warnings: [`SSL_CERT_FILE points to ${envFile}, which does not exist`] } : {}),
    };
  },

  render: renderOf('go'),

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'go',
      bundlePath,
      'Set SSL_CERT_FILE to the merged bundle: Go programs read it instead of the system bundle file.',
    ),

  async check(inst, url, ctx) {
    // Everything go writes goes to a throwaway GOPATH/GOCACHE, never the user's.
    return inTempDir('go', async (dir) => {
      const env = {
        ...ctx.env,
        // GOPROXY is a list (',' and '|' separate entries): the URL is one entry, escaped. No go.env file, and
        // no module path fetched directly (GOPRIVATE, GONOPROXY) or without TLS (GOINSECURE): the URL is the
        // only server go talks to.
        GOPROXY: url.replace(/,/g, '%2C').replace(/\|/g, '%7C'),
        GOENV: 'off',
        GOPRIVATE: '',
        GONOPROXY: '',
        GONOSUMDB: '',
        GOINSECURE: '',
        GOSUMDB: 'off',
        GONOSUMCHECK: '1',
        GOFLAGS: '-mod=mod',
        GOPATH: join(dir, 'gopath'),
        GOMODCACHE: join(dir, 'gopath', 'pkg', 'mod'),
        GOCACHE: join(dir, 'cache'),
        GOTOOLCHAIN: 'local',
        GO111MODULE: 'on',
      };
      return runVerdict(
        ctx,
        inst.path,
        ['mod', 'download', '-json', 'example.com/certifix-probe@v0.0.1'],
        { env, cwd: dir },
        goVerdict,
      );
    });
  },
};
