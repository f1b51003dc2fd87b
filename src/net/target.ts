import { CertifixError } from '../core/errors.ts';
import { ipFamily } from './ip.ts';

/** What the user asked us to look at, normalised: `url` is always `https://host:port/path`. */
export interface Target {
  url: string;
  /** Hostname (lowercase) or IP literal; IPv6 without brackets. */
  host: string;
  port: number;
}

const DEFAULT_PORT = 443;

function bad(input: string, why: string): CertifixError {
  return new CertifixError('BAD_URL', `${JSON.stringify(input)} is not a valid target: ${why}`, {
    hint: 'use https://host[:port]/path, host, host:port or [ipv6]:port',
  });
}

/** `[::1]` for IPv6 literals, the host otherwise: the form URLs and CONNECT lines need. */
export function hostForUrl(host: string): string {
  return ipFamily(host) === 6 ? `[${host}]` : host;
}

/**
 * Parse `https://host[:port]/path`, `host`, `host:port`, `[::1]:8443`, `::1` and bare IPv4. Anything with
 * another scheme (`http://`, `ftp://`) is refused: certifix only looks at TLS endpoints.
 */
export function parseTarget(input: string): Target {
  const raw = input.trim();
  if (!raw) throw bad(input, 'it is empty');
  if (/\s/.test(raw)) throw bad(input, 'it contains spaces');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'https') {
    throw bad(input, `only https:// URLs can be checked, not ${scheme}://`);
  }
  // A bare IPv6 literal (`::1`, `fe80::1`) has several colons and no brackets: wrap it before URL parsing.
  let rest = scheme ? raw.slice(scheme.length + 3) : raw;
  if (!scheme && ipFamily(rest) === 6) rest = `[${rest}]`;
  if (rest.startsWith('[') && !rest.includes(']')) throw bad(input, 'the IPv6 address has no closing ]');
  // Check the port ourselves first: the URL parser's own error would only say "Invalid URL".
  const portText = /^(?:\[[^\]]*\]|[^/?#:]*)(?::([^/?#]*))?/.exec(rest.replace(/^[^@/?#]*@/, ''))?.[1];
  if (portText !== undefined && portText !== '' && !/^\d+$/.test(portText)) {
    throw bad(input, `port ${JSON.stringify(portText)} is not a number`);
  }
  if (portText && (Number(portText) < 1 || Number(portText) > 65535)) {
    throw bad(input, `port ${portText} is out of range`);
  }
  let url: URL;
  try {
    url = new URL(`https://${rest}`);
  } catch (cause) {
    throw new CertifixError('BAD_URL', `${JSON.stringify(input)} is not a valid target: cannot parse it`, {
      cause,
    });
  }
  if (!url.hostname) throw bad(input, 'it has no host name');
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname.replace(/\.$/, '');
  if (
    !ipFamily(host) &&
    !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)
  ) {
    throw bad(input, `${JSON.stringify(host)} is not a host name`);
  }
  const path = `${url.pathname}${url.search}`;
  return { url: `https://${hostForUrl(host)}:${port}${path}`, host, port };
}
