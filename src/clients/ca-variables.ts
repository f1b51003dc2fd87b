/**
 * Environment variables that name a CA file, and whether the file *replaces* the client's defaults (so a
 * file without public roots breaks public sites) or is *added* to them.
 */
import { readFile } from 'node:fs/promises';
import { type Cert, parseCerts } from '../core/cert.ts';
import type { Context } from './types.ts';

export const CA_FILE_VARIABLES: ReadonlyArray<{ name: string; replaces: boolean }> = [
  // requests: https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
  { name: 'REQUESTS_CA_BUNDLE', replaces: true },
  { name: 'CURL_CA_BUNDLE', replaces: true },
  // OpenSSL's default-paths override: https://docs.openssl.org/3.0/man3/SSL_CTX_load_verify_locations/
  { name: 'SSL_CERT_FILE', replaces: true },
  // pip --cert: https://pip.pypa.io/en/stable/topics/https-certificates/
  { name: 'PIP_CERT', replaces: true },
  // https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslCAInfo
  { name: 'GIT_SSL_CAINFO', replaces: true },
  // botocore: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
  { name: 'AWS_CA_BUNDLE', replaces: true },
  // Added to Node's bundled roots: https://nodejs.org/api/cli.html#node_extra_ca_certsfile
  { name: 'NODE_EXTRA_CA_CERTS', replaces: false },
];

export type CaVariable = { name: string; path: string; replaces: boolean } & (
  | { certs: Cert[] }
  | { certs: null } // the file cannot be read
);

/** The CA variables set in `ctx.env`, each with the certificates its file holds. */
export async function caVariables(ctx: Pick<Context, 'env'>): Promise<CaVariable[]> {
  const out: CaVariable[] = [];
  for (const { name, replaces } of CA_FILE_VARIABLES) {
    const path = ctx.env[name];
    if (!path) continue;
    const data = await readFile(path).catch(() => null);
    out.push({ name, path, replaces, certs: data ? parseCerts(data, path).certs : null });
  }
  return out;
}
