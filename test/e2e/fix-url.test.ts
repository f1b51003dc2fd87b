/**
 * `certifix fix URL` judges TLS alone and configures only the clients that need it. Against a plain HTTPS
 * site (no git repository, no package index: every path answers an HTML page, as a single-page app does) and
 * against the lab's package-index origin, through Squid as the diagnosis saw it: exit 0, the clients whose
 * trust source is the OS store (curl, git, Python's ssl) are left alone and said so, the others configured
 * and proved. The README's `certifix fix https://pypi.org` example is this second case.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { makeChain, Origin } from '../helpers/servers.ts';

const DATA = '.local/share/certifix';
const HTML = '<!doctype html><title>Intranet</title><p>Welcome</p>\n';

describe.skipIf(lacks('sandbox', 'squid'))(`fix URL ${missing('sandbox', 'squid')}`, () => {
  let lab: Lab;
  let plain: Origin;
  beforeAll(async () => {
    lab = await Lab.start({ mitmproxy: false });
    // Signed under the public-like root, so Squid (which trusts it upstream) re-signs it with the corporate root.
    const chain = makeChain(lab.pki, 'plain', 'Public Trust Services', lab.publicChain.root);
    plain = await Origin.start({
      chain,
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML) });
        res.end(HTML);
        return true;
      },
    });
  });
  afterAll(async () => {
    await plain?.close();
    await lab?.close();
  });

  for (const site of ['a plain HTTPS site (HTML on every path)', 'a package index'] as const) {
    it(`exits 0 against ${site} through Squid, configuring only the clients that need it`, async () => {
      const laptop = await lab.laptop();
      const url = site === 'a package index' ? lab.origin.url : plain.url;
      const r = await laptop.certifix(['fix', url, '--yes', '--proxy', lab.squid?.url ?? '']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/\+ python-requests +configured because it fails to verify localhost/);
      expect(r.stdout).toMatch(/\+ node +configured because/);
      for (const id of ['curl', 'git', 'python-ssl'])
        expect(r.stdout).toMatch(new RegExp(`· ${id} +left alone: already trusts the OS store`));
      expect(r.stdout).toMatch(/✓ python-requests +verifies/);
      expect(r.stdout).toMatch(/· curl +untouched/);
      expect(r.stdout).not.toMatch(/✗/);
      // The bundle holds Mozilla's roots and both roots the laptop's OS store trusts locally.
      expect(r.stdout).toMatch(/merged bundle: \d+ Mozilla roots \+ 1 chosen \+ 1 from the OS store/);
      const bundle = readFileSync(laptop.homePath(DATA, 'bundle.pem'), 'utf8');
      expect(bundle).toContain('# added: O=Example Corp, OU=Security, CN=Example Corp Proxy Root CA');
      expect(bundle).toContain('# added: O=Example Corp Internal, CN=Example Corp Internal Root CA');
      // Neither SSL_CERT_FILE nor CURL_CA_BUNDLE: every OpenSSL program keeps reading the OS store.
      const profile = readFileSync(laptop.homePath('.profile'), 'utf8');
      expect(profile).toContain('REQUESTS_CA_BUNDLE');
      expect(profile).not.toMatch(/SSL_CERT_FILE|CURL_CA_BUNDLE/);
      expect(readFileSync(laptop.homePath('.gitconfig'), { encoding: 'utf8', flag: 'a+' })).toBe('');
    });
  }

  it("configures git and curl when the user's own CA files lack the corporate root, and proves them against the plain site", async () => {
    // A hand-made Mozilla-only CA file for git (http.sslCAInfo) and curl (CURL_CA_BUNDLE), as a user copies certifi.
    const laptop = await lab.laptop();
    writeFileSync(laptop.homePath('mozilla.pem'), rootCertificates.join('\n'));
    await laptop.appendHome('.gitconfig', `[http]\n\tsslCAInfo = ${laptop.homePath('mozilla.pem')}\n`);
    const env = { CURL_CA_BUNDLE: laptop.homePath('mozilla.pem') };
    const r = await laptop.certifix(['fix', plain.url, '--yes', '--proxy', lab.squid?.url ?? ''], { env });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/\+ git +configured because it fails to verify localhost/);
    expect(r.stdout).toMatch(/\+ curl +configured because it fails to verify localhost/);
    // git finds no repository there: after a completed handshake that is a verified connection.
    expect(r.stdout).toMatch(/✓ git +verifies/);
    expect(r.stdout).toMatch(/✓ curl +verifies/);
    // The roots of the file CURL_CA_BUNDLE names are Mozilla's: nothing more to keep.
    expect(r.stdout).toMatch(/merged bundle: \d+ Mozilla roots \+ 1 chosen \+ 1 from the OS store\n/);
  });
});
