import { createHash, randomBytes } from 'node:crypto';
import {
  buildClientHello,
  GROUP_IDS,
  type Group,
  isOfferedGroup,
  type KeyShare,
  makeKeyShare,
} from './client-hello.ts';
import {
  alertName,
  CONTENT,
  Cursor,
  HandshakeBuffer,
  HS,
  parseCertificateMessage,
  RecordReader,
  TlsFailure,
  wrapRecords,
} from './tls-records.ts';
import { RecordDecrypter, type Suite, serverHandshakeKeys, TLS13_SUITES, transcriptHash } from './tls13.ts';

/**
 * Client side of a handshake that stops as soon as the server's Certificate message is read: plaintext in
 * TLS 1.2, decrypted with the handshake traffic key in TLS 1.3. A push parser: the caller owns the socket.
 */

export interface ServerFlight {
  protocol: 'TLSv1.2' | 'TLSv1.3';
  /** DER certificates exactly as sent, in order. */
  certs: Buffer[];
  alpn?: string;
  /** IANA cipher suite id chosen by the server. */
  cipherSuite: number;
  helloRetry: boolean;
}

interface HandshakeOptions {
  servername?: string | undefined;
  alpn?: readonly string[] | undefined;
  /** Groups we send key shares for up front; others are reachable through HelloRetryRequest. */
  keyShares?: readonly Group[] | undefined;
}

type Step = { send?: Buffer; done?: ServerFlight };

// SHA-256("HelloRetryRequest"): the ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();

interface ServerHello {
  random: Buffer;
  cipherSuite: number;
  version: number;
  keyShare?: { group: number; key: Buffer };
  selectedGroup?: number;
  cookie?: Buffer;
  alpn?: string;
}

export class ClientHandshake {
  private readonly records = new RecordReader();
  private readonly plain = new HandshakeBuffer();
  private readonly encrypted = new HandshakeBuffer();
  private readonly random = randomBytes(32);
  private readonly sessionId = randomBytes(32);
  private shares: KeyShare[];
  /** Raw handshake messages for the transcript: CH1 [, HRR, CH2], SH. */
  private readonly transcript: Buffer[] = [];
  private state: 'hello' | 'tls12' | 'tls13' = 'hello';
  private hrr: ServerHello | undefined;
  private decrypter: RecordDecrypter | undefined;
  private suite: Suite | undefined;
  private alpn: string | undefined;
  private tls12Suite = 0;

  constructor(private readonly opts: HandshakeOptions = {}) {
    this.shares = (opts.keyShares ?? ['x25519']).map((g) => makeKeyShare(GROUP_IDS[g]));
  }

  /** The first flight: our ClientHello in one or more records. */
  start(): Buffer {
    return this.hello();
  }

  private hello(cookie?: Buffer): Buffer {
    const msg = buildClientHello({
      random: this.random,
      sessionId: this.sessionId,
      servername: this.opts.servername,
      alpn: this.opts.alpn,
      shares: this.shares,
      cookie,
    });
    this.transcript.push(msg);
    // Record version 0x0301 in the first hello for old middleboxes, 0x0303 after (as OpenSSL does).
    return wrapRecords(CONTENT.handshake, msg, cookie || this.hrr ? 0x0303 : 0x0301);
  }

  /** Feed bytes from the server; returns bytes to send (after a HelloRetryRequest) and/or the result. */
  feed(chunk: Buffer): Step {
    this.records.push(chunk);
    const step: Step = {};
    for (let rec = this.records.next(); rec; rec = this.records.next()) {
      if (rec.type === CONTENT.changeCipherSpec) continue; // middlebox-compatibility CCS: meaningless here
      if (rec.type === CONTENT.alert) {
        checkAlert(rec.body);
        continue;
      }
      if (rec.type === CONTENT.applicationData) {
        if (!this.decrypter) throw new TlsFailure('protocol', 'encrypted record before ServerHello');
        const inner = this.decrypter.decrypt(rec.header, rec.body);
        if (inner.type === CONTENT.alert) checkAlert(inner.content, true);
        else if (inner.type === CONTENT.handshake) this.encrypted.push(inner.content);
        else throw new TlsFailure('protocol', `unexpected record type ${inner.type} during the handshake`);
      } else if (rec.type === CONTENT.handshake) {
        if (this.state === 'tls13') throw new TlsFailure('protocol', 'plaintext handshake after ServerHello');
        this.plain.push(rec.body);
      }
      const out = this.drain();
      if (out.send) step.send = out.send;
      if (out.done) return { ...step, done: out.done };
    }
    return step;
  }

  private drain(): Step {
    const source = this.state === 'tls13' ? this.encrypted : this.plain;
    for (let msg = source.next(); msg; msg = source.next()) {
      if (this.state === 'hello') {
        if (msg.type !== HS.serverHello)
          throw new TlsFailure('protocol', `expected ServerHello, got ${msg.type}`);
        const send = this.onServerHello(msg.raw, parseServerHello(msg.body));
        if (send) return { send };
        if ((this.state as string) === 'tls13') return this.drain(); // the rest arrives encrypted
      } else if (msg.type === HS.certificate) {
        const tls13 = this.state === 'tls13';
        const certs = parseCertificateMessage(msg.body, tls13);
        if (certs.length === 0) throw new TlsFailure('protocol', 'the server sent an empty certificate list');
        const done: ServerFlight = {
          protocol: tls13 ? 'TLSv1.3' : 'TLSv1.2',
          certs,
          cipherSuite: this.suite?.id ?? this.tls12Suite,
          helloRetry: this.hrr !== undefined,
        };
        if (this.alpn) done.alpn = this.alpn;
        return { done };
      } else if (msg.type === HS.encryptedExtensions) {
        this.alpn = parseExtensions(new Cursor(msg.body, 'EncryptedExtensions').vec16()).alpn;
      } else if (msg.type !== HS.certificateRequest) {
        // ServerKeyExchange/ServerHelloDone before any Certificate: an anonymous or PSK-only server.
        throw new TlsFailure(
          'protocol',
          `the server sent no certificate (got handshake message ${msg.type})`,
        );
      }
    }
    return {};
  }

  private onServerHello(raw: Buffer, sh: ServerHello): Buffer | undefined {
    if (sh.version !== 0x0304) {
      if (sh.version < 0x0303) {
        const name = sh.version === 0x0302 ? 'TLS 1.1' : sh.version === 0x0301 ? 'TLS 1.0' : 'SSL';
        throw new TlsFailure('old-version', `the server only speaks ${name}, which current clients refuse`);
      }
      this.state = 'tls12';
      this.tls12Suite = sh.cipherSuite;
      this.alpn = sh.alpn;
      return undefined;
    }
    const suite = TLS13_SUITES.get(sh.cipherSuite);
    if (!suite)
      throw new TlsFailure('protocol', `server chose unknown TLS 1.3 suite 0x${sh.cipherSuite.toString(16)}`);
    if (this.hrr && this.hrr.cipherSuite !== sh.cipherSuite) {
      throw new TlsFailure('protocol', 'cipher suite changed after HelloRetryRequest');
    }
    this.suite = suite;
    this.transcript.push(raw);
    if (sh.random.equals(HRR_RANDOM)) {
      if (this.hrr) throw new TlsFailure('protocol', 'second HelloRetryRequest');
      const group = sh.selectedGroup;
      if (group !== undefined && !isOfferedGroup(group)) {
        throw new TlsFailure(
          'protocol',
          `HelloRetryRequest for a group we did not offer (0x${group.toString(16)})`,
        );
      }
      this.hrr = sh;
      if (group !== undefined) this.shares = [makeKeyShare(group)];
      return this.hello(sh.cookie);
    }
    const share = this.shares.find((s) => s.group === sh.keyShare?.group);
    if (!share || !sh.keyShare)
      throw new TlsFailure('protocol', 'ServerHello key share for a group we did not send');
    const secret = share.derive(sh.keyShare.key);
    const helloHash = transcriptHash(suite, this.transcript, this.hrr !== undefined);
    this.decrypter = new RecordDecrypter(suite, serverHandshakeKeys(suite, secret, helloHash));
    this.state = 'tls13';
    if (!this.plain.empty)
      throw new TlsFailure('protocol', 'handshake data after ServerHello in the same record');
    return undefined;
  }
}

function checkAlert(body: Buffer, tls13 = false): void {
  const level = body[0] ?? 2;
  const code = body[1] ?? 0;
  // Warning-level alerts do not stop a TLS 1.2 handshake: Apache sends unrecognized_name as a warning.
  if (level === 1 && code !== 0 && !tls13) return;
  throw new TlsFailure('alert', `the server ended the handshake with alert ${alertName(code)}`, code);
}

function parseServerHello(body: Buffer): ServerHello {
  const c = new Cursor(body, 'ServerHello');
  const legacyVersion = c.u16();
  const random = c.bytes(32);
  c.vec8(); // legacy_session_id_echo
  const cipherSuite = c.u16();
  c.u8(); // compression
  const exts = c.remaining > 0 ? parseExtensions(c.vec16()) : {};
  return { random, cipherSuite, version: exts.version ?? legacyVersion, ...exts };
}

function parseExtensions(data: Buffer): Partial<ServerHello> {
  const c = new Cursor(data, 'extensions');
  const out: Partial<ServerHello> = {};
  while (c.remaining > 0) {
    const type = c.u16();
    const e = new Cursor(c.vec16(), `extension ${type}`);
    if (type === 0x002b) out.version = e.u16();
    else if (type === 0x002c) out.cookie = e.vec16();
    else if (type === 0x0010) out.alpn = new Cursor(e.vec16(), 'ALPN').vec8().toString('ascii');
    else if (type === 0x0033) {
      const group = e.u16();
      // In a HelloRetryRequest key_share holds only the selected group (RFC 8446 §4.2.8).
      if (e.remaining === 0) out.selectedGroup = group;
      else out.keyShare = { group, key: e.vec16() };
    }
  }
  return out;
}
