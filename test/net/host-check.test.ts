import { isIP } from 'node:net';
import { cachedDataVersionTag } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { armHostCheck, primeHostCheck } from '../../src/net/host-check.ts';

describe('primeHostCheck', () => {
  it('leaves V8 flags as they were (the code caches stay valid) and isIP answering as before', async () => {
    const tag = cachedDataVersionTag();
    await primeHostCheck(); // not armed: nothing
    expect(cachedDataVersionTag()).toBe(tag);
    armHostCheck();
    await primeHostCheck();
    await primeHostCheck(); // once only
    expect(cachedDataVersionTag()).toBe(tag);
    expect([isIP('localhost'), isIP('::1'), isIP('127.0.0.1'), isIP('fe80::1%eth0'), isIP('1.2.3')]).toEqual([
      0, 6, 4, 6, 0,
    ]);
  });
});
