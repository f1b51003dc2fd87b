/**
 * Windows for real: the built certifix run by the official Windows Node 22 under Wine, on the sandboxed
 * laptop (test/helpers/wine.ts). Wine's CryptoAPI serves the laptop's OS store as the Windows root store, so
 * the company roots IT installed are Windows roots here; reg.exe edits HKCU\Environment for real; a new
 * Windows process inherits what certifix wrote there.
 *
 * What is a layout rather than a program: no Windows Python or npm runs under Wine here, so the test lays out
 * an Anaconda install (conda-meta, python.exe, certifi's cacert.pem, envs\) and npm's global prefix
 * (%APPDATA%\npm) as the installers would; certifix finds them by that layout, as it does on Windows.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRegQuery } from '../../src/apply/registry.ts';
import { parseNpmrc } from '../../src/clients/ini.ts';
import { blobFor } from '../../src/stores/win32.ts';
import { has, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { REPO } from '../helpers/paths.ts';
import { snapshotTree } from '../helpers/snapshot.ts';
import { Wine, wineBinary, winPath } from '../helpers/wine.ts';

const canRun = has('sandbox') && wineBinary() !== null;
const reason = canRun ? '' : missing('sandbox') || '(skipped: wine64 is not installed)';
if (process.env.CI === 'true' && !canRun) throw new Error(`CI must run the Wine e2e ${reason}`);

const HTTPS_GET = `require("https").get(process.argv[1], (r) => { console.log("HTTP_STATUS", r.statusCode); process.exit(0); })
  .on("error", (e) => { console.log("ERROR", e.code, e.message); process.exit(1); });`;

const PS_PROFILE = 'Set-Alias ll Get-ChildItem\r\n';

/** Wine writes its own state under the profile (Temp, caches): not ours to compare. */
const WINE_NOISE = /^(Temp|AppData\/Local\/(Temp|Microsoft)|AppData\/Roaming\/Microsoft)(\/|$)/;

describe.skipIf(!canRun)(`certifix on Windows under Wine ${reason}`, () => {
  let lab: Lab;
  let laptop: Laptop;
  let wine: Wine;
  const cli = winPath(join(REPO, 'bin', 'certifix.js'));
  const certifix = (args: string[]) => wine.nodeExe([cli, ...args], { timeoutMs: 240_000 });
  const psProfile = () => join(laptop.home, 'WindowsPowerShell', 'Microsoft.PowerShell_profile.ps1');
  const regValue = async (name: string) => {
    const r = await wine.exec(['reg', 'query', 'HKCU\\Environment', '/v', name]);
    return r.code === 0 ? parseRegQuery(r.stdout, name) : null;
  };

  beforeAll(async () => {
    lab = await Lab.start();
    laptop = await lab.laptop();
    wine = await Wine.create(laptop);
    // Anaconda "Just Me" at %USERPROFILE%\anaconda3 with one environment, and npm's global prefix.
    const conda = join(wine.profile, 'anaconda3');
    for (const prefix of [conda, join(conda, 'envs', 'data')]) {
      mkdirSync(join(prefix, 'Lib', 'site-packages', 'certifi'), { recursive: true });
      mkdirSync(join(prefix, 'Library', 'ssl'), { recursive: true });
      writeFileSync(join(prefix, 'python.exe'), '');
      writeFileSync(
        join(prefix, 'Lib', 'site-packages', 'certifi', 'cacert.pem'),
        rootCertificates.join('\n'),
      );
      writeFileSync(join(prefix, 'Library', 'ssl', 'cacert.pem'), rootCertificates.join('\n'));
    }
    mkdirSync(join(conda, 'conda-meta'));
    mkdirSync(join(wine.profile, 'AppData', 'Roaming', 'npm'), { recursive: true });
    // The user's own settings, which undo must give back byte for byte.
    writeFileSync(join(wine.profile, '.npmrc'), 'registry=https://registry.npmjs.org/\r\nfund=false\r\n');
    // A Windows PowerShell profile: Wine's Documents is a link to the Unix HOME, as its User Shell Folders say.
    mkdirSync(dirname(psProfile()), { recursive: true });
    writeFileSync(psProfile(), PS_PROFILE);
    const set = await wine.exec([
      'reg',
      'add',
      'HKCU\\Environment',
      '/v',
      'REQUESTS_CA_BUNDLE',
      '/t',
      'REG_EXPAND_SZ',
      '/d',
      '%USERPROFILE%\\old-corp.pem',
      '/f',
    ]);
    expect(set.code).toBe(0);
  }, 600_000);
  afterAll(async () => {
    await wine?.close();
    await lab?.close();
  });

  it('diagnose, fix, a new process verifies, undo restores registry and files exactly', async () => {
    const url = lab.internal.url;
    const before = await wine.nodeExe(['-e', HTTPS_GET, url]);
    expect(before.stdout).toContain('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');

    const diag = await certifix(['diagnose', url, '--json']);
    const report = JSON.parse(diag.stdout) as { anchor: { subject: string; inSystemStore: boolean } };
    expect(report.anchor).toMatchObject({ inSystemStore: true });
    expect(report.anchor.subject).toContain('Example Corp Internal');

    const files = await snapshotTree(wine.profile, { ignore: WINE_NOISE });
    const fix = await certifix(['fix', '--ca', winPath(lab.internalChain.root.certPath), '--yes', '--json']);
    expect(fix.code, fix.stderr).toBe(0);
    const bundle = 'C:\\users\\root\\AppData\\Local\\certifix\\bundle.pem';
    expect(await regValue('NODE_EXTRA_CA_CERTS')).toEqual({ type: 'REG_SZ', data: bundle });
    expect(await regValue('REQUESTS_CA_BUNDLE')).toEqual({ type: 'REG_SZ', data: bundle });
    const pipIni = readFileSync(join(wine.profile, 'AppData', 'Roaming', 'pip', 'pip.ini'), 'utf8');
    expect(pipIni).toContain(`cert = ${bundle}`);
    // npm's ini reads a double-quoted value as JSON: `cafile="C:\\users\\..."` is the Windows path.
    const npmrc = parseNpmrc(readFileSync(join(wine.profile, '.npmrc'), 'utf8'));
    expect(npmrc.get('cafile')).toEqual([bundle]);
    expect(readFileSync(join(wine.profile, '.condarc'), 'utf8')).toContain('ssl_verify');
    // The existing PowerShell profile carries the block, found through the registry's Documents folder.
    const profile = readFileSync(psProfile(), 'utf8');
    expect(profile.startsWith(`${PS_PROFILE}# >>> certifix >>>\r\n`)).toBe(true);
    expect(profile).toContain(`\r\n$env:NODE_EXTRA_CA_CERTS = '${bundle}'\r\n`);
    expect(profile.endsWith('# <<< certifix <<<\r\n')).toBe(true);

    // A new Windows process takes NODE_EXTRA_CA_CERTS from HKCU\Environment (nothing passed from here).
    const after = await wine.nodeExe(['-e', HTTPS_GET, url]);
    expect(after.stdout, after.stderr).toContain('HTTP_STATUS 200');

    const undo = await certifix(['undo', '--yes']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(await regValue('NODE_EXTRA_CA_CERTS')).toBeNull();
    expect(await regValue('REQUESTS_CA_BUNDLE')).toEqual({
      type: 'REG_EXPAND_SZ',
      data: '%USERPROFILE%\\old-corp.pem',
    });
    expect(await snapshotTree(wine.profile, { ignore: WINE_NOISE })).toEqual(files);
    expect(readFileSync(psProfile(), 'utf8')).toBe(PS_PROFILE);
    const again = await wine.nodeExe(['-e', HTTPS_GET, url]);
    expect(again.stdout).toContain('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  }, 900_000);

  it('export system lists the Windows roots; a root in the Disallowed store is no longer trusted', async () => {
    const root = lab.internalChain.root;
    const out = join(laptop.dir, 'system.pem');
    const exp = await certifix(['export', 'system', '--out', winPath(out)]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(root.pem.split('\n')[1]);

    // Distrust it as certmgr's "Untrusted Certificates" would: a Blob under the user's Disallowed store.
    const x = new X509Certificate(root.pem);
    const key = `HKCU\\Software\\Microsoft\\SystemCertificates\\Disallowed\\Certificates\\${x.fingerprint.replace(/:/g, '')}`;
    const blob = blobFor(x.raw).toString('hex').toUpperCase();
    expect(
      (await wine.exec(['reg', 'add', key, '/v', 'Blob', '/t', 'REG_BINARY', '/d', blob, '/f'])).code,
    ).toBe(0);
    const diag = await certifix(['diagnose', lab.internal.url, '--json']);
    const report = JSON.parse(diag.stdout) as { anchor: unknown };
    expect(JSON.stringify(report.anchor ?? null)).not.toContain('"inSystemStore":true');
  }, 600_000);
});
