/**
 * A conda-shaped environment on the lab laptop (~/miniconda3: its own prefix, conda-meta/, ssl/cert.pem, a
 * certifi copy, a .condarc, a real Python with requests; helpers/conda.ts) is found by diagnose, fixed by
 * `certifix fix --yes` — its requests reaches the internal-CA server in a new login shell, ssl_verify in
 * ~/.condarc names the merged bundle — and `undo` gives every byte of HOME back.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condaShaped } from '../helpers/conda.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { CLIENT_NOISE, diffSnapshots } from '../helpers/snapshot.ts';

const REQUESTS = (url: string) =>
  `~/miniconda3/bin/python -c 'import sys, requests; print("HTTP_STATUS", requests.get(sys.argv[1], timeout=20).status_code)' ${url}`;
// What conda's CondaSession does with ssl_verify (conda/gateways/connection/session.py): session.verify = it.
// Without REQUESTS_CA_BUNDLE (trust_env off), so that only ~/.condarc's ssl_verify can make it verify.
const CONDA_SESSION = (url: string) => `~/miniconda3/bin/python - ${url} <<'PY'
import re, sys, os, requests
text = open(os.path.expanduser("~/.condarc")).read() if os.path.exists(os.path.expanduser("~/.condarc")) else ""
m = re.search(r"^ssl_verify: (.+)$", text, re.M)
s = requests.Session()
if m: s.verify = m.group(1)
s.trust_env = False
print("HTTP_STATUS", s.get(sys.argv[1], timeout=20).status_code)
PY`;

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `a conda-shaped environment is fixed and undone ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await Lab.start();
    });
    afterAll(() => lab?.close());

    it('diagnose shows it, fix makes its requests and conda settings work in a new shell, undo restores HOME', {
      timeout: 300_000,
    }, async () => {
      const laptop = await lab.laptop();
      await condaShaped(laptop.homePath('miniconda3'));
      const url = lab.internal.url;
      const run = (script: (url: string) => string) => laptop.shell('login', script(url));

      const before = await run(REQUESTS);
      expect(before.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED.*unable to get local issuer certificate/);
      expect((await run(CONDA_SESSION)).stderr).toMatch(/CERTIFICATE_VERIFY_FAILED/);

      const diag = await laptop.certifix(['diagnose', url, '--json', '--client', 'python-requests,conda']);
      const rows = JSON.parse(diag.stdout).clients as Array<{
        id: string;
        ok: boolean;
        environment?: string;
        alsoIn?: string[];
      }>;
      const envs = rows.flatMap((r) => [r.environment, ...(r.alsoIn ?? [])]);
      expect(
        envs.some((e) => e?.startsWith('~/miniconda3 ')),
        diag.stdout + diag.stderr,
      ).toBe(true);
      expect(rows.find((r) => r.id === 'conda')).toMatchObject({ ok: false });

      // Taken after the environment's Python ran once (its __pycache__ exists on both sides).
      const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });
      const fix = await laptop.certifix(['fix', '--yes']);
      expect(fix.code, fix.stdout + fix.stderr).toBe(0);
      expect(readFileSync(laptop.homePath('.condarc'), 'utf8')).toMatch(
        /^ssl_verify: .*\/\.local\/share\/certifix\/bundle\.pem$/m,
      );
      const after = await run(REQUESTS);
      expect(after.stdout + after.stderr).toContain('HTTP_STATUS 200');
      expect((await run(CONDA_SESSION)).stdout).toContain('HTTP_STATUS 200');
      // As a new shell has it: the profile now exports REQUESTS_CA_BUNDLE (conda reads ~/.condarc anyway).
      const bundle = laptop.homePath('.local', 'share', 'certifix', 'bundle.pem');
      const again = await laptop.certifix(['diagnose', url, '--json', '--client', 'python-requests,conda'], {
        env: { REQUESTS_CA_BUNDLE: bundle },
      });
      expect(JSON.parse(again.stdout).clients.every((r: { ok: boolean }) => r.ok)).toBe(true);

      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stdout + undo.stderr).toBe(0);
      expect(diffSnapshots(home, await laptop.snapshotHome({ ignore: CLIENT_NOISE }))).toEqual({
        added: [],
        removed: [],
        changed: [],
      });
      expect((await run(REQUESTS)).stderr).toMatch(/unable to get local issuer certificate/);
    });
  },
);
