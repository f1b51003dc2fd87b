/**
 * The shape every Python HTTP library adapter shares (httpx, aiohttp, urllib3, boto3): found by reading each
 * `python3` on PATH's site-packages (no spawning), checked by running a few lines of Python with the library
 * itself in that interpreter. Each library's own file says where it takes its CAs from, with the source.
 */
import { join } from 'node:path';
import type { ClientId, Context, Installation, TrustSource, Verdict } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { verdictFromOutput } from './messages.ts';
import {
  findPackage,
  type PythonInfo,
  profileOf,
  pythonDetails,
  pythonFromDetails,
  withPartial,
} from './python.ts';
import { findPythonEnvs } from './python-envs.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

interface PythonLibSpec {
  id: ClientId;
  /** The import name whose directory marks the library as installed. */
  pkg: string;
  trust(py: PythonInfo, inst: Installation, ctx: Context): Promise<TrustSource>;
  plan: Client['plan'];
  /** Python source run as `python -c SRC URL`; prints `HTTP_STATUS <code>` once the server answered. */
  probe: string;
  /** How to read the probe's output when the library does not print Python's ssl errors (default: as it does). */
  verdict?: (output: string, code: number | null) => Verdict;
}

/** certifi's `where()` in this environment, or null when certifi is not installed there. */
export async function certifiOf(py: PythonInfo): Promise<string | null> {
  const c = await findPackage(py, 'certifi');
  return c ? certifiWhere(c.dir) : null;
}

export function pythonLib(spec: PythonLibSpec): Client {
  return {
    id: spec.id,

    async detect(ctx) {
      const out: Installation[] = [];
      for (const py of await findPythonEnvs(ctx)) {
        const pkg = await findPackage(py, spec.pkg);
        if (!pkg) continue;
        // A venv's packages are importable only through its own bin/python (pyvenv.cfg sits next to it),
        // not through the base interpreter its symlink resolves to.
        const python = py.venv ? join(py.prefix, 'bin', 'python3') : py.exe;
        out.push({
          client: spec.id,
          path: pkg.dir,
          version: pkg.version,
          details: { ...pythonDetails(py), python },
        });
      }
      return out;
    },

    async trust(inst, ctx) {
      const py = pythonFromDetails(inst.details);
      if (!py) throw new Error(`${spec.id}: installation without its Python`);
      return withPartial(inst, await spec.trust(py, inst, ctx));
    },

    render: renderAs(spec.id),

    plan: spec.plan,

    async check(inst, url, ctx) {
      const py = inst.details?.python ?? 'python3';
      const r = await ctx.run(py, ['-c', spec.probe, url], { env: ctx.env, timeoutMs: 60_000 });
      return (spec.verdict ?? verdictFromOutput)(`${r.stdout}\n${r.stderr}`, r.code);
    },
  };
}

/** The verification profile of an installation's interpreter. */
export function profileFor(py: PythonInfo): TrustSource['profile'] {
  return profileOf(py);
}
