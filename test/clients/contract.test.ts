/**
 * The contract every client adapter keeps, run against the real client on a pristine laptop:
 * detect → check fails → plan + apply → check passes → undo → check fails the same way → undo again is a
 * no-op. The server is signed by a private CA that nothing on the laptop trusts until the plan is applied.
 */
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, certifixPaths, undoAll } from '../../src/apply/index.ts';
import { registry } from '../../src/clients/registry.ts';
import type { Client } from '../../src/clients/types.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { parseCerts } from '../../src/core/cert.ts';
import type { Plan } from '../../src/core/plan.ts';
import { envAfter } from '../../src/fix/plan.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import type { Context } from '../../src/types.ts';
import { condaShaped } from '../helpers/conda.ts';
import { lacks, missing, STRICT } from '../helpers/has.ts';
import { Laptop } from '../helpers/laptop.ts';
import { npmToolBin } from '../helpers/npm-tools.ts';
import { Pki } from '../helpers/pki.ts';
import { lockWithTool, PYTHON_TOOLS, type PythonTool } from '../helpers/python-tools.ts';
import { makeChain, Origin } from '../helpers/servers.ts';
import { labVenv, type Venv } from '../helpers/venv.ts';

/**
 * Clients no package source of the test machines has (no wheel in the wheelhouse, no Debian bookworm or npm
 * package of uv): tested on their recorded configuration in python-tools.test.ts instead, so skipped here
 * even under CI, with that reason. Poetry, pipenv and pdm come from Debian (.ci/run) and run for real.
 */
const RECORDED: Partial<Record<string, string>> = {
  uv: 'uv is not installable here (no wheel, Debian or npm package): recorded configuration in python-tools.test.ts',
  vscode: 'VS Code is not installable here (no Debian or npm package): recorded settings in vscode.test.ts',
  gradle:
    'Gradle cannot run here (Debian’s 4.4.1 does not start on Java 17, no npm package ships a distribution): the same contract on recorded gradle.properties in gradle.test.ts',
  docker:
    'the Docker daemon verifies registries and cannot run here (no privileges for it): the same contract with certifix’s prediction on real files in docker.test.ts',
};

/** Python libraries live in a venv (built from the wheelhouse) that comes first on the laptop's PATH. */
const PYTHON_LIBS = ['httpx', 'aiohttp', 'urllib3', 'boto3', 'httplib2', 'grpc'];

describe.skipIf(lacks('sandbox', 'openssl'))(
  `client adapter contract ${missing('sandbox', 'openssl')}`,
  () => {
    let laptop: Laptop;
    let origin: Origin;
    let root: string;
    // gRPC offers only ALPN h2, which the HTTP/1.1 origin refuses before any certificate is sent.
    let h2: Http2SecureServer;
    let h2Url: string;
    let libs: Venv | undefined;
    beforeAll(async () => {
      libs = await labVenv({
        packages: ['httpx', 'aiohttp', 'boto3', 'urllib3', 'httplib2', 'grpcio'],
      }).catch(() => undefined);
      const chain = makeChain(new Pki(), 'contract', 'Contract Corp');
      root = chain.root.pem;
      h2 = createSecureServer(
        { key: chain.leaf.keyPem, cert: chain.leaf.pem + chain.intermediate.pem },
        (_q, r) => r.writeHead(404).end(),
      );
      await new Promise<void>((ok) => h2.listen(0, '127.0.0.1', ok));
      h2Url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}/`;
      [laptop, origin] = await Promise.all([
        Laptop.create({ corporateRoots: [] }),
        Origin.start({ chain, sends: 'leaf+intermediate' }),
      ]);
    }, 60_000);
    afterAll(async () => {
      await origin?.close();
      h2?.close();
      await laptop?.dispose();
    });

    const cases: Array<[string, Client]> = registry.list().map((c) => [c.id, c]);
    // Several real client processes; the Python libraries import slowly, pipenv makes a virtualenv.
    it.for(cases)('%s', { timeout: 240_000 }, async ([id, client], { skip }) => {
      const recorded = RECORDED[id];
      if (recorded) return skip(recorded);
      const ctx: Context = laptop.context();
      if (PYTHON_LIBS.includes(id)) {
        if (!libs) throw new Error('the Python libraries venv could not be built from the wheelhouse');
        ctx.env.PATH = `${libs.dir}/bin:${ctx.env.PATH}`;
      }
      // conda: a conda-shaped prefix (a real venv with requests, laid out as ~/miniconda3) in the laptop's HOME.
      if (id === 'conda') await condaShaped(laptop.homePath('miniconda3'));
      if (id === 'yarn' || id === 'pnpm' || id === 'deno' || id === 'bun')
        ctx.env.PATH = `${npmToolBin(id)}:${ctx.env.PATH}`;
      const [inst] = await client.detect(ctx);
      if (!inst) {
        // .ci/run installs every client, so under CI a missing one fails instead.
        if (STRICT) throw new Error(`CI=true but ${id} is not installed on the laptop`);
        return skip(`${id} is not installed`);
      }
      const url = id === 'grpc' ? h2Url : origin.url;

      const before = await client.check(inst, url, ctx);
      expect(before.ok, JSON.stringify(before)).toBe(false);
      // The packaging tools also lock a project against the origin's index with their real CLI.
      const tool = PYTHON_TOOLS.find((t) => t === id) as PythonTool | undefined;
      const lock = (c: Context) => lockWithTool(tool as PythonTool, inst, origin.pypiIndex, c);
      if (tool) expect((await lock(ctx)).locked).toBe(false);

      const bundle = certifixPaths(ctx).bundle;
      const content = renderBundle({ mozilla: mozillaRoots(), extra: parseCerts(root).certs });
      const plans: Plan[] = [
        { owner: 'certifix', summary: 'bundle', changes: [{ kind: 'file', path: bundle, content }] },
        client.plan(inst, bundle, ctx),
      ];
      const applied = await applyPlans(plans, ctx);
      expect(applied.changed.length).toBeGreaterThan(0);
      // What a new shell sees: the variables the plan persisted, on top of the laptop's clean environment.
      const after = await client.check(inst, url, { ...ctx, env: envAfter(plans, ctx.env) });
      expect(after, JSON.stringify(after)).toMatchObject({ ok: true });
      if (tool) {
        const locked = await lock({ ...ctx, env: envAfter(plans, ctx.env) });
        expect(locked.locked, locked.output).toBe(true);
      }
      expect((await applyPlans(plans, ctx)).changed).toEqual([]); // idempotent

      expect((await undoAll(ctx)).nothing).toBe(false);
      const undone = await client.check(inst, url, ctx);
      expect(undone).toMatchObject({ ok: false, code: before.code });
      expect((await undoAll(ctx)).nothing).toBe(true);
    });
  },
);
