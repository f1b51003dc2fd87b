import { describe, expect, it } from 'vitest';
import { CertifixError, fileErrorReason, readError } from '../../src/core/errors.ts';

const errno = (code: string) => Object.assign(new Error(`${code}: raw text, open 'x'`), { code });

describe('file errors in plain words', () => {
  it.each([
    [errno('ENOENT'), '/tmp/a.pem', 'read', 'no such file'],
    [
      errno('ENOENT'),
      '/tmp/missing-dir/out/a.crt',
      'write',
      'the directory /tmp/missing-dir/out does not exist',
    ],
    [errno('EACCES'), '/etc/x', 'read', 'permission denied'],
    [errno('EISDIR'), '/etc', 'read', 'it is a directory'],
    [errno('ENOTDIR'), '/etc/passwd/x', 'read', 'a part of the path is not a directory'],
    [errno('EWEIRD'), '/x', 'read', 'EWEIRD'],
    [new Error('not a regular file'), '/x', 'read', 'not a regular file'],
  ] as const)('%s on %s (%s): %s', (cause, path, op, reason) => {
    expect(fileErrorReason(cause, path, op)).toBe(reason);
  });

  it('readError: "cannot read FILE: no such file", the errno kept as the cause', () => {
    const cause = errno('ENOENT');
    const e = readError('nofile.pem', cause, 'BAD_CERT_INPUT');
    expect(e).toMatchObject({
      code: 'BAD_CERT_INPUT',
      message: 'cannot read nofile.pem: no such file',
      cause,
    });
    expect(readError('x', errno('ENOENT')).code).toBe('IO');
  });

  it('readError passes a CertifixError (a file past its size limit) through as it is', () => {
    const tooLarge = new CertifixError('TOO_LARGE', '/dev/zero is larger than 4 MB');
    expect(readError('/dev/zero', tooLarge)).toBe(tooLarge);
  });
});
