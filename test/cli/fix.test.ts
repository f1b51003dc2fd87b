/**
 * `certifix fix` and `undo` through the CLI entry (no lab, no network): arguments, refusals, prompts, the
 * JSON document, and a real apply + undo in a temporary HOME limited to one client (`--client git`).
 * The real-client, real-proxy scenarios live in test/e2e/fix*.test.ts.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIX_HELP } from '../../src/cli/fix.ts';
import type { Io } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { formatFingerprint } from '../../src/core/cert.ts';
import { lacks, missing } from '../helpers/has.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { snapshotTree } from '../helpers/snapshot.ts';

const dirs: string[] = [];
function tempHome(): string {
  const d = mkdtempSync(join(tmpdir(), 'certifix-cli-fix-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `certifix <argv>` with its own HOME and a clean environment; `answers` feed the prompts (a TTY). */
async function certifix(argv: string[], home: string, answers?: boolean[], extraEnv: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const io: Io = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: {
      HOME: home,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      ...extraEnv,
    },
    cwd: home,
    isTTY: answers !== undefined,
    confirm: answers
      ? async (q) => {
          asked.push(q);
          return answers.shift() ?? false;
        }
      : undefined,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, asked };
}

describe.skipIf(lacks('openssl', 'git'))(`certifix fix (CLI) ${missing('openssl', 'git')}`, () => {
  let pki: Pki;
  let root: Issued;
  let leaf: Issued;
  beforeAll(() => {
    pki = new Pki();
    root = pki.root('cli-root', 'CLI Test Root CA', { subjectPrefix: '/O=Example Corp' });
    leaf = pki.leaf('cli-leaf', 'app.corp.test', root);
  }, 30_000);
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

  it('keeps the roots of a CA file the user already points a variable at (their hand-made bundle)', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--dry-run', '--json'], home, undefined, {
      REQUESTS_CA_BUNDLE: root.certPath,
    });
    expect(r.code, r.stderr).toBe(0);
    const roots = JSON.parse(r.stdout).roots as Array<{ subject: string; origin: string }>;
    expect(roots).toContainEqual(
      expect.objectContaining({ subject: 'O=Example Corp, CN=CLI Test Root CA', origin: 'file' }),
    );
  });

  it('prints its help', async () => {
    const r = await certifix(['fix', '--help'], tempHome());
    expect(r).toMatchObject({ code: 0, stdout: FIX_HELP });
  });

  it.each([
    [['fix', 'https://a.test', 'https://b.test'], 'fix takes at most one URL'],
    [['fix', '--trust-fingerprint', 'abc'], '--trust-fingerprint abc is not a sha256 fingerprint'],
    [['fix', '--bogus'], "Unknown option '--bogus'"],
    [['fix', '--ca', '/nonexistent/root.pem'], 'certifix: cannot read /nonexistent/root.pem: no such file\n'],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const home = tempHome();
    const r = await certifix(argv, home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(await snapshotTree(home)).toEqual({});
  });

  it('a --ca file without certificates is an input error, not a crash', async () => {
    const home = tempHome();
    const f = join(home, 'empty.pem');
    writeFileSync(f, 'not a certificate\n');
    const r = await certifix(['fix', '--ca', f, '--yes'], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no certificate');
  });

  it('refuses to change anything without --yes when there is no terminal to ask on', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--ca', root.certPath, '--client', 'git'], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not on a terminal: pass --yes to confirm, or --dry-run to see the plan');
    expect(await snapshotTree(home)).toEqual({});
  });

  it('asks on a terminal, and "no" changes nothing', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--ca', root.certPath, '--client', 'git'], home, [false]);
    expect(r.code).toBe(1);
    expect(r.asked).toEqual(['Trust this root and make these changes?']);
    // Before the question: what a yes would change, file by file.
    expect(r.stdout).toContain('What a yes changes (nothing is changed yet):');
    expect(r.stdout).toContain(`would create ${join(home, '.gitconfig')}`);
    expect(r.stderr).toContain('nothing changed');
    expect(await snapshotTree(home)).toEqual({});
  });

  it('--json on a terminal: the preview goes to stderr, standard output stays one document', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--ca', root.certPath, '--client', 'git', '--json'], home, [true]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`would create ${join(home, '.gitconfig')}`);
    expect(JSON.parse(r.stdout).changed.map((c: { path: string }) => c.path)).toContain(
      join(home, '.gitconfig'),
    );
  });

  it('refuses a leaf (exit 1) unless --allow-non-ca', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--ca', leaf.certPath, '--client', 'git', '--yes'], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'certifix: refusing to trust "CN=app.corp.test": it is not a CA certificate but a site\'s own; ',
    );
    expect(await snapshotTree(home)).toEqual({});
    const ok = await certifix(
      ['fix', '--ca', leaf.certPath, '--client', 'git', '--allow-non-ca', '--dry-run'],
      home,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Plan (dry run, nothing changed):');
    expect(await snapshotTree(home)).toEqual({});
  });

  it('--dry-run --json prints one document and writes nothing', async () => {
    const home = tempHome();
    const r = await certifix(['fix', '--ca', root.certPath, '--client', 'git', '--dry-run', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      dryRun: true,
      roots: [{ subject: 'O=Example Corp, CN=CLI Test Root CA', origin: 'file' }],
      refused: [],
      bundle: { path: join(home, '.local/share/certifix/bundle.pem'), roots: 1 },
      proof: null,
    });
    expect(doc.plans.map((p: { owner: string }) => p.owner)).toEqual(['certifix', 'git']);
    expect(doc.changed.map((c: { path: string }) => c.path).sort()).toEqual(
      [
        join(home, '.gitconfig'),
        join(home, '.local/share/certifix/bundle.pem'),
        join(home, '.local/share/certifix/roots.pem'),
      ].sort(),
    );
    expect(await snapshotTree(home)).toEqual({});
  });

  it('applies, is a no-op the second time, and undo leaves HOME as it was', async () => {
    const home = tempHome();
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Me\n');
    const before = await snapshotTree(home);
    const r = await certifix(['fix', '--ca', root.certPath, '--client', 'git', '--yes'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`modified ${join(home, '.gitconfig')}`);
    const gitconfig = readFileSync(join(home, '.gitconfig'), 'utf8');
    expect(gitconfig).toContain('[user]\n\tname = Me\n');
    expect(gitconfig).toContain(`sslCAInfo = ${join(home, '.local/share/certifix/bundle.pem')}`);
    const again = await certifix(['fix', '--ca', root.certPath, '--client', 'git', '--yes'], home);
    expect(again.stdout).toContain('Already configured: nothing to change.');

    const undoNoTty = await certifix(['undo'], home);
    expect(undoNoTty.code).toBe(1);
    expect(undoNoTty.stderr).toContain('pass --yes');
    const undo = await certifix(['undo', '--yes', '--json'], home);
    expect(undo.code).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ nothing: false, conflicts: [] });
    expect(await snapshotTree(home)).toEqual(before);
    const twice = await certifix(['undo', '--yes'], home);
    expect(twice.stdout).toContain('Nothing to undo');
  });

  it('a root seen only on the network is trusted after the user confirms its fingerprint on the terminal', async () => {
    const site = pki.leaf('cli-net-leaf', 'localhost', root, { ips: ['127.0.0.1'] });
    const server = createHttpsServer({ key: site.keyPem, cert: site.pem + root.pem }, (_q, res) => {
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const home = tempHome();
      // certifix's own caches (CA file indexes under ~/.cache/certifix) are not a change to trust.
      const snap = () => snapshotTree(home, { ignore: /^\.cache(\/|$)/ });
      const before = await snap();
      const no = await certifix(['fix', url, '--client', 'git'], home, [false]);
      expect(no.code).toBe(1);
      expect(no.stderr).toContain(
        formatFingerprint(createHash('sha256').update(new X509Certificate(root.pem).raw).digest('hex')),
      );
      expect(await snap()).toEqual(before);

      const yes = await certifix(['fix', url, '--client', 'git'], home, [true, true]);
      expect(yes.asked).toEqual([
        expect.stringMatching(/^Trust "O=Example Corp, CN=CLI Test Root CA"\?/),
        expect.stringMatching(/make these changes/),
      ]);
      expect(yes.code, yes.stderr + yes.stdout).toBe(0); // and the real git verifies through the bundle
      expect((await certifix(['undo', '--yes'], home)).code).toBe(0);

      // A wrong fingerprint is not a missing one: it is said, with the root's own, and nothing is asked.
      const rootFp = formatFingerprint(
        createHash('sha256').update(new X509Certificate(root.pem).raw).digest('hex'),
      );
      const wrong = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
      const dry = await certifix(
        ['fix', url, '--client', 'git', '--trust-fingerprint', wrong, '--dry-run'],
        home,
      );
      expect(dry.code).toBe(1);
      expect(dry.stderr).toBe(
        `certifix: refusing to trust "O=Example Corp, CN=CLI Test Root CA": --trust-fingerprint ${formatFingerprint(wrong)} matches no certificate here; the root sent is\n` +
          `  ${rootFp}\n` +
          'a different proxy or root than the one IT told you about? Trust it only once IT confirms this fingerprint.\n',
      );
      const tty = await certifix(['fix', url, '--client', 'git', '--trust-fingerprint', wrong], home, [
        true,
        true,
      ]);
      expect(tty.asked).toEqual([]);
      expect(tty.code).toBe(1);
      expect(tty.stderr).toContain('matches no certificate here');
      expect(await snap()).toEqual(before);
    } finally {
      server.close();
    }
  });

  it('a root seen only on the network, refused without a fingerprint: the refusal reads as a sentence', async () => {
    const site = pki.leaf('cli-net-leaf-2', 'localhost', root, { ips: ['127.0.0.1'] });
    const server = createHttpsServer({ key: site.keyPem, cert: site.pem + root.pem }, (_q, res) => {
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const r = await certifix(['fix', url, '--client', 'git', '--dry-run'], tempHome());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^certifix: refusing to trust "O=Example Corp, CN=CLI Test Root CA": it came only from the network, not from your OS store\. Check its fingerprint with your IT team:\n {2}[0-9A-F:]{95}\nthen confirm it interactively or pass --trust-fingerprint [0-9a-f]{64}\n$/,
      );
    } finally {
      server.close();
    }
  });

  // Debian's own urllib3 loads the OS bundle by its path: no variable reaches it.
  const debianUrllib3 = /^\s+ca_certs='\/[^']+',$/m.test(
    (() => {
      try {
        return readFileSync('/usr/lib/python3/dist-packages/urllib3/connectionpool.py', 'utf8');
      } catch {
        return '';
      }
    })(),
  );
  it.skipIf(!debianUrllib3 || lacks('docker'))(
    'a client no per-user change reaches is marked !, with what would do it, and still failing it exits 1',
    async () => {
      const site = pki.leaf('cli-blocked-leaf', 'localhost', root, { ips: ['127.0.0.1'] });
      const server = createHttpsServer({ key: site.keyPem, cert: site.pem + root.pem }, (_q, res) => {
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
      const env = { PATH: '/usr/local/bin:/usr/bin:/bin' }; // the system Python, whose urllib3 is Debian's
      const argv = ['fix', url, '--ca', root.certPath, '--client', 'urllib3,git,docker'];
      try {
        const home = tempHome();
        const dry = await certifix([...argv, '--dry-run'], home, undefined, env);
        expect(dry.code, dry.stderr).toBe(0);
        expect(dry.stdout).toMatch(
          /! urllib3 +cannot be configured per user: add the root to the OS store \(as a \.crt file: sudo cp ROOT\.crt \/usr\/local\/share\/ca-certificates\/ && sudo update-ca-certificates\)/,
        );
        expect(dry.stdout).toMatch(
          /! docker +not configured: the Docker daemon: name the registry with --registry/,
        );
        expect(dry.stdout).toMatch(/\+ git +configured because/);

        const r = await certifix([...argv, '--yes'], home, undefined, env);
        expect(r.stdout).toMatch(/✓ git +verifies/);
        expect(r.stdout).toMatch(/! urllib3 +still fails: not configured/);
        expect(r.stdout).toMatch(/· docker +untouched/);
        expect(r.code, r.stdout).toBe(1);
        const json = await certifix([...argv, '--dry-run', '--json'], home, undefined, env);
        const clients = JSON.parse(json.stdout).clients as Array<{ id: string; blocked: boolean }>;
        expect(clients.filter((c) => c.blocked).map((c) => c.id)).toEqual(['urllib3', 'docker']);
        expect((await certifix(['undo', '--yes'], home)).code).toBe(0);
      } finally {
        server.close();
      }
    },
    120_000,
  );
});
