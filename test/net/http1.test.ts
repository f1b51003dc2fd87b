/**
 * The HTTP/1.1 GET that fetches issuers, against raw responses from a real socket: each way a message can
 * end (Content-Length, chunked, the server closing), and the bounds.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http1Get } from '../../src/net/http1.ts';

const answers: Record<string, string> = {
  '/length': 'HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: 5\r\n\r\nhello',
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n',
  '/close': 'HTTP/1.0 200 OK\r\n\r\nhello',
  '/redirect': 'HTTP/1.1 302 Found\r\nLocation: /length\r\nContent-Length: 0\r\n\r\n',
  '/big': `HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`,
  '/bigchunks': `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n${'x'.repeat(100)}\r\n0\r\n\r\n`,
  '/short': 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello',
  '/nothttp': 'SSH-2.0-OpenSSH_9.2\r\n\r\n',
};

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((s) => {
    s.once('data', (req) => {
      const path = /^GET (\S+)/.exec(req.toString('latin1'))?.[1] ?? '';
      s.end(answers[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

const get = (path: string, maxBytes = 1024) =>
  http1Get(
    { host: '127.0.0.1', port, path },
    { host: `127.0.0.1:${port}` },
    {
      maxBytes,
      signal: new AbortController().signal,
    },
  );

describe('http1Get', () => {
  it('reads a body by its length, by chunks, or to the close', async () => {
    const a = await get('/length');
    expect([a.statusCode, a.headers['content-type'], a.body.toString()]).toEqual([
      200,
      'application/pkix-cert',
      'hello',
    ]);
    expect((await get('/chunked')).body.toString()).toBe('hello');
    expect((await get('/close')).body.toString()).toBe('hello');
    const r = await get('/redirect');
    expect([r.statusCode, r.headers.location]).toEqual([302, '/length']);
  });

  it('refuses bodies over the bound and incomplete or non-HTTP answers', async () => {
    await expect(get('/big', 50)).rejects.toThrow(/100 bytes is over the 50-byte limit/);
    await expect(get('/bigchunks', 50)).rejects.toThrow(/over the 50-byte limit/);
    await expect(get('/short')).rejects.toThrow(/closed the connection early/);
    await expect(get('/nothttp')).rejects.toThrow(/did not answer with HTTP/);
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      http1Get({ host: '127.0.0.1', port, path: '/length' }, {}, { maxBytes: 10, signal: ac.signal }),
    ).rejects.toThrow(/aborted/);
  });
});
