/**
 * The one error base class. `code` is stable (scripts and tests match on it); `cause` keeps the original.
 * The CLI prints `message` for expected failures and never a stack trace.
 */
import { dirname } from 'node:path';

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
  | 'NOT_CONFIGURED' // certifix has not configured this machine: nothing to refresh
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

/** The file errors users meet, in their words; other codes are shown as they are. */
const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Why a file operation on `path` failed, in plain words: "no such file", "permission denied"; a write that
 * fails with ENOENT names the directory that is missing. Falls back to the errno code, then the message.
 */
export function fileErrorReason(cause: unknown, path: string, op: 'read' | 'write' = 'read'): string {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' && op === 'write') return `the directory ${dirname(path)} does not exist`;
  const plain = code === undefined ? undefined : FILE_REASONS[code];
  return plain ?? code ?? (cause instanceof Error ? cause.message : String(cause));
}

/** A file named on the command line that cannot be read: `cannot read FILE: no such file`. */
export function readError(path: string, cause: unknown, code: ErrorCode = 'IO'): CertifixError {
  if (cause instanceof CertifixError) return cause; // TOO_LARGE and the like say it already
  return new CertifixError(code, `cannot read ${path}: ${fileErrorReason(cause, path)}`, { cause });
}
