/**
 * PHP (streams, file_get_contents, and Composer through composer/ca-bundle). PHP's openssl extension verifies
 * against `openssl.cafile` / `openssl.capath` from php.ini when set, else OpenSSL's default paths, which honour
 * SSL_CERT_FILE / SSL_CERT_DIR (`openssl_get_cert_locations()` on Debian's php8.2-cli: default_cert_file
 * /usr/lib/ssl/cert.pem, default_cert_file_env SSL_CERT_FILE; https://www.php.net/manual/en/openssl.configuration.php).
 * Composer's CaBundle::getSystemCaRootBundlePath takes openssl.cafile, then SSL_CERT_FILE, then SSL_CERT_DIR,
 * then the system paths (https://github.com/composer/ca-bundle/blob/main/src/CaBundle.php).
 * php.ini on Debian: /etc/php/<version>/cli/php.ini plus conf.d/*.ini, or PHP_INI_SCAN_DIR.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envOf, readText, sys } from '../host-files.ts';
import type { Context, Verdict } from '../types.ts';
import { NOT_VERIFIED, verdictFromOutput } from './messages.ts';
import { onPath, runVerdict, sslCertFilePlan } from './on-path.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { renderOf } from './renders.ts';
import { pathSource } from './source.ts';
import type { Client } from './types.ts';

// Synchronous, as the other lookups of local files (see host-files.ts).
const list = async (dir: string): Promise<string[]> => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** The ini files the CLI reads: php.ini of each installed version, then its scan directory (sorted). */
async function phpIniFiles(ctx: Context): Promise<string[]> {
  const out: string[] = [];
  const root = sys(ctx, '/etc/php');
  for (const v of (await list(root)).sort()) {
    out.push(join(root, v, 'cli', 'php.ini'));
    const scan = envOf(ctx, 'PHP_INI_SCAN_DIR') ?? join(root, v, 'cli', 'conf.d');
    for (const d of scan.split(':').filter(Boolean))
      for (const f of (await list(d)).filter((n) => n.endsWith('.ini')).sort()) out.push(join(d, f));
  }
  return out;
}

/** `openssl.cafile = x` (quotes optional; `;` comments), the last one read wins. */
function iniCafile(text: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*openssl\.cafile\s*=\s*(?:"([^"]*)"|([^;\s][^;]*?))?\s*(?:;.*)?$/.exec(raw);
    if (m) found = (m[1] ?? m[2] ?? '').trim() || undefined;
  }
  return found;
}

/** PHP prints "certificate verify failed" without OpenSSL's reason. */
export function phpVerdict(output: string, code: number | null): Verdict {
  if (/certificate verify failed|Failed to enable crypto/.test(output)) {
    const printed = output
      .split('\n')
      .find((l) => /verify failed|enable crypto/.test(l))
      ?.trim();
    return { ok: false, code: NOT_VERIFIED.UNSPECIFIED, message: 'certificate verify failed', printed };
  }
  if (/Peer certificate CN=.* did not match/.test(output))
    return { ok: false, code: 'HOSTNAME_MISMATCH', message: 'Hostname mismatch' };
  return verdictFromOutput(output, code);
}

/** file_get_contents through the proxy in https_proxy (PHP streams read no proxy variables themselves). */
const PROBE = [
  '$u = $argv[1]; $p = getenv("https_proxy") ?: getenv("HTTPS_PROXY");',
  '$o = ["http" => ["timeout" => 20, "ignore_errors" => true]];',
  'if ($p) { $x = parse_url($p); $o["http"]["proxy"] = "tcp://" . $x["host"] . ":" . ($x["port"] ?? 80); $o["http"]["request_fulluri"] = false; }',
  '$r = file_get_contents($u, false, stream_context_create($o));',
  'if ($r === false) exit(1);',
  'preg_match("#^HTTP/\\S+ (\\d{3})#", $http_response_header[0] ?? "", $m); echo "HTTP_STATUS ", $m[1] ?? "200", "\\n";',
].join('\n');

export const php: Client = {
  id: 'php',

  detect: onPath('php', 'php'),

  async trust(_inst, ctx) {
    let cafile: { file: string; value: string } | undefined;
    for (const f of await phpIniFiles(ctx)) {
      const v = iniCafile((await readText(f)) ?? '');
      if (v) cafile = { file: f, value: v };
    }
    if (cafile)
      return pathSource(cafile.value, {
        source: 'config',
        via: `${cafile.file} openssl.cafile`,
        profile: 'openssl',
        why: `${cafile.file} sets openssl.cafile.`,
      });
    return opensslDefaultTrust(ctx, 'openssl', 'PHP');
  },

  render: renderOf('php'),

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'php',
      bundlePath,
      "Set SSL_CERT_FILE to the merged bundle: PHP's OpenSSL defaults and Composer's CA lookup read it.",
      ['An openssl.cafile in php.ini wins over SSL_CERT_FILE.'],
    ),

  async check(inst, url, ctx) {
    return runVerdict(ctx, inst.path, ['-r', PROBE, url], {}, phpVerdict);
  },
};
