/**
 * The real Java client `check()` runs: java.net.http.HttpClient (Java 11+) with the JVM's default SSLContext,
 * so the trust store is whatever the JVM's properties say. Java itself ignores https_proxy; the probe turns
 * it (and no_proxy) into a ProxySelector, which is what -Dhttps.proxyHost/-Dhttps.proxyPort would give a
 * Java program (https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/net/doc-files/net-properties.html).
 */

import type { Verdict } from '../types.ts';
import { NOT_VERIFIED, REASONS } from './messages.ts';

export const JAVA_PROBE = `import java.net.*;
import java.net.http.*;
import java.time.Duration;

public class CertifixProbe {
  static String env(String a, String b) {
    String v = System.getenv(a);
    return v == null || v.isEmpty() ? System.getenv(b) : v;
  }
  static boolean bypass(String host) {
    String np = env("no_proxy", "NO_PROXY");
    if (np == null) return false;
    for (String p : np.split(",")) {
      p = p.trim();
      if (p.startsWith(".")) p = p.substring(1);
      if (p.equals("*") || (!p.isEmpty() && (host.equals(p) || host.endsWith("." + p)))) return true;
    }
    return false;
  }
  public static void main(String[] args) throws Exception {
    URI u = URI.create(args[0]);
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
    String proxy = env("https_proxy", "HTTPS_PROXY");
    if (proxy != null && !proxy.isEmpty() && !bypass(u.getHost())) {
      URI p = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
      b.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort() == -1 ? 80 : p.getPort())));
    }
    try {
      HttpRequest req = HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(20)).GET().build();
      HttpResponse<Void> r = b.build().send(req, HttpResponse.BodyHandlers.discarding());
      System.out.println("HTTP_STATUS " + r.statusCode());
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) System.out.println(t);
      System.exit(1);
    }
  }
}
`;

const first = (output: string, re: RegExp) =>
  output
    .split('\n')
    .find((l) => re.test(l))
    ?.trim();

/**
 * What Java prints. It has no OpenSSL codes: every untrusted chain is one PKIX failure, so chain errors are
 * one code (VERIFY_FAILED), like GnuTLS's.
 */
export function javaVerdict(output: string, code: number | null): Verdict {
  const mismatch = /No subject alternative (DNS )?names? matching|No name matching .* found/;
  if (mismatch.test(output))
    return {
      ok: false,
      code: 'HOSTNAME_MISMATCH',
      message: REASONS.HOSTNAME_MISMATCH ?? '',
      printed: first(output, mismatch),
    };
  if (/CertificateExpiredException|validity check failed/.test(output))
    return {
      ok: false,
      code: 'CERT_HAS_EXPIRED',
      message: REASONS.CERT_HAS_EXPIRED ?? '',
      printed: first(output, /validity check failed|Expired/),
    };
  const pkix =
    /PKIX path (building|validation) failed|unable to find valid certification path|trustAnchors parameter must be non-empty/;
  if (pkix.test(output))
    return {
      ok: false,
      code: NOT_VERIFIED.UNSPECIFIED,
      message: 'unable to find valid certification path to requested target',
      printed: first(output, pkix),
    };
  if (/^HTTP_STATUS \d+/m.test(output)) return { ok: true, code: 'OK', message: 'ok' };
  if (/ConnectException|UnresolvedAddressException|Connection refused/.test(output))
    return {
      ok: false,
      code: NOT_VERIFIED.CONNECT,
      message: 'could not connect',
      printed: first(output, /Connect|Unresolved|refused/),
    };
  return {
    ok: false,
    code: NOT_VERIFIED.UNKNOWN,
    message: code === 0 ? 'no answer' : 'java failed',
    printed: output.trim().split('\n').at(-1),
  };
}
