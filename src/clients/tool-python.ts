/**
 * The shape the Python packaging tools share (poetry, pipenv, pdm): a script on PATH whose `#!` line names
 * the interpreter the tool runs in (pipx, pip --user, Debian's /usr/bin). Their index traffic goes through
 * requests or httpx in that interpreter, so trust() reads that environment's certifi and the variables the
 * tool's HTTP code reads, and check() runs that same library in that interpreter, configured as the tool's
 * source configures it (each tool's file cites the lines).
 */
import { readText, which } from '../host-files.ts';
import type { ClientId, Context, Installation, Verdict } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { findPackage, pythonDetails, resolvePython } from './python.ts';

/** The tool's script on PATH and the Python its `#!` line names (`#!/usr/bin/env python3` resolves on PATH). */
export async function detectTool(id: ClientId, name: string, ctx: Context): Promise<Installation[]> {
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
  const own = await findPackage(py, name);
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
      },
    },
  ];
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
  const r = await ctx.run(python, ['-c', code, url], { env: ctx.env, timeoutMs: 60_000 });
  return verdictFromOutput(`${r.stdout}\n${r.stderr}`, r.code);
}

/** The REQUESTS_CA_BUNDLE plan the requests-based tools share (requests reads it for every Session). */
export function requestsBundlePlan(owner: ClientId, bundlePath: string, why: string) {
  return {
    owner,
    summary: `Point ${owner} at the merged bundle with REQUESTS_CA_BUNDLE: ${why}`,
    changes: [{ kind: 'env' as const, name: 'REQUESTS_CA_BUNDLE', value: bundlePath }],
    notes: ['Takes effect in new shells.'],
  };
}
