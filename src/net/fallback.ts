import type { Socket } from 'node:net';
import type { DetailedPeerCertificate } from 'node:tls';
import { type Cert, certFromDer } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';

/**
 * Capture through node:tls when our own handshake fails where OpenSSL would not. Not faithful: OpenSSL
 * re-links the chain (`issuerCertificate`), drops duplicates and misordered extras, and may append
 * certificates from the local store. `ca: []` makes that store empty: Node only loads its bundled roots
 * (and NODE_EXTRA_CA_CERTS) when `ca` is absent (lib/internal/tls/secure-context.js: `if (ca) ... else
 * context.addRootCerts()`), so the walk below sees what the server sent, re-linked.
 */
export async function nodeTlsCapture(
  socket: Socket,
  servername: string | undefined,
  timeoutMs: number,
): Promise<{ certs: Cert[]; protocol: 'TLSv1.2' | 'TLSv1.3'; alpn?: string }> {
  const tls = await import('node:tls');
  return new Promise((resolve, reject) => {
    const conn = tls.connect({
      socket,
      ca: [],
      rejectUnauthorized: false,
      ...(servername ? { servername } : {}),
    });
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new CertifixError('CONNECT', `TLS handshake timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    conn.once('secureConnect', () => {
      clearTimeout(timer);
      const certs: Cert[] = [];
      const seen = new Set<DetailedPeerCertificate>();
      for (let c = conn.getPeerCertificate(true); c?.raw && !seen.has(c); c = c.issuerCertificate) {
        seen.add(c);
        certs.push(certFromDer(c.raw));
      }
      const protocol = conn.getProtocol() === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2';
      const alpn = conn.alpnProtocol;
      conn.destroy();
      resolve(alpn ? { certs, protocol, alpn } : { certs, protocol });
    });
    conn.once('error', (err) => {
      clearTimeout(timer);
      conn.destroy();
      reject(new CertifixError('CONNECT', `TLS handshake failed: ${err.message}`, { cause: err }));
    });
  });
}
