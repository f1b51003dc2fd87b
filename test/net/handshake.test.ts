import { createHash } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw } from '../../src/net/connect.ts';
import { ClientHandshake, type ServerFlight } from '../../src/net/handshake.ts';
import {
  HandshakeBuffer,
  handshakeMessage,
  parseCertificateMessage,
  RecordReader,
  TlsFailure,
} from '../../src/net/tls-records.ts';
import { hkdfExpandLabel, hkdfExtract, serverHandshakeKeys, TLS13_SUITES } from '../../src/net/tls13.ts';
import { fingerprints, makePki, type NetPki } from './fixtures.ts';
import { type Running, startTls } from './servers.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('TLS 1.3 key schedule against RFC 8448 §3 (simple 1-RTT handshake)', () => {
  const suite = TLS13_SUITES.get(0x1301);
  it('derives the published early secret, derived secret and server handshake key/iv', () => {
    if (!suite) throw new Error('suite table');
    const zeros = Buffer.alloc(32);
    const early = hkdfExtract('sha256', zeros, zeros);
    expect(early.toString('hex')).toBe('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
    const empty = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hkdfExpandLabel('sha256', early, 'derived', empty, 32).toString('hex')).toBe(
      '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba',
    );
    const shared = hex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d');
    const helloHash = hex('860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8');
    const { key, iv } = serverHandshakeKeys(suite, shared, helloHash);
    expect(key.toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(iv.toString('hex')).toBe('5d313eb2671276ee13000b30');
  });
});

describe('record and handshake framing', () => {
  it('recognises an HTTP answer as not TLS', () => {
    const r = new RecordReader();
    r.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(() => r.next()).toThrow(/did not answer with TLS.*HTTP\/1\.1 400 Bad Request/);
  });

  it('flags a non-TLS first byte before a whole header arrives', () => {
    const r = new RecordReader();
    r.push(Buffer.from('SS'));
    expect(() => r.next()).toThrowError(TlsFailure);
  });

  it('reassembles messages split across pushes and packed together', () => {
    const a = handshakeMessage(8, Buffer.alloc(3, 1));
    const b = handshakeMessage(11, Buffer.alloc(5, 2));
    const both = Buffer.concat([a, b]);
    const hb = new HandshakeBuffer();
    const seen: number[] = [];
    for (const byte of both) {
      hb.push(Buffer.from([byte]));
      for (let m = hb.next(); m; m = hb.next()) seen.push(m.type, m.body.length);
    }
    expect(seen).toEqual([8, 3, 11, 5]);
    expect(hb.empty).toBe(true);
  });

  it('refuses a truncated Certificate message as a protocol failure', () => {
    const body = Buffer.from([0, 0, 10, 0, 0, 3, 1, 2]); // list claims 10 bytes, has 5
    expect(() => parseCertificateMessage(body, false)).toThrow(/truncated/);
  });
});

describe('ClientHandshake fed one byte at a time by a live server', () => {
  let p: NetPki;
  const open: Running[] = [];
  beforeAll(() => {
    p = makePki();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });

  it.each([
    ['TLSv1.2', 'X25519'],
    ['TLSv1.3', 'X25519'],
    ['TLSv1.3', 'P-256'], // with a HelloRetryRequest in the middle
  ] as [SecureVersion, string][])('%s, %s', async (version, curve) => {
    const chain = [p.bigLeaf, p.int, p.root];
    const srv = await startTls(
      p.bigLeaf.keyPem,
      chain.map((c) => c.pem),
      { minVersion: version, maxVersion: version, ecdhCurve: curve },
    );
    open.push(srv);
    const sock = await connectRaw({ host: '127.0.0.1', port: srv.port });
    const hs = new ClientHandshake({ servername: 'localhost' });
    const flight = await new Promise<ServerFlight>((resolve, reject) => {
      sock.on('error', reject);
      sock.on('data', (chunk: Buffer) => {
        try {
          for (const byte of chunk) {
            const step = hs.feed(Buffer.from([byte]));
            if (step.send) sock.write(step.send);
            if (step.done) return resolve(step.done);
          }
        } catch (e) {
          reject(e);
        }
      });
      sock.write(hs.start());
    });
    sock.destroy();
    expect(flight.protocol).toBe(version);
    expect(flight.helloRetry).toBe(curve === 'P-256');
    expect(flight.certs.map((der) => createHash('sha256').update(der).digest('hex'))).toEqual(
      fingerprints(chain),
    );
  });
});
