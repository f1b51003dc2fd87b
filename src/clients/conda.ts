/**
 * conda (Anaconda, Miniconda, Miniforge, mamba's conda): one installation per conda root (a prefix with
 * conda-meta/ that is not one of another's envs). conda downloads through requests in CondaSession
 * (conda/gateways/connection/session.py, https://github.com/conda/conda): `ssl_verify: truststore` gives it a
 * truststore.SSLContext (the OS store); any other value becomes `session.verify` — true (the default:
 * certifi of the base env), false, or a CA file or directory. requests then lets REQUESTS_CA_BUNDLE /
 * CURL_CA_BUNDLE replace a session's verify path (Session.merge_environment_settings,
 * https://github.com/psf/requests/blob/main/src/requests/sessions.py), and conda documents setting it
 * (docs/source/user-guide/configuration/non-standard-certs.rst).
 * fix sets `ssl_verify: <merged bundle>` in ~/.condarc: conda's own switch, read by every conda of the user
 * whether or not a shell profile ran; it is read after the system and root .condarc files, so it wins over
 * them. The merged bundle rather than `truststore`: it works on every conda (truststore needs conda >= 23.9
 * on Python >= 3.10) and keeps roots the user chose that the OS store lacks.
 */
import { join } from 'node:path';
import { blockStyle } from '../formats/condarc.ts';
import { expand, isFile, readText } from '../host-files.ts';
import type { Context, Installation } from '../types.ts';
import { type SslVerify, sslVerify } from './conda-config.ts';
import { runVerdict } from './on-path.ts';
import { findPackage, profileOf, pythonDetails, pythonFromDetails } from './python.ts';
import { condaPrefixes, findPythonEnvs } from './python-envs.ts';
import { requestsTrust } from './python-requests.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { pathSource } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** The conda roots: prefixes with conda-meta that are not `<root>/envs/<name>` of another prefix. */
async function condaRoots(ctx: Context): Promise<string[]> {
  const all = await condaPrefixes(ctx);
  return all.filter((p) => !all.some((r) => r !== p && join(r, 'envs') === join(p, '..')));
}

/** requests' session.verify as conda sets it, as Python source (for check() where conda itself is absent). */
function verifyLines(v: SslVerify): string[] {
  if (v.value === 'false') return ['s.verify = False'];
  if (v.value === 'true') return [];
  // CondaSession mounts an adapter with a truststore.SSLContext; inject_into_ssl() gives requests the same.
  if (v.value === 'truststore') return ['import truststore', 'truststore.inject_into_ssl()'];
  return [`s.verify = ${JSON.stringify(v.value)}`];
}

export const conda: Client = {
  id: 'conda',

  async detect(ctx) {
    const envs = await findPythonEnvs(ctx);
    const out: Installation[] = [];
    for (const root of await condaRoots(ctx)) {
      const py = envs.find((e) => e.prefix === root);
      const exe = ctx.platform === 'win32' ? join(root, 'Scripts', 'conda.exe') : join(root, 'bin', 'conda');
      const own = py ? await findPackage(py, 'conda') : null;
      const certifi = py ? await findPackage(py, 'certifi') : null;
      const inEnvs = envs.filter((e) => e.prefix.startsWith(join(root, 'envs'))).length;
      out.push({
        client: 'conda',
        path: (await isFile(exe)) ? exe : root,
        version: own?.version,
        details: {
          root,
          envs: String(inEnvs),
          ...(py ? pythonDetails(py) : { prefix: root }),
          ...(certifi ? { certifi: certifi.dir } : {}),
          ...(own ? { condaModule: own.dir } : {}),
          // a .condarc in flow style or with a document marker: fix cannot add a key to it (formats/condarc.ts)
          ...(blockStyle((await readText(join(ctx.home, '.condarc'))) ?? '') ? {} : { condarcFlow: 'true' }),
        },
      });
    }
    return out;
  },

  async trust(inst, ctx) {
    const root = inst.details?.root ?? inst.path;
    const py = pythonFromDetails(inst.details);
    const profile = py ? profileOf(py) : 'openssl';
    const v = await sslVerify(root, ctx);
    const via = v.from ? `ssl_verify (${v.from})` : undefined;
    if (v.value === 'truststore') {
      const s = await opensslDefaultTrust(ctx, profile, 'conda (truststore)');
      return { ...s, source: 'truststore', via, why: `ssl_verify: truststore in ${v.from}: the OS store.` };
    }
    if (v.value === 'false') {
      return {
        source: 'off',
        via,
        path: null,
        files: [],
        dirs: [],
        profile,
        why: `ssl_verify is false (${v.from}): conda does not verify certificates.`,
        warnings: [`ssl_verify: false in ${v.from} turns certificate verification off for conda`],
      };
    }
    const env = await requestsTrust(ctx, profile, inst.details?.certifi, 'conda');
    if (v.value === 'true' || env.source === 'env') return env;
    const path = expand(v.value, ctx); // ssl_verify is read with expandvars=True (context.py)
    return pathSource(
      path,
      { source: 'config', via, profile, why: `ssl_verify in ${v.from} names ${path}.` },
      'capath',
    );
  },

  render: renderAs('conda'),

  plan(inst, bundlePath, ctx) {
    const path = join(ctx.home, '.condarc');
    if (inst.details?.condarcFlow) {
      return {
        owner: 'conda',
        summary: `${path} is not block-style YAML, so certifix leaves it to you.`,
        changes: [],
        notes: [`Run \`conda config --set ssl_verify ${bundlePath}\` to point conda at the merged bundle.`],
      };
    }
    return {
      owner: 'conda',
      summary: `Set ssl_verify in ${path} to the merged bundle: conda passes it to requests as its CA file.`,
      changes: [
        { kind: 'keyfile', format: 'condarc', path, section: null, key: 'ssl_verify', value: bundlePath },
      ],
      notes: [
        'conda reads it in every shell and IDE; a .condarc of an activated env ($CONDA_PREFIX/.condarc) or $CONDARC that sets ssl_verify too still wins over it.',
      ],
    };
  },

  async check(inst, url, ctx) {
    const python =
      inst.details?.venv === 'true'
        ? join(inst.details.prefix ?? '', 'bin', 'python3')
        : inst.details?.python;
    if (!python) return { ok: false, code: 'UNKNOWN', message: 'conda has no Python in its base prefix' };
    // conda's own session where conda is installed; else (a conda-shaped prefix without the conda package)
    // requests configured as CondaSession configures it from the resolved ssl_verify.
    const v = await sslVerify(inst.details?.root ?? inst.path, ctx);
    const code = inst.details?.condaModule
      ? [
          'import sys',
          'from conda.gateways.connection.session import get_session',
          'r = get_session(sys.argv[1]).get(sys.argv[1], timeout=20)',
          'print("HTTP_STATUS", r.status_code)',
        ].join('\n')
      : [
          'import sys, requests',
          's = requests.Session()',
          ...verifyLines(v),
          'r = s.get(sys.argv[1], timeout=20, allow_redirects=False)',
          'print("HTTP_STATUS", r.status_code)',
        ].join('\n');
    return runVerdict(ctx, python, ['-c', code, url]);
  },
};
