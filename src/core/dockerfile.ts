/**
 * The Dockerfile lines that make an image trust the roots certifix trusts. A build does not see this
 * machine's trust: RUN steps (pip install, npm ci, curl) and the running container use the image's own CA
 * store. The roots go in as one `.crt` file per certificate (Debian's `openssl rehash` links only files that
 * hold exactly one), then into the image's bundle; the variables point the clients that ignore the OS store
 * at that bundle, as `certifix fix` does on this machine.
 */

export type Distro = 'debian' | 'alpine';

/** Where the image's own OS bundle lives (both keep the Debian path). */
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Where local roots go before the store is rebuilt (update-ca-certificates(8), Debian and Alpine). */
const LOCAL = '/usr/local/share/ca-certificates';

/**
 * - Debian/Ubuntu: update-ca-certificates links each `*.crt` found under /usr/local/share/ca-certificates into
 *   /etc/ssl/certs and appends it to ca-certificates.crt (https://manpages.debian.org/bookworm/ca-certificates/update-ca-certificates.8.en.html).
 *   It comes with the ca-certificates package, which the python and node images have; -slim base images
 *   install it first (apt's Debian mirrors are plain http, which interception does not break).
 * - Alpine: the base image has only ca-certificates-bundle (the bundle, no update tool:
 *   https://pkgs.alpinelinux.org/contents?name=ca-certificates-bundle), and `apk add ca-certificates` would
 *   itself need TLS to the https mirror; appending to the bundle needs nothing.
 */
const INSTALL: Record<Distro, (files: string) => string[]> = {
  debian: () => [
    '# update-ca-certificates is in the ca-certificates package (python and node images have it;',
    '# on debian/ubuntu -slim images: RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates)',
    'RUN update-ca-certificates',
  ],
  alpine: (files) => [`RUN cat ${files} >> ${BUNDLE}`],
};

/**
 * The variables for the clients inside that do not read the OS store: requests and pip < 24.2 (certifi:
 * REQUESTS_CA_BUNDLE, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification),
 * httpx and other OpenSSL users given a file (SSL_CERT_FILE), Node (bundled roots + NODE_EXTRA_CA_CERTS,
 * https://nodejs.org/api/cli.html#node_extra_ca_certsfile).
 */
const VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS'];

/** The lines for a Dockerfile whose build context holds `files` (the names written next to it). */
export function dockerfileLines(files: readonly string[], distro: Distro = 'debian'): string[] {
  if (files.length === 0) return [];
  const copied = files.length === 1 ? (files[0] as string) : 'certifix-ca-*.crt';
  const inImage = `${LOCAL}/${copied}`;
  return [
    '# certifix: trust the company roots in this image (add to each stage that needs them)',
    `COPY ${copied} ${LOCAL}/`,
    ...INSTALL[distro](inImage),
    `ENV ${VARIABLES.map((v) => `${v}=${BUNDLE}`).join(' \\\n    ')}`,
  ];
}
