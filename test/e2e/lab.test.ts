/**
 * The lab's self-test: the laptop is sealed from this machine's CA configuration, and the simulated
 * company network reproduces the problem certifix fixes (OS-store clients work, requests/node/npm fail).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../../src/types.ts';
import * as client from '../helpers/clients.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { diffSnapshots } from '../helpers/snapshot.ts';
import { copyVenv, labVenv, type Venv } from '../helpers/venv.ts';

/** Variables this machine sets and a pristine laptop must not see (plus anything that looks like them). */
const MACHINE_VARS = /CERT|_CA_|CA_BUNDLE|^SSL_|^PIP_|^NODE_|^NPM_|^GIT_|PROXY|^CURL_|^REQUESTS_/i;

const envKeys = (out: string) => out.split('\n').map((l) => l.split('=')[0] ?? '');

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `lab ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    let laptop: Laptop;
    let venv: Venv;
    beforeAll(async () => {
      [lab, venv] = await Promise.all([Lab.start(), labVenv()]);
      laptop = await lab.laptop();
    });
    afterAll(() => lab?.close());

    describe('the laptop is sealed from this machine', () => {
      it('runs with a clean environment, in a new shell too', async () => {
        const run: Runner = laptop.run; // usable wherever certifix takes a Runner
        for (const r of [
          await run('env', []),
          await laptop.shell('login', 'env'),
          await laptop.shell('interactive', 'env'),
        ]) {
          expect(r.code).toBe(0);
          expect(envKeys(r.stdout).filter((k) => MACHINE_VARS.test(k))).toEqual([]);
          expect(r.stdout).toContain(`HOME=${laptop.home}`);
        }
      });

      it('hides global pip, npm and git settings', async () => {
        const r = await laptop.run('sh', [
          '-c',
          'cat /etc/pip.conf /usr/etc/npmrc /etc/gitconfig 2>/dev/null; ls -A /etc/xdg/pip 2>/dev/null',
        ]);
        expect(r.stdout).toBe('');
        const pip = await laptop.run('python3', ['-m', 'pip', 'config', 'list']);
        expect(pip.stdout.trim()).toBe('');
        const npm = await laptop.run('npm', ['config', 'get', 'cafile']);
        expect(npm.stdout.trim()).toBe('null');
        const git = await laptop.run('git', ['config', '--list', '--show-origin']);
        expect(git.stdout.trim()).toBe('');
      });

      it('has a Debian-style OS store with the Mozilla roots and the corporate roots', async () => {
        const r = await laptop.run('sh', [
          '-c',
          'grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt; ls /usr/local/share/ca-certificates',
        ]);
        const [count, ...local] = r.stdout.trim().split('\n');
        expect(Number(count)).toBe(rootCertificates.length + 2);
        expect(local).toEqual(['corp-proxy-root.crt', 'internal-root.crt']);
        // The hashed directory alone (no bundle) must resolve the corporate root: `openssl rehash` layout.
        const v = await laptop.run('openssl', [
          'verify',
          '-no-CAfile',
          '-CApath',
          '/etc/ssl/certs',
          lab.corporateRoot.certPath,
        ]);
        expect(v.stdout).toContain(': OK');
        // The default paths every OpenSSL client falls back to lead into the fake store.
        const py = await laptop.run('python3', [
          '-c',
          'import os, ssl; print(os.path.realpath(ssl.get_default_verify_paths().cafile))',
        ]);
        expect(py.stdout.trim()).toBe('/etc/ssl/certs/ca-certificates.crt');
      });

      it('keeps the real machine read-only, with a writable /var/tmp', async () => {
        expect((await laptop.run('touch', ['/var/tmp/certifix-probe'])).code).toBe(0);
        expect(existsSync('/var/tmp/certifix-probe')).toBe(false);
        const paths = ['/etc', '/usr/local/share', '/root', '/var/lib', REPO].map(
          (d) => `${d}/certifix-probe`,
        );
        for (const path of paths) {
          const r = await laptop.run('touch', [path]);
          expect(r.code, path).not.toBe(0);
          expect(existsSync(path)).toBe(false);
        }
      });

      it('snapshots HOME byte for byte', async () => {
        const before = await laptop.snapshotHome();
        expect(Object.keys(before)).toEqual(expect.arrayContaining(['.bashrc', '.profile']));
        await laptop.appendHome('.config/pip/pip.conf', '[global]\n');
        const after = await laptop.snapshotHome();
        expect(diffSnapshots(before, after)).toEqual({
          added: ['.config', '.config/pip', '.config/pip/pip.conf'],
          removed: [],
          changed: [],
        });
      });

      it('starts new login and interactive shells that read the dotfiles', async () => {
        await laptop.appendHome('.profile', 'export CERTIFIX_LOGIN=yes\n');
        await laptop.appendHome('.bashrc', 'export CERTIFIX_RC=yes\n');
        const login = await laptop.shell('login', 'echo "$CERTIFIX_LOGIN"; command -v python3');
        expect(login.stdout.split('\n').slice(0, 2)).toEqual([
          'yes',
          expect.stringContaining('.pyenv/shims/python3'),
        ]);
        const rc = await laptop.shell('interactive', 'echo "$CERTIFIX_RC"');
        expect(rc.stdout.trim()).toBe('yes');
        const plain = await laptop.run('sh', ['-c', 'echo "[$CERTIFIX_LOGIN$CERTIFIX_RC]"']);
        expect(plain.stdout.trim()).toBe('[]');
      });

      it.skipIf(lacks('dist'))(`runs the built certifix inside ${missing('dist')}`, async () => {
        const r = await laptop.certifix(['--help']);
        expect(r.code, r.stderr).toBe(0);
      });
    });

    it('has pip 23.2 on the system python and pip 26.2.1 in a venv that can be copied into a laptop', async () => {
      const system = await laptop.run('python3', ['-m', 'pip', '--version']);
      expect(system.stdout).toMatch(/^pip 23\.2\.1 /);
      const copy = await copyVenv(venv, join(laptop.dir, 'venv'));
      const r = await laptop.run(copy.python, [
        '-c',
        'import pip, requests, sys; print(pip.__version__, sys.prefix)',
      ]);
      expect(r.stdout.trim()).toBe(`26.2.1 ${copy.dir}`);
    });

    it('sees roots IT installs later (the OS store is remounted)', async () => {
      const bare = await lab.laptop({ corporateRoots: [] });
      const before = await client.curl(bare, lab.origin.url, { proxy: lab.squid });
      expect(before.reason).toBe('self-signed certificate in certificate chain');
      await bare.trustInOs(lab.corporateRoot);
      const after = await client.curl(bare, lab.origin.url, { proxy: lab.squid });
      expect(after, after.stderr).toMatchObject({ ok: true });
    });

    describe.each(['squid', 'mitmproxy'] as const)('through %s', (kind) => {
      const proxy = () => (kind === 'squid' ? lab.squid : lab.mitmproxy);
      // Squid sends its CA with the leaf; mitmproxy sends the bare leaf.
      const python =
        kind === 'squid'
          ? 'self-signed certificate in certificate chain'
          : 'unable to get local issuer certificate';
      const node =
        kind === 'squid'
          ? 'self-signed certificate in certificate chain'
          : 'unable to verify the first certificate';

      it('OS-store clients succeed: curl, python urllib, git, pip 26 (truststore)', async () => {
        const url = lab.origin.url;
        const results = await Promise.all([
          client.curl(laptop, url, { proxy: proxy() }),
          client.pythonUrllib(laptop, url, { proxy: proxy() }),
          client.gitLsRemote(laptop, lab.origin.gitRepo, { proxy: proxy() }),
          client.pipDownload(laptop, lab.origin.pypiIndex, { proxy: proxy(), python: venv.python }),
        ]);
        for (const r of results) expect(r, r.stderr).toMatchObject({ ok: true });
      });

      it('requests and pip 23.2 fail on certifi', async () => {
        const [r, pip] = await Promise.all([
          client.pythonRequests(laptop, lab.origin.url, { proxy: proxy() }),
          client.pipDownload(laptop, lab.origin.pypiIndex, { proxy: proxy() }),
        ]);
        expect(r.reason, r.stderr).toBe(python);
        expect(r.stderr).toContain(`CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${python}`);
        expect(pip.reason, pip.stderr).toBe(python);
      });

      it('node and npm fail on their bundled roots, and node --use-openssl-ca works', async () => {
        const [n, npm, ossl] = await Promise.all([
          client.nodeHttps(laptop, lab.origin.url, { proxy: proxy() }),
          client.npmPing(laptop, lab.origin.npmRegistry, { proxy: proxy() }),
          client.nodeHttps(laptop, lab.origin.url, {
            proxy: proxy(),
            env: { NODE_OPTIONS: '--use-openssl-ca' },
          }),
        ]);
        expect(n.reason, n.stderr).toBe(node);
        expect(npm.reason, npm.stderr).toBe(node);
        expect(ossl, ossl.stderr).toMatchObject({ ok: true });
      });
    });

    it('without a proxy, the public-like origin is not trusted (the proxy is what succeeds)', async () => {
      const r = await client.curl(laptop, lab.origin.url);
      expect(r.reason).toBe('unable to get local issuer certificate');
    });

    it('the internal service: curl and git succeed, requests and node fail', async () => {
      const url = lab.internal.url;
      const [c, g, req, n] = await Promise.all([
        client.curl(laptop, url),
        client.gitClone(laptop, lab.internal.gitRepo),
        client.pythonRequests(laptop, url),
        client.nodeFetch(laptop, url),
      ]);
      expect(c, c.stderr).toMatchObject({ ok: true });
      expect(g, g.stderr).toMatchObject({ ok: true });
      expect(req.reason, req.stderr).toBe('unable to get local issuer certificate');
      expect(n.reason, n.stderr).toBe('unable to get local issuer certificate');
    });
  },
);
