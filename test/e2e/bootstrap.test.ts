/**
 * README "When npm itself is broken", run line by line on the sandboxed laptop behind Squid ssl-bump, whose
 * company root is in the OS store only. A lab HTTPS server plays both the npm registry (serving the package
 * `npm pack` makes of this repository) and the release downloads (`$RELEASE`). Each README line is run as
 * written, except that `fix` becomes `--version`: getting certifix to run is what is being proved here (what
 * `fix` does is test/e2e/fix.test.ts's business).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXE, has, lacks, missing, nodeOf } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { REPO } from '../helpers/paths.ts';
import { Origin } from '../helpers/servers.ts';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

/** The section's commands, as README.md shows them. */
const LINES = {
  npx: 'NODE_USE_SYSTEM_CA=1 npx certifix fix',
  curlFile: 'curl -fLO "$RELEASE/certifix.cjs"',
  runFile: 'node certifix.cjs fix',
  curlExe: 'curl -fLo certifix "$RELEASE/certifix-linux-x64" && chmod +x certifix',
  runExe: './certifix fix',
};
const asRun = (line: string) => line.replace(/ fix$/, ' --version');

/** The README section, from its heading to the next one. */
function section(): string {
  const start = README.indexOf('## When npm itself is broken');
  return start < 0 ? '' : README.slice(start, README.indexOf('\n## ', start + 1));
}

const TOOLS = ['sandbox', 'squid', 'node24', 'dist'];

describe.skipIf(lacks(...TOOLS))(`README: when npm itself is broken ${missing(...TOOLS)}`, () => {
  let lab: Lab;
  let laptop: Laptop;
  let release: Origin;
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'certifix-bootstrap-'));
    // The package as published: bin + dist/certifix.cjs, no dependencies.
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
      cwd: REPO,
      encoding: 'utf8',
    });
    const tgz = readFileSync(join(work, out.trim().split('\n').at(-1) ?? ''));
    lab = await Lab.start({ mitmproxy: false });
    const files: Record<string, string> = {
      '/certifix.cjs': join(REPO, 'dist', 'certifix.cjs'),
      '/certifix-linux-x64': EXE.linux,
    };
    release = await Origin.start({
      chain: lab.origin.chain, // Squid trusts the origin's root upstream, as it trusts public sites
      handle: (req, res) => {
        const path = new URL(req.url ?? '/', 'https://x').pathname;
        const base = release.url;
        const send = (type: string, body: Buffer | string) => {
          res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
          res.end(body);
          return true;
        };
        if (path === '/certifix') return send('application/json', JSON.stringify(packument(base, tgz)));
        if (path === `/certifix/-/certifix-${version}.tgz`) return send('application/octet-stream', tgz);
        const file = files[path];
        if (!file || !has(file)) return false;
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': statSync(file).size,
        });
        createReadStream(file).pipe(res);
        return true;
      },
    });
    laptop = await lab.laptop();
    env = {
      PATH: `${dirname(nodeOf(24) ?? '')}:${laptop.env.PATH}`,
      https_proxy: lab.squid?.url ?? '',
      npm_config_registry: release.url,
      npm_config_update_notifier: 'false',
      npm_config_fetch_retries: '0',
      RELEASE: release.url.replace(/\/$/, ''),
    };
  }, 180_000);
  afterAll(async () => {
    await release?.close();
    await lab?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const sh = (script: string, extra: Record<string, string> = {}) =>
    laptop.run('sh', ['-c', script], { env: { ...env, ...extra }, timeoutMs: 120_000 });

  it('shows exactly the commands tested here', () => {
    for (const line of Object.values(LINES)) expect(section()).toContain(line);
  });

  it('Node 24 on this laptop: npm fails without NODE_USE_SYSTEM_CA=1, and npx installs and runs certifix with it', async () => {
    expect((await sh('node --version')).stdout.trim()).toMatch(/^v24\./);
    const without = await sh(asRun(LINES.npx.replace('NODE_USE_SYSTEM_CA=1 ', '')));
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate in certificate chain/,
    );
    const r = await sh(asRun(LINES.npx));
    expect(r.stderr).not.toMatch(/CERT/);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  }, 240_000);

  it('any Node: curl fetches the single file through the proxy, node runs it', async () => {
    const dir = mkdtempSync(join(laptop.home, 'file-'));
    const r = await laptop.run('sh', ['-c', `${LINES.curlFile} && ${asRun(LINES.runFile)}`], {
      env,
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it.skipIf(lacks('exe-linux'))(
    `no Node: curl fetches the executable, it runs ${missing('exe-linux')}`,
    async () => {
      const dir = mkdtempSync(join(laptop.home, 'exe-'));
      // No node anywhere on PATH: only the two tools the lines use.
      const tools = mkdtempSync(join(laptop.home, 'tools-'));
      for (const t of ['curl', 'chmod']) symlinkSync(`/usr/bin/${t}`, join(tools, t));
      const r = await laptop.run('/bin/sh', ['-c', `${LINES.curlExe} && ${asRun(LINES.runExe)}`], {
        env: { ...env, PATH: tools },
        cwd: dir,
        timeoutMs: 180_000,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    },
    240_000,
  );
});

/** The registry document for `certifix`, as npm publishes it: the bin, no dependencies. */
function packument(base: string, tgz: Buffer): object {
  const manifest = {
    name: 'certifix',
    version,
    bin: { certifix: 'bin/certifix.js' },
    dist: {
      tarball: `${base}certifix/-/certifix-${version}.tgz`,
      shasum: createHash('sha1').update(tgz).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
    },
  };
  return {
    _id: 'certifix',
    name: 'certifix',
    'dist-tags': { latest: version },
    versions: { [version]: manifest },
  };
}
