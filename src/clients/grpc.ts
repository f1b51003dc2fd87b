/**
 * gRPC for Python (grpcio; the C core): `grpc.ssl_channel_credentials()` without root certificates takes the
 * default roots from `DefaultSslRootStore::ComputePemRootCerts`
 * (https://github.com/grpc/grpc/blob/master/src/core/lib/security/security_connector/ssl_utils.cc): the file
 * GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names (https://github.com/grpc/grpc/blob/master/doc/environment_variables.md),
 * else the roots-override callback, which grpcio sets to its own grpc/_cython/_credentials/roots.pem
 * (https://github.com/grpc/grpc/blob/master/src/python/grpcio/grpc/_cython/_cygrpc/credentials.pyx.pxi
 * `ssl_roots_override_callback`). Each replaces the others; the OS store is never reached from Python.
 * Proxies: the C core reads grpc_proxy, https_proxy, http_proxy and no_proxy.
 */
import { join } from 'node:path';
import type { Verdict } from '../types.ts';
import { NOT_VERIFIED, verdictFromOutput } from './messages.ts';
import { envPlan } from './on-path.ts';
import { profileFor, pythonLib } from './python-lib.ts';
import { firstSetting } from './source.ts';

/**
 * What a call on a fresh channel reports (recorded with grpcio 1.84 against `openssl s_server`): a failed
 * verification is "Tls handshake failed (TSI_PROTOCOL_FAILURE): ... CERTIFICATE_VERIFY_FAILED: <reason>";
 * once the certificate verified, a server that is not gRPC fails later ("Cannot check peer: missing selected
 * ALPN property", or an HTTP/2 status), which means TLS itself was fine.
 */
function grpcVerdict(output: string, code: number | null): Verdict {
  // A server without h2 aborts the handshake before sending its certificate: nothing was verified.
  if (/NO_APPLICATION_PROTOCOL/.test(output))
    return {
      ok: false,
      code: NOT_VERIFIED.UNKNOWN,
      message: 'the server does not speak HTTP/2 (ALPN h2), so gRPC never saw its certificate',
      printed: output
        .split('\n')
        .find((l) => /NO_APPLICATION_PROTOCOL/.test(l))
        ?.trim(),
    };
  if (/CERTIFICATE_VERIFY_FAILED|Tls handshake failed|Ssl handshake failed/.test(output)) {
    const v = verdictFromOutput(output.replace(/self signed certificate/g, 'self-signed certificate'), code);
    const printed = output
      .split('\n')
      .find((l) => /handshake failed/.test(l))
      ?.trim();
    return v.ok || v.code === NOT_VERIFIED.UNKNOWN
      ? { ok: false, code: NOT_VERIFIED.UNSPECIFIED, message: 'certificate verify failed', printed }
      : { ...v, printed };
  }
  if (
    /Cannot check peer: missing selected ALPN|HTTP_STATUS|StatusCode\.(UNIMPLEMENTED|INTERNAL|UNKNOWN)\b/.test(
      output,
    )
  )
    return { ok: true, code: 'OK', message: 'ok' };
  return verdictFromOutput(output, code);
}

export const grpc = pythonLib({
  id: 'grpc',
  pkg: 'grpc',

  async trust(py, inst, ctx) {
    const profile = profileFor(py);
    const own = join(inst.path, '_cython', '_credentials', 'roots.pem');
    const t = await firstSetting(ctx, profile, [{ env: 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH' }], () => ({
      source: 'bundled',
      path: own,
      files: [own],
      dirs: [],
      profile,
      why: 'grpcio uses its own roots.pem unless GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is set.',
    }));
    return {
      ...t,
      ignores: ['Channels given ssl_channel_credentials(root_certificates=…) ignore the variable.'],
    };
  },

  plan: (_inst, bundlePath) =>
    envPlan(
      'grpc',
      'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH',
      bundlePath,
      "Set GRPC_DEFAULT_SSL_ROOTS_FILE_PATH to the merged bundle: gRPC's default roots come from it.",
      ['Channels created with explicit root_certificates keep them.'],
    ),

  probe: [
    'import sys, grpc',
    'from urllib.parse import urlsplit',
    'u = urlsplit(sys.argv[1])',
    'ch = grpc.secure_channel(f"{u.hostname}:{u.port or 443}", grpc.ssl_channel_credentials())',
    'try:',
    '    ch.unary_unary("/certifix.Probe/Check")(b"", timeout=20)',
    '    print("HTTP_STATUS", 200)',
    'except grpc.RpcError as e:',
    '    print(e.code(), e.details())',
  ].join('\n'),
  verdict: grpcVerdict,
});
