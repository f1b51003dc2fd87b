/**
 * PEM text to certificates, decoding each certificate once per process: the system bundle, the Mozilla
 * roots and the native stores' exports repeat the same bodies. Below load.ts and mozilla.ts, which both use it.
 */
import { type Cert, certFromDer } from '../core/cert.ts';

const PEM_RE =
  /(-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----)([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;
const byBody = new Map<string, Cert | null>();

/** The base64 bodies of the certificate blocks in `text`, with where each lies in it. */
export function* pemBodies(text: string): Generator<{ body: string; start: number; end: number }> {
  if (!text.includes('-----BEGIN')) return;
  for (const m of text.matchAll(PEM_RE)) {
    const body = m[2] ?? '';
    const start = (m.index ?? 0) + (m[1] ?? '').length;
    yield { body, start, end: start + body.length };
  }
}

/** The certificate of one PEM body, decoded once per process; null when it is not one. */
export function certOfPemBody(body: string): Cert | null {
  let c = byBody.get(body);
  if (c === undefined) {
    try {
      c = certFromDer(Buffer.from(body, 'base64')); // the decoder skips line breaks and spaces
    } catch {
      c = null; // skipped, as OpenSSL skips what it cannot read in a CA file
    }
    byBody.set(body, c);
  }
  return c;
}

/** Parse PEM text, reusing certificates already decoded anywhere in this process. */
export function parsePemCached(text: string): Cert[] {
  const out: Cert[] = [];
  for (const { body } of pemBodies(text)) {
    const c = certOfPemBody(body);
    if (c) out.push(c);
  }
  return out;
}
