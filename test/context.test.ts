/** The real process runner. */
import { describe, expect, it } from 'vitest';
import { runProcess } from '../src/context.ts';

describe('runProcess', () => {
  it('passes input on stdin', async () => {
    const r = await runProcess('cat', [], { input: 'hello' });
    expect(r).toMatchObject({ code: 0, stdout: 'hello' });
  });

  it('survives a program that exits without reading its input (EPIPE on its stdin)', async () => {
    // More than a pipe buffer, so the write is still pending when `true` exits and closes the pipe.
    const r = await runProcess('true', [], { input: 'x'.repeat(4 * 1024 * 1024) });
    expect(r.code).toBe(0);
  });

  it('says a program was stopped for taking too long, as the last line of its output', async () => {
    const r = await runProcess('sh', ['-c', 'echo started >&2; sleep 5'], { timeoutMs: 200 });
    expect(r.code).toBeNull();
    expect(r.stopped).toBe(true);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('certifix stopped sh after 0.2 s: it had not finished');
  });

  it('reports a non-zero exit without throwing', async () => {
    const r = await runProcess('sh', ['-c', 'echo oops >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stderr: 'oops\n' });
    expect(r.stopped).toBeUndefined();
  });
});
