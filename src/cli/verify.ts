/**
 * `certifix verify`: predict, offline, whether a client built on OpenSSL accepts a certificate chain, and
 * with which error, without connecting anywhere.
 */
import { parseArgs } from 'node:util';
import { verify } from '../commands/verify.ts';
import { processContext } from '../context.ts';
import type { Profile } from '../core/verify/index.ts';

interface VerifyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

export const VERIFY_HELP = `Usage: certifix verify <cert-or-chain.pem> [options]

Check a certificate chain offline, the way OpenSSL-based clients do (Python, curl, Node, git),
and report the same error code they would.

The first certificate in the file is the server certificate; any others are treated as the
intermediates the server sends.

Options:
  --ca FILE          trusted CA bundle (repeatable); default: the OS store, as OpenSSL finds it
                     (SSL_CERT_FILE / SSL_CERT_DIR, else the distro bundle and hashed directory)
  --untrusted FILE   extra intermediates (repeatable)
  --host NAME        check the certificate is valid for this host name or IP address
  --at ISO-DATE      verify at this time instead of now (e.g. 2025-01-31T12:00:00Z)
  --profile NAME     openssl (Python <= 3.12, curl; default), python313 (strict, partial chains),
                     node (reports the last error, as Node does), gnutls (git and curl on
                     GnuTLS: no EKU check, SHA-1 refused; also prints GnuTLS's status flags)
  --json             print one JSON document
  -h, --help         show this help

Examples:
  certifix verify server-chain.pem --ca corp-root.pem --host intranet.corp.example
  FAIL: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY) at depth 0
  certifix verify server-chain.pem --profile gnutls --host git.corp.example   # as git on Debian sees it
  certifix export chain https://git.corp.example --out chain.pem && certifix verify chain.pem --json

Exit codes: 0 verified, 1 verification failed, 2 usage or input error.
`;

class UsageError extends Error {}

export async function verifyCommand(argv: string[], io: VerifyIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (e) {
    io.stderr(`certifix verify: ${(e as Error).message}\n(see certifix verify --help)\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return 0;
  }
  try {
    if (positionals.length !== 1) throw new UsageError('expected exactly one certificate file');
    const at = values.at === undefined ? undefined : new Date(values.at);
    if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at: not a date: ${values.at}`);
    const r = await verify(
      positionals[0] as string,
      {
        ca: values.ca,
        untrusted: values.untrusted,
        host: values.host,
        at,
        profile: (values.profile ?? 'openssl') as Profile,
      },
      processContext(io.env),
    );
    if (values.json) {
      io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    } else {
      io.stdout(r.ok ? 'OK\n' : `FAIL: ${r.message} (${r.code}) at depth ${r.depth}\n`);
      if (r.gnutls && !r.ok) io.stdout(`  GnuTLS: ${r.gnutls.message} (${r.gnutls.status.join(' ')})\n`);
      r.chain.forEach((c, i) => {
        io.stdout(`  ${i}  ${c.subject || '(empty subject)'}  sha256:${c.sha256.slice(0, 16)}…\n`);
      });
    }
    return r.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof Error && 'code' in e)) throw e;
    io.stderr(`certifix verify: ${(e as Error).message}\n`);
    return 2;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ca: { type: 'string', multiple: true },
      untrusted: { type: 'string', multiple: true },
      host: { type: 'string' },
      at: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
