/**
 * Ruby (net/http, open-uri, RubyGems, Bundler): the openssl gem's `SSLContext#set_params` verifies against
 * `DEFAULT_CERT_STORE`, an `X509::Store` with `set_default_paths` (https://github.com/ruby/openssl/blob/master/lib/openssl/ssl.rb),
 * i.e. OpenSSL's default paths: SSL_CERT_FILE / SSL_CERT_DIR, else OPENSSLDIR (Debian's ruby links libssl3:
 * /usr/lib/ssl → /etc/ssl/certs). RubyGems adds its own bundled roots to that store
 * (https://github.com/rubygems/rubygems/blob/master/lib/rubygems/request.rb `add_rubygems_trusted_certs`).
 * The documented switch is SSL_CERT_FILE (https://guides.rubygems.org/ssl-certificate-update/).
 */

import { onPath, runVerdict, sslCertFilePlan } from './on-path.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { renderOf } from './renders.ts';
import type { Client } from './types.ts';

/** Net::HTTP through the proxy `URI#find_proxy` picks, as gem and bundler do (https_proxy and no_proxy; never for loopback). */
const PROBE = [
  'require "net/http"',
  'u = URI(ARGV[0]); px = u.find_proxy',
  'h = Net::HTTP.new(u.host, u.port, px&.host, px&.port, px&.user, px&.password)',
  'h.use_ssl = true; h.open_timeout = 20; h.read_timeout = 20',
  'r = h.start { |c| c.get(u.request_uri) }',
  'puts "HTTP_STATUS #{r.code}"',
].join('\n');

export const ruby: Client = {
  id: 'ruby',

  detect: onPath('ruby', 'ruby'),

  trust(_inst, ctx) {
    return opensslDefaultTrust(ctx, 'openssl', 'Ruby');
  },

  render: renderOf('ruby'),

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'ruby',
      bundlePath,
      "Set SSL_CERT_FILE to the merged bundle: Ruby's OpenSSL default store (net/http, gem, bundle) loads it.",
    ),

  async check(inst, url, ctx) {
    return runVerdict(ctx, inst.path, ['-e', PROBE, url]);
  },
};
