/**
 * pip. What it trusts, verified against pip 23.2.1 and 24.2 here (fixtures pip-*.txt, pip24-py313-*.txt):
 * - `--cert` / PIP_CERT / config `cert` set `session.verify` (cli/index_command.py, pip 24.2);
 * - pip's session is a requests Session, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE still apply and *win* over
 *   PIP_CERT (requests merges env into a per-request verify that beats session.verify:
 *   https://github.com/psf/requests/issues/3829) — unless a proxy is configured, which sets trust_env=False;
 * - pip >= 24.2 on Python >= 3.10 verifies with truststore: the OS store plus pip's vendored certifi, and a
 *   verify path is *added* to that context (urllib3 load_verify_locations on the shared SSLContext);
 *   `--use-deprecated=legacy-certs` opts out (https://pip.pypa.io/en/stable/topics/https-certificates/);
 * - otherwise pip's vendored certifi (pip/_vendor/certifi/cacert.pem).
 * A missing cert path raises `OSError: Could not find a suitable TLS CA certificate bundle` (both versions).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atLeast } from '../core/version.ts';
import { envOf } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { runVerdict } from './on-path.ts';
import { pipOption, pipUserConfig } from './pip-config.ts';
import { findPackage, profileOf, pythonDetails, pythonFromDetails, withPartial } from './python.ts';
import { findPythonEnvs } from './python-envs.ts';
import { REQUESTS_VARS } from './python-requests.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { merge, pathSource } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** Where pip takes its CAs from: the variables requests reads, pip's cert option, truststore, its certifi. */
async function pipTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const py = pythonFromDetails(inst.details);
  const profile = py ? profileOf(py) : 'openssl';
  const prefix = py?.prefix ?? '/usr';
  const fail = 'pip fails with "OSError: Could not find a suitable TLS CA certificate bundle"';
  const proxy = await pipOption(ctx, prefix, 'proxy');
  let verify = null;
  if (!proxy) {
    for (const name of REQUESTS_VARS) {
      const v = envOf(ctx, name);
      if (!v) continue;
      const why = `${name} is set; pip's requests session lets it override --cert/PIP_CERT.`;
      verify = await pathSource(v, { source: 'env', via: name, profile, why }, 'capath', fail);
      break;
    }
  }
  if (!verify) {
    const cert = await pipOption(ctx, prefix, 'cert');
    if (cert) {
      const why = `${cert.via} sets pip's --cert.`;
      verify = await pathSource(
        cert.value,
        { source: 'config', via: cert.via, profile, why },
        'capath',
        fail,
      );
      if (cert.via === 'PIP_CERT') verify.source = 'env';
    }
  }
  const deprecated = (await pipOption(ctx, prefix, 'use-deprecated'))?.value ?? '';
  const truststore =
    atLeast(inst.version, [24, 2]) &&
    (py ? atLeast(py.version, [3, 10]) : false) &&
    !deprecated.includes('legacy-certs');
  const vendored = await certifiWhere(join(inst.path, '_vendor', 'certifi'));
  if (truststore) {
    const os = await opensslDefaultTrust(ctx, profile, 'truststore');
    const base = {
      ...os,
      source: verify ? `system+certifi+${verify.source}` : 'system+certifi',
      via: verify?.via ?? os.via,
      why: `pip ${inst.version} on Python ${py?.version} verifies with truststore: the OS store plus its certifi${verify ? `, plus ${verify.via}` : ''}.`,
    };
    return merge(merge(base, { ...base, files: [vendored], dirs: [] }), verify);
  }
  if (verify) return verify;
  return pathSource(vendored, {
    source: 'certifi',
    profile,
    why: `pip ${inst.version ?? ''} uses its vendored certifi; no cert is configured.`,
  });
}

export const pip: Client = {
  id: 'pip',

  async detect(ctx) {
    const out: Installation[] = [];
    for (const py of await findPythonEnvs(ctx)) {
      const pkg = await findPackage(py, 'pip');
      if (pkg) out.push({ client: 'pip', path: pkg.dir, version: pkg.version, details: pythonDetails(py) });
    }
    return out;
  },

  async trust(inst, ctx) {
    return withPartial(inst, await pipTrust(inst, ctx));
  },

  render: renderAs('pip'),

  plan(_inst, bundlePath, ctx) {
    // The config file rather than PIP_CERT: pip reads it in every context (IDEs, cron, CI shells that skip
    // profiles), and `pip config set global.cert` writes exactly this. PIP_CONFIG_FILE, when it names a file,
    // replaces the user file (configuration.py), so we write there instead.
    const envFile = ctx.env.PIP_CONFIG_FILE;
    const path = envFile && envFile !== '/dev/null' ? envFile : pipUserConfig(ctx);
    return {
      owner: 'pip',
      summary: `Set global.cert in ${path} to the merged bundle.`,
      changes: [{ kind: 'ini', path, section: 'global', key: 'cert', value: bundlePath }],
      notes: [
        'REQUESTS_CA_BUNDLE, when set, overrides this for pip: keep both pointing at the same bundle.',
        'pip >= 24.2 on Python >= 3.10 also trusts the OS store through truststore.',
      ],
    };
  },

  async check(inst, url, ctx) {
    const py = inst.details?.python ?? 'python3';
    const dest = await mkdtemp(join(tmpdir(), 'certifix-pip-'));
    const index = new URL('simple/', url.endsWith('/') ? url : `${url}/`).href;
    try {
      return await runVerdict(
        ctx,
        py,
        [
          '-m',
          'pip',
          'download',
          '--no-deps',
          '--no-cache-dir',
          '--disable-pip-version-check',
          '--retries',
          '0',
          '--timeout',
          '20',
          '-d',
          dest,
          '--index-url',
          index,
          'certifix-probe',
        ],
        { timeoutMs: 90_000 },
      );
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  },
};
