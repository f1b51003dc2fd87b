/**
 * `certifix verify`: predict, offline, whether a client built on OpenSSL accepts a certificate chain, and
 * with which error, without connecting anywhere.
 */
import { parseArgs } from 'node:util';
import { readFileBoundedSync } from '../bounded.ts';
import { type Cert, parseCerts } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import { type Profile, verifyChain } from '../core/verify/index.ts';
import { systemStore } from '../stores/index.ts';
import { systemTrustIndex } from '../stores/load.ts';
import { runProcess } from './context.ts';

export interface VerifyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const PROFILES: readonly Profile[] = ['openssl', 'python313', 'node', 'gnutls'];

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

Example:
  certifix verify server-chain.pem --ca corp-root.pem --host intranet.corp.example
  FAIL: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY) at depth 0

Exit status: 0 verified, 1 verification failed, 2 usage or input error.
`;

class UsageError extends Error {}

function readCerts(path: string): Cert[] {
  let data: Buffer;
  try {
    data = readFileBoundedSync(path);
  } catch (cause) {
    if (cause instanceof CertifixError) throw new UsageError(cause.message);
    throw new UsageError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
  }
  const { certs } = parseCerts(data, path);
  if (certs.length === 0) throw new UsageError(`${path} holds no certificate`);
  return certs;
}

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
    const profile = (values.profile ?? 'openssl') as Profile;
    if (!PROFILES.includes(profile))
      throw new UsageError(`unknown profile ${profile} (${PROFILES.join(', ')})`);
    const at = values.at === undefined ? undefined : new Date(values.at);
    if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at: not a date: ${values.at}`);
    const [leaf, ...sent] = readCerts(positionals[0] as string);
    const trusted = values.ca?.length
      ? values.ca.flatMap(readCerts)
      : systemTrustIndex(await systemStore({ env: io.env, platform: process.platform, run: runProcess }));
    const untrusted = [...sent, ...(values.untrusted ?? []).flatMap(readCerts)];
    const r = verifyChain({ leaf: leaf as Cert, untrusted, trusted, host: values.host, at, profile });
    const chain = r.chain.map((c) => ({ subject: c.subject, sha256: c.sha256 }));
    if (values.json) {
      const doc = {
        ok: r.ok,
        code: r.code,
        message: r.message,
        depth: r.depth,
        chain,
        ...(r.gnutls ? { gnutls: { status: r.gnutls.status, message: r.gnutls.message } } : {}),
      };
      io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      io.stdout(r.ok ? 'OK\n' : `FAIL: ${r.message} (${r.code}) at depth ${r.depth}\n`);
      if (r.gnutls && !r.ok) io.stdout(`  GnuTLS: ${r.gnutls.message} (${r.gnutls.status.join(' ')})\n`);
      chain.forEach((c, i) => {
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
