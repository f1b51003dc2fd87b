/**
 * The acceptance test of `certifix fix` / `undo` ("done means"): on a pristine company laptop, the clients
 * that fail on the corporate root work in every NEW shell after `fix`, and after `undo` fail again exactly as
 * before, with every file in HOME back to its original bytes. Plus the merged bundle's contents, --dry-run,
 * a second run, and a user's own REQUESTS_CA_BUNDLE.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from '../helpers/clients.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { CLIENT_NOISE, diffSnapshots, type Snapshot } from '../helpers/snapshot.ts';
import { inShell, type Outcome, probes, runAll } from './fix-probes.ts';

const SELF_SIGNED = 'self-signed certificate in certificate chain';
const LOCAL_ISSUER = 'unable to get local issuer certificate';
const FIRST_CERT = 'unable to verify the first certificate';
const fail = (reason: string): Outcome => ({ ok: false, reason });
const OK: Outcome = { ok: true, reason: null };

/** The pristine laptop, as test/helpers/README.md tabulates it (Squid sends its CA; mitmproxy the bare leaf). */
const BEFORE: Record<string, Outcome> = {
  'requests via squid': fail(SELF_SIGNED),
  'pip via squid': fail(SELF_SIGNED),
  'node https via squid': fail(SELF_SIGNED),
  'npm ping via squid': fail(SELF_SIGNED),
  'curl via squid': OK,
  'git clone via squid': OK,
  'requests via mitmproxy': fail(LOCAL_ISSUER),
  'pip via mitmproxy': fail(LOCAL_ISSUER),
  'node https via mitmproxy': fail(FIRST_CERT),
  'npm ping via mitmproxy': fail(FIRST_CERT),
  'curl via mitmproxy': OK,
  'git clone via mitmproxy': OK,
  'requests internal': fail(LOCAL_ISSUER),
  'pip internal': fail(LOCAL_ISSUER),
  'node fetch internal': fail(LOCAL_ISSUER),
  'curl internal': OK,
  'git clone internal': OK,
};

const DATA = '.local/share/certifix';

/** Outcomes in a new login shell and a new interactive shell, run concurrently. */
async function inNewShells(lab: Lab, laptop: Laptop) {
  const list = probes(lab);
  const details: Record<string, string> = {};
  const [login, interactive] = await Promise.all([
    runAll(list, inShell(laptop, 'login'), details),
    runAll(list, inShell(laptop, 'interactive'), details),
  ]);
  return { login, interactive, details };
}

function fingerprints(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p).fingerprint256,
  );
}

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `fix and undo ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await Lab.start();
    });
    afterAll(() => lab?.close());

    it('fix makes every client work in new login and interactive shells; undo brings back the exact failures and bytes', async () => {
      const laptop = await lab.laptop(); // corporate and internal roots in the OS store, as IT installs them
      const before = await inNewShells(lab, laptop);
      expect(before.login, JSON.stringify(before.details, null, 1)).toEqual(BEFORE);
      expect(before.interactive).toEqual(BEFORE);
      // Taken after the clients ran once, so their caches exist on both sides of the comparison.
      const home = await laptop.snapshotHome();

      const fix = await laptop.certifix(['fix', '--yes']);
      expect(fix.code, fix.stderr).toBe(0);
      expect(fix.stdout).toContain('Example Corp Proxy Root CA');
      expect(fix.stdout).toContain('Example Corp Internal Root CA');
      expect(fix.stderr).toBe('');

      const after = await inNewShells(lab, laptop);
      const allOk = Object.fromEntries(Object.keys(BEFORE).map((k) => [k, OK]));
      expect(after.login, JSON.stringify(after.details, null, 1)).toEqual(allOk);
      expect(after.interactive, JSON.stringify(after.details, null, 1)).toEqual(allOk);

      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stderr).toBe(0);
      expect(undo.stdout).toContain('Undone.');
      expect(undo.stdout).not.toContain('kept your edits');

      const again = await inNewShells(lab, laptop);
      expect(again.login).toEqual(before.login);
      expect(again.interactive).toEqual(before.interactive);

      // Every file has its original bytes. The only differences are npm's debug logs (~/.npm/_logs: new ones
      // from the client runs in between, old ones rotated away), which CLIENT_NOISE covers.
      const diff = diffSnapshots(home, await laptop.snapshotHome());
      for (const p of [...diff.added, ...diff.removed, ...diff.changed]) expect(p).toMatch(/^\.npm(\/|$)/);
      const quiet = (s: Snapshot) =>
        Object.fromEntries(Object.entries(s).filter(([p]) => !CLIENT_NOISE.test(p)));
      expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(quiet(home));
      expect((await laptop.certifix(['undo', '--yes'])).stdout).toContain('Nothing to undo');
    });

    it('the merged bundle is every root Node ships plus the chosen roots, and still verifies chains', async () => {
      const laptop = await lab.laptop();
      expect((await laptop.certifix(['fix', '--yes'])).code).toBe(0);
      const bundle = laptop.homePath(DATA, 'bundle.pem');
      const inBundle = fingerprints(readFileSync(bundle, 'utf8'));
      // Node's own roots, asked inside the laptop (the same node binary the clients use).
      const node = await laptop.run('node', [
        '-p',
        "require('tls').rootCertificates.map((p) => new (require('crypto').X509Certificate)(p).fingerprint256).join('\\n')",
      ]);
      const mozilla = node.stdout.trim().split('\n');
      expect(mozilla.length).toBeGreaterThan(100);
      const chosen = [lab.corporateRoot.pem, lab.internalChain.root.pem].flatMap(fingerprints);
      expect(new Set(inBundle)).toEqual(new Set([...mozilla, ...chosen]));
      expect(inBundle).toHaveLength(mozilla.length + 2); // no duplicates
      expect(fingerprints(readFileSync(laptop.homePath(DATA, 'roots.pem'), 'utf8'))).toEqual(chosen);

      // The bundle alone (no OS store) verifies the internal chain, the proxies' leaves, and Mozilla's roots
      // (the lab has no chain under a real Mozilla root: their keys are not ours to sign with).
      const verify = (...args: string[]) =>
        laptop.run('openssl', ['verify', '-no-CApath', '-CAfile', bundle, ...args]);
      const internal = await verify(
        '-untrusted',
        lab.internalChain.intermediate.certPath,
        lab.internalChain.leaf.certPath,
      );
      expect(internal.stdout, internal.stderr).toContain(': OK');
      const isrg = rootPem('ISRG Root X1');
      const digicert = rootPem('DigiCert Global Root G2');
      for (const [name, pem] of [
        ['isrg', isrg],
        ['digicert', digicert],
      ] as const) {
        const f = join(laptop.tmp, `${name}.pem`);
        writeFileSync(f, pem);
        const r = await verify(f);
        expect(r.stdout, r.stderr).toContain(': OK');
      }
      // curl through Squid with the bundle as its only CA file.
      const curl = await client.curl(laptop, lab.origin.url, {
        proxy: lab.squid,
        env: { CURL_CA_BUNDLE: bundle },
      });
      expect(curl, curl.stderr).toMatchObject({ ok: true });
    });

    it('--dry-run prints the plan and changes nothing', async () => {
      const laptop = await lab.laptop();
      const home = await laptop.snapshotHome();
      const r = await laptop.certifix(['fix', '--dry-run']); // no --yes: a dry run asks nothing
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Plan (dry run, nothing changed):');
      for (const f of [`${DATA}/bundle.pem`, `${DATA}/roots.pem`, '.config/pip/pip.conf', '.npmrc'])
        expect(r.stdout).toContain(`would create ${laptop.homePath(f)}`);
      // curl, git and Python's ssl read the OS store, which holds both company roots: left alone.
      expect(r.stdout).not.toContain('.gitconfig');
      for (const id of ['python-ssl', 'curl', 'git'])
        expect(r.stdout).toMatch(new RegExp(`· ${id} +left alone: already trusts the OS store`));
      expect(r.stdout).toMatch(
        /\+ node +configured because its CA store \(bundled\) lacks 2 roots your OS trusts locally/,
      );
      expect(r.stdout).not.toMatch(/export (SSL_CERT_FILE|CURL_CA_BUNDLE)=/);
      for (const f of ['.profile', '.bashrc'])
        expect(r.stdout).toContain(`would modify ${laptop.homePath(f)}`);
      expect(r.stdout).toContain(`+ export REQUESTS_CA_BUNDLE='${laptop.homePath(DATA, 'bundle.pem')}'`);
      expect(r.stdout).not.toContain('New shells pick this up');

      const json = await laptop.certifix(['fix', '--dry-run', '--json']);
      const doc = JSON.parse(json.stdout);
      expect(doc).toMatchObject({ dryRun: true, bundle: { roots: 2 }, proof: null });
      expect(doc.changed.map((c: { path: string }) => c.path)).toContain(laptop.homePath('.bashrc'));
      expect(await laptop.snapshotHome()).toEqual(home);
    });

    it('a second fix is a no-op: nothing to change, journal and bundle untouched', async () => {
      const laptop = await lab.laptop();
      const pristine = await laptop.snapshotHome();
      expect((await laptop.certifix(['fix', '--yes'])).code).toBe(0);
      const home = await laptop.snapshotHome();
      const files = ['journal.json', 'bundle.pem', 'roots.pem'].map((f) => laptop.homePath(DATA, f));
      const mtimes = files.map((f) => statSync(f).mtimeMs);
      await new Promise((r) => setTimeout(r, 20));

      const r = await laptop.certifix(['fix', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Already configured: nothing to change.');
      expect(r.stdout).not.toMatch(/^ {2}(created|modified) /m);
      expect(files.map((f) => statSync(f).mtimeMs)).toEqual(mtimes);
      expect(await laptop.snapshotHome()).toEqual(home);

      // One undo takes back both runs.
      expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
      expect(await laptop.snapshotHome()).toEqual(pristine);
    });

    it("a user's own REQUESTS_CA_BUNDLE in ~/.bashrc: the bundle wins in new shells, and undo brings theirs back byte for byte", async () => {
      const laptop = await lab.laptop();
      writeFileSync(laptop.homePath('corp.pem'), lab.corporateRoot.pem); // only the company root
      await laptop.appendHome('.bashrc', 'export REQUESTS_CA_BUNDLE="$HOME/corp.pem"\n');
      const home = await laptop.snapshotHome();
      const bundle = laptop.homePath(DATA, 'bundle.pem');
      const value = async (kind: 'login' | 'interactive') =>
        (await laptop.shell(kind, 'echo "$REQUESTS_CA_BUNDLE"')).stdout.trim();

      const fix = await laptop.certifix(['fix', '--yes']);
      expect(fix.code, fix.stderr).toBe(0);
      expect(fix.stdout).not.toMatch(/after the certifix block/);
      // The file already set the variable, so the block went below the user's line in ~/.bashrc, and at the
      // bottom of ~/.profile as always: both kinds of new shell use the merged bundle.
      for (const kind of ['login', 'interactive'] as const) {
        expect(await value(kind)).toBe(bundle);
        const on = inShell(laptop, kind);
        const [proxied, internal] = await Promise.all([
          client.pythonRequests(on, lab.origin.url, { proxy: lab.squid }),
          client.pythonRequests(on, lab.internal.url),
        ]);
        expect(proxied, proxied.stderr).toMatchObject({ ok: true });
        expect(internal, internal.stderr).toMatchObject({ ok: true });
      }

      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stderr).toBe(0);
      expect(await laptop.snapshotHome()).toEqual(home);
      expect(await value('interactive')).toBe(laptop.homePath('corp.pem'));
      expect(await value('login')).toBe(''); // Debian's .bashrc returns before the export when not interactive
    });
  },
);

function rootPem(cn: string): string {
  const pem = rootCertificates.find((p) => new X509Certificate(p).subject.split('\n').includes(`CN=${cn}`));
  if (!pem) throw new Error(`Node ships no root named ${cn}`);
  return pem;
}
