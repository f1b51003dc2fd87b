/**
 * The one error base class. `code` is stable (scripts and tests match on it); `cause` keeps the original.
 * The CLI prints `message` for expected failures and never a stack trace.
 */
export type ErrorCode =
  | 'USAGE' // bad arguments or flags
  | 'BAD_URL' // the target is not an https URL or host[:port]
  | 'CONNECT' // DNS, refused, reset, timeout
  | 'NOT_TLS' // the peer did not speak TLS
  | 'PROXY' // the proxy refused or is unreachable
  | 'BAD_CERT_INPUT' // a file that holds no certificate
  | 'REFUSED' // a safety rule stopped us (leaf as CA, unconfirmed network root, ...)
  | 'LOCKED' // another certifix run holds the lock
  | 'IO' // a file could not be read or written
  | 'TOO_LARGE' // an input past its size limit (a device, a whole disk image)
  | 'CANCELLED' // the user said no, or closed the prompt (Ctrl-D): nothing changed
  | 'INTERRUPTED' // Ctrl-C at a prompt: nothing changed
  | 'UNRECOGNISED' // a pasted text holds no TLS verification error certifix knows
  | 'UNSUPPORTED'; // a platform or client we cannot handle here

export class CertifixError extends Error {
  readonly code: ErrorCode;
  /** A one-line hint for the user, shown under the message. */
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CertifixError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isCertifixError(e: unknown): e is CertifixError {
  return e instanceof CertifixError;
}
