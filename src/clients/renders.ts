/**
 * How each client prints a verification failure, by id, in a module that loads no adapter: `diagnose`
 * renders its verdicts from the kept resolution (stores/read-memo.ts) without loading the ~35 adapters of
 * registry.ts. A client whose stack row gives its print style (stack-table.ts) renders through stacks.ts; the
 * others have their line here. Each adapter's `render` is `renderOf(its id)`.
 */
import type { ClientId } from '../types.ts';
import { REASONS } from './messages.ts';
import { rustlsLine } from './rustls.ts';
import { authority } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

type Render = Client['render'];

// sun.security.validator.PKIXValidator wraps SunCertPathBuilderException in ValidatorException
// ("PKIX path building failed: ..."), thrown as SSLHandshakeException by the TLS stack; the host name
// check is sun.security.util.HostnameChecker ("No subject alternative DNS name matching x found.").
const java: Render = (v, host) => {
  if (v.code === 'HOSTNAME_MISMATCH')
    return `javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching ${host} found.`;
  if (v.code === 'CERT_HAS_EXPIRED')
    return 'javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed';
  return 'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target';
};

const php: Render = (v) =>
  v.code === 'HOSTNAME_MISMATCH'
    ? 'file_get_contents(): Peer certificate did not match expected name'
    : 'file_get_contents(): SSL operation failed with code 1. OpenSSL Error messages: error:0A000086:SSL routines::certificate verify failed';

const RENDERS: Partial<Record<ClientId, Render>> = {
  // Bun throws Node's error codes: `TypeError: unable to verify the first certificate` with
  // `code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE"` (measured, Bun 1.4.5).
  bun: (v) => `error: ${REASONS[v.code] ?? v.message}\n  code: "${v.code}"`,
  cargo: (v) =>
    `[60] SSL peer certificate or SSH remote key was not OK (SSL certificate problem: ${REASONS[v.code] ?? v.message})`,
  composer: php,
  deno: (v) => rustlsLine(v.code),
  docker: (v, host, port) => {
    // What the CLI prints for the daemon's error (goharbor/harbor#19496, docker/docs#15142).
    const why =
      v.code === 'CERT_HAS_EXPIRED'
        ? 'x509: certificate has expired or is not yet valid'
        : v.code === 'HOSTNAME_MISMATCH'
          ? `x509: certificate is not valid for ${host}`
          : 'x509: certificate signed by unknown authority';
    return `Error response from daemon: Get "https://${authority(host, port)}/v2/": tls: failed to verify certificate: ${why}`;
  },
  go: () => 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  // Gradle prints the JVM's exception, wrapped in its "Could not resolve ..." lines.
  gradle: (v, host) => java(v, host),
  java,
  maven: (v, host) => java(v, host),
  php,
  // pnpm and yarn run on Node: its line.
  pnpm: renderAs('node'),
  ruby: (v, host) => {
    if (v.code === 'HOSTNAME_MISMATCH')
      return `hostname "${host}" does not match the server certificate (OpenSSL::SSL::SSLError)`;
    return `SSL_connect returned=1 errno=0 state=error: certificate verify failed (${REASONS[v.code] ?? v.message}) (OpenSSL::SSL::SSLError)`;
  },
  vscode: (v) => `Error: ${v.message}\n  code: '${v.code}'`,
  wget: (v, host) => {
    if (v.code === 'HOSTNAME_MISMATCH')
      return `ERROR: no certificate subject alternative name matches requested host name '${host}'.`;
    if (v.code === 'CERT_HAS_EXPIRED') return `ERROR: The certificate of '${host}' has expired.`;
    return `ERROR: The certificate of '${host}' is not trusted.`;
  },
  yarn: renderAs('node'),
};

/** The client's `render`: its own line, else the one its stack row prints. */
export function renderOf(id: ClientId): Render {
  return RENDERS[id] ?? renderAs(id);
}
