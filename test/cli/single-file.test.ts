/**
 * The published package is one self-contained file: `npm pack` carries no runtime dependency, and
 * dist/certifix.cjs copied alone into an empty directory runs every command, as someone who downloaded it
 * (because npm itself cannot get through the proxy) would run it.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issued, Pki } from '../helpers/pki.ts';
import { startTls, type TlsServer } from '../net/servers.ts';

const repo = join(import.meta.dirname, '..', '..');
const built = join(repo, 'dist', 'certifix.cjs');
const run = promisify(execFile);

describe.skipIf(!existsSync(built) && process.env.CI !== 'true')(
  `the single file${existsSync(built) ? '' : ' (skipped: dist/certifix.cjs missing; run npm run build)'}`,
  // Each case starts a whole certifix process: on a loaded two-core machine that alone can take seconds.
  { timeout: 30_000 },
  () => {
    let dir: string;
    let file: string;
    let env: NodeJS.ProcessEnv;
    let pki: Pki;
    let root: Issued;
    let leaf: Issued;
    let int: Issued;
    let server: TlsServer;
    let packs: string;
    let tgz: string;

    beforeAll(async () => {
      // Unpack the real tarball and take the file out of it: what is tested is what is published.
      packs = mkdtempSync(join(tmpdir(), 'certifix-pack-'));
      execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], {
        cwd: repo,
        stdio: 'ignore',
      });
      tgz = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz')) as string);
      execFileSync('tar', ['-xzf', tgz, '-C', packs]);
      dir = mkdtempSync(join(tmpdir(), 'certifix-alone-'));
      file = join(dir, 'certifix.cjs');
      copyFileSync(join(packs, 'package', 'dist', 'certifix.cjs'), file);
      const home = join(dir, 'home');
      mkdirSync(home);
      // A clean environment: none of this machine's CA variables, a HOME of its own, cwd = the empty directory.
      env = {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: home,
        XDG_CACHE_HOME: join(home, '.cache'),
        LANG: 'C.UTF-8',
      };
      pki = new Pki();
      root = pki.root('root', 'Single File Root');
      int = pki.intermediate('int', 'Single File Issuing CA', root);
      leaf = pki.leaf('leaf', 'localhost', int, { ips: ['127.0.0.1'] });
      server = await startTls(leaf.keyPem, [leaf.pem, int.pem]);
    }, 60_000);
    afterAll(() => server?.close());

    const certifix = (...args: string[]) =>
      run(process.execPath, [file, ...args], { cwd: dir, env, timeout: 60_000 }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );

    it('the tarball declares no dependencies and its bin runs the single file', () => {
      const pkg = JSON.parse(
        execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }),
      );
      expect(pkg.dependencies ?? {}).toEqual({});
      expect(pkg.optionalDependencies ?? {}).toEqual({});
      expect(pkg.peerDependencies ?? {}).toEqual({});
      const bin = execFileSync('tar', ['-xzOf', tgz, `package/${pkg.bin.certifix}`], {
        encoding: 'utf8',
      });
      expect(bin).toContain("require('../dist/certifix.cjs')");
    });

    it('is alone in its directory and answers --version and --help', async () => {
      expect(readdirSync(dir).sort()).toEqual(['certifix.cjs', 'home']);
      const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
      expect((await certifix('--version')).stdout).toBe(`${pkg.version}\n`);
      expect((await certifix('--help')).stdout).toContain('diagnose');
    });

    it('diagnose: a local server missing nothing but trust in its root', async () => {
      const r = await certifix('diagnose', `https://127.0.0.1:${server.port}/`, '--json');
      const doc = JSON.parse(r.stdout);
      expect(doc.chain.map((c: { subject: string }) => c.subject)).toEqual([
        'CN=localhost',
        'CN=Single File Issuing CA',
      ]);
      expect(r.code).toBe(1); // no client trusts the test root
    });

    it('fix --dry-run plans without changing anything', async () => {
      const r = await certifix('fix', '--dry-run', '--ca', root.certPath);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout).toMatch(/Single File Root|dry run|would/i);
      expect(readdirSync(join(dir, 'home')).filter((f) => f !== '.cache')).toEqual([]);
    });

    it('verify: a chain offline against a given root', async () => {
      const chain = pki.bundle('chain', [leaf, int]);
      const r = await certifix('verify', chain, '--ca', root.certPath, '--host', 'localhost');
      expect(r.stdout).toMatch(/^OK\n/);
    });

    it('explain: a pasted error, offline', async () => {
      const text = join(pki.dir, 'error.txt');
      writeFileSync(
        text,
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded " +
          "with url: /simple/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] " +
          "certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))\n",
      );
      const r = await certifix('explain', text, '--offline');
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout).toMatch(/issuer|pypi\.org/i);
    });
  },
);
