/**
 * PEM text to certificates, decoding each certificate once per process: the system bundle, the Mozilla
 * roots and the native stores' exports repeat the same bodies. Below load.ts and mozilla.ts, which both use it.
 */
import { type Cert, certFromDer } from '../core/cert.ts';

const PEM_RE =
  /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;
const byBody = new Map<string, Cert | null>();

/** Parse PEM text, reusing certificates already decoded anywhere in this process. */
export function parsePemCached(text: string): Cert[] {
  if (!text.includes('-----BEGIN')) return [];
  const out: Cert[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const body = m[1] ?? '';
    let c = byBody.get(body);
    if (c === undefined) {
      try {
        c = certFromDer(Buffer.from(body, 'base64')); // the decoder skips line breaks and spaces
      } catch {
        c = null; // skipped, as OpenSSL skips what it cannot read in a CA file
      }
      byBody.set(body, c);
    }
    if (c) out.push(c);
  }
  return out;
}
