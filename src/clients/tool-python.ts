/**
 * The shape the Python packaging tools share (poetry, pipenv, pdm): a script on PATH whose `#!` line names
 * the interpreter the tool runs in (pipx, pip --user, Debian's /usr/bin). Their index traffic goes through
 * requests or httpx in that interpreter, so trust() reads that environment's certifi and the variables the
 * tool's HTTP code reads, and check() runs that same library in that interpreter, configured as the tool's
 * source configures it (each tool's file cites the lines).
 */
import { join } from 'node:path';
import { isDir, readText, which } from '../host-files.ts';
import type { ClientId, Context, Installation, TrustSource, Verdict } from '../types.ts';
import { runVerdict } from './on-path.ts';
import {
  distVersion,
  findPackage,
  type PackageInfo,
  type PythonInfo,
  profileOf,
  pythonDetails,
  pythonFromDetails,
  resolvePython,
} from './python.ts';
import { requestsTrust } from './python-requests.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** What a Python packaging tool's file states: its facts; `pythonTool` supplies the mechanics. */
interface PythonToolSpec {
  /** The client id, also the script's name on PATH and its package's name. */
  id: ClientId;
  trust: Client['trust'];
  /** Why REQUESTS_CA_BUNDLE reaches the tool, for the plan's summary. */
  planWhy: string;
}

/**
 * How the tool is checked: Python source run as `python -c SRC URL` in its interpreter (prints
 * `HTTP_STATUS <code>`), or, for a tool that can be asked for the URL itself (az rest), its own check.
 */
type ToolCheck = { probe: string } | { check: Client['check'] };

/** A Python packaging tool's adapter (as `pythonLib` is a Python library's). */
export function pythonTool(spec: PythonToolSpec & ToolCheck): Client {
  return {
    id: spec.id,
    detect: (ctx) => detectTool(spec.id, spec.id, ctx),
    trust: spec.trust,
    render: renderAs(spec.id),
    plan: (_inst, bundlePath) => requestsBundlePlan(spec.id, bundlePath, spec.planWhy),
    check: 'check' in spec ? spec.check : (inst, url, ctx) => runInTool(inst, spec.probe, url, ctx),
  };
}

/** The verification profile of the tool's interpreter (OpenSSL's when it is not known). */
export function toolProfile(inst: Installation): TrustSource['profile'] {
  const py = pythonFromDetails(inst.details);
  return py ? profileOf(py) : 'openssl';
}

/** The store of a tool that sends through requests in its own interpreter: requests' order, its certifi. */
export function toolRequestsTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  return requestsTrust(ctx, toolProfile(inst), inst.details?.certifi, inst.client);
}

/** The tool's script on PATH and the Python its `#!` line names (`#!/usr/bin/env python3` resolves on PATH). */
async function detectTool(id: ClientId, name: string, ctx: Context): Promise<Installation[]> {
  const script = await which(name, ctx);
  if (!script) return [];
  const first = ((await readText(script)) ?? '').slice(0, 300).split('\n')[0] ?? '';
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (!m) return [{ client: id, path: script }];
  const interp = m[1]?.endsWith('/env') ? await which(m[2] ?? 'python3', ctx) : (m[1] ?? null);
  const py = interp ? await resolvePython(interp, 'python3', ctx) : null;
  if (!py) return [{ client: id, path: script }];
  const certifi = await findPackage(py, 'certifi');
  const truststore = await findPackage(py, 'truststore');
  const own = (await findPackage(py, name)) ?? (await namespacePackage(py, name));
  // The urllib3 requests runs on in that interpreter (stack-table.ts picks 1.26's or 2's rules by it).
  const urllib3 = await findPackage(py, 'urllib3');
  return [
    {
      client: id,
      path: script,
      version: own?.version,
      details: {
        ...pythonDetails(py),
        python: interp as string,
        ...(certifi ? { certifi: certifi.dir } : {}),
        ...(truststore ? { truststore: truststore.dir } : {}),
        ...(own ? { package: own.dir } : {}),
        ...(urllib3?.version ? { urllib3: urllib3.version } : {}),
      },
    },
  ];
}

/**
 * Poetry and pdm are namespace packages (no `__init__.py`: poetry shares `poetry/` with poetry-core, and
 * Debian's python3-pdm ships none either), which findPackage skips: the first site with the folder, and the
 * version from its `<name>-<version>.dist-info`.
 */
async function namespacePackage(py: PythonInfo, name: string): Promise<PackageInfo | null> {
  for (const site of py.sitePackages) {
    const dir = join(site, name);
    if (await isDir(dir)) return { dir, version: distVersion(site, name), site };
  }
  return null;
}

/** Run `code` (Python, the URL in sys.argv[1], prints `HTTP_STATUS n`) in the tool's interpreter. */
export async function runInTool(
  inst: Installation,
  code: string,
  url: string,
  ctx: Context,
): Promise<Verdict> {
  const python = inst.details?.python;
  if (!python) {
    return {
      ok: false,
      code: 'UNKNOWN',
      message: `${inst.client}: the interpreter of ${inst.path} was not found`,
    };
  }
  return runVerdict(ctx, python, ['-c', code, url]);
}

/** The REQUESTS_CA_BUNDLE plan the requests-based tools share (requests reads it for every Session). */
function requestsBundlePlan(owner: ClientId, bundlePath: string, why: string) {
  return {
    owner,
    summary: `Point ${owner} at the merged bundle with REQUESTS_CA_BUNDLE: ${why}`,
    changes: [{ kind: 'env' as const, name: 'REQUESTS_CA_BUNDLE', value: bundlePath }],
    notes: ['Takes effect in new shells.'],
  };
}
