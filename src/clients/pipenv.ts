/**
 * pipenv resolves and downloads through its own copy of pip, `pipenv/patched/pip` (pipenv/utils/resolver.py
 * imports `pipenv.patched.pip._internal`, https://github.com/pypa/pipenv), which carries pip's vendored
 * requests and certifi. So its CAs are that pip's (pip.ts): REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › PIP_CERT /
 * pip.conf `cert` (its option parser reads them) › the patched pip's own certifi/cacert.pem, plus the OS store
 * through truststore when that pip is ≥ 24.2 on Python ≥ 3.10. Not the interpreter's certifi: Debian
 * bookworm's pipenv 2022.12.19 runs on /usr/bin/python3, whose certifi is patched to the OS bundle, yet its
 * patched pip 22.3.1 ships an unpatched cacert.pem
 * (/usr/lib/python3/dist-packages/pipenv/patched/pip/_vendor/certifi/), so a root only the OS store has
 * fails there. `pipenv lock` hides the TLS error (pip logs it as a warning and the resolver reports "No
 * matching distribution"), hence check() asks the patched pip's own session instead.
 */
import { join } from 'node:path';
import { readText } from '../host-files.ts';
import type { Installation } from '../types.ts';
import { pip } from './pip.ts';
import { pythonTool, runInTool, toolRequestsTrust } from './tool-python.ts';

/** The pip pipenv carries, as a pip Installation (its path is the package directory, as pip.ts expects). */
async function patchedPip(inst: Installation): Promise<Installation | null> {
  const pkg = inst.details?.package;
  if (!pkg) return null;
  const dir = join(pkg, 'patched', 'pip');
  const init = await readText(join(dir, '__init__.py'));
  if (init === null) return null;
  const version = /^__version__\s*=\s*["']([^"']+)["']/m.exec(init)?.[1];
  return { client: 'pip', path: dir, version, details: inst.details };
}

export const pipenv = pythonTool({
  id: 'pipenv',
  async trust(inst, ctx) {
    const own = await patchedPip(inst);
    if (own) {
      const t = await pip.trust(own, ctx);
      return { ...t, why: `pipenv's patched pip ${own.version ?? ''}: ${t.why}` };
    }
    // An older pipenv without a patched pip runs the environment's pip through requests.
    return toolRequestsTrust(inst, ctx);
  },
  planWhy: "pipenv's pip reads it before PIP_CERT and its own certifi.",
  // The session pip's download command builds (config files and PIP_* variables applied), without retries.
  // pipenv's __init__ imports its whole CLI (seconds): the package is entered without it.
  check: (inst, url, ctx) =>
    runInTool(
      inst,
      [
        'import sys, types',
        `m = types.ModuleType("pipenv"); m.__path__ = [${JSON.stringify(inst.details?.package ?? '')}]`,
        'sys.modules.setdefault("pipenv", m) if m.__path__[0] else None',
        'from pipenv.patched.pip._internal.commands import create_command',
        'cmd = create_command("download")',
        'opts, _ = cmd.parse_args([])',
        's = cmd._build_session(opts, retries=0)',
        'r = s.get(sys.argv[1], timeout=20, allow_redirects=False)',
        'print("HTTP_STATUS", r.status_code)',
      ].join('\n'),
      url,
      ctx,
    ),
});
