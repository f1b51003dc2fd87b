import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBundle } from '../../src/core/bundle.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const pki = new Pki();
const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;
// A public-style chain: its root stands in for one of Mozilla's.
const publicRoot = pki.root('public-root', 'Public Test Root', { subjectPrefix: '/O=Public Trust' });
const publicInt = pki.intermediate('public-int', 'Public Test CA 1', publicRoot, { pathLen: 0 });
const publicLeaf = pki.leaf('public-leaf', 'www.example.test', publicInt);
// The company root the user chose, and its chain.
const corpRoot = pki.root('corp-root', 'Acme Root CA', { subjectPrefix: '/O=Acme' });
const corpInt = pki.intermediate('corp-int', 'Acme Issuing CA', corpRoot);
const corpLeaf = pki.leaf('corp-leaf', 'git.acme.internal', corpInt);
const stranger = pki.root('stranger', 'Stranger Root');
const strangerLeaf = pki.leaf('stranger-leaf', 'www.example.test', stranger);

const mozilla = [...mozillaRoots(), cert(publicRoot)];
const extra = [cert(corpRoot)];

function opensslVerify(bundle: string, leaf: Issued, untrusted?: Issued): boolean {
  const file = join(pki.dir, `bundle-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(file, bundle);
  const args = ['verify', '-CAfile', file, '-CApath', pki.dir, '-no-CApath'];
  if (untrusted) args.push('-untrusted', untrusted.certPath);
  try {
    execFileSync('openssl', [...args, leaf.certPath], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('renderBundle', () => {
  const text = renderBundle({ mozilla, extra });
  const parsed = parseCerts(text).certs;

  it('is deterministic: the same input gives the same bytes', () => {
    expect(renderBundle({ mozilla: [...mozilla], extra: [...extra] })).toBe(text);
    // New Cert objects for the same certificates change nothing either.
    expect(renderBundle({ mozilla, extra: [cert(corpRoot)] })).toBe(text);
  });

  it('holds every Mozilla root, then the chosen roots, each once', () => {
    expect(parsed.map((c) => c.sha256)).toEqual([...mozilla, ...extra].map((c) => c.sha256));
    expect(parseCerts(text).skipped).toBe(0);
    expect(new Set(parsed.map((c) => c.sha256)).size).toBe(parsed.length);
  });

  it('names each certificate in a comment, marking the added ones', () => {
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^# certifix merged CA bundle/);
    expect(lines[1]).toBe(`# ${mozilla.length + 1} certificates (${mozilla.length} Mozilla, 1 added).`);
    expect(text).toContain(
      `# added: O=Acme, CN=Acme Root CA\n# sha256 ${cert(corpRoot).sha256}\n-----BEGIN CERTIFICATE-----`,
    );
    expect(text).toContain(`# O=Public Trust, CN=Public Test Root\n# sha256 ${cert(publicRoot).sha256}\n`);
    expect(text.match(/^# sha256 /gm)).toHaveLength(parsed.length);
  });

  it('de-duplicates by DER: repeated extras, extras already among the Mozilla roots', () => {
    const dup = renderBundle({
      mozilla: [...mozilla, cert(publicRoot)],
      extra: [cert(corpRoot), cert(corpRoot), cert(publicRoot)],
    });
    const certs = parseCerts(dup).certs;
    expect(certs.map((c) => c.sha256)).toEqual(parsed.map((c) => c.sha256));
    // The header adds up: what is already a Mozilla root is not "added".
    expect(dup.split('\n')[1]).toBe(`# ${certs.length} certificates (${mozilla.length} Mozilla, 1 added).`);
    expect(dup).not.toContain('# added: O=Public Trust');
  });

  it('an empty selection is the Mozilla roots alone', () => {
    const only = renderBundle({ mozilla, extra: [] });
    expect(parseCerts(only).certs).toHaveLength(mozilla.length);
    expect(only).not.toContain('# added:');
  });

  it('verifies a public-style chain and the company chain with openssl, and nothing else', () => {
    expect(opensslVerify(text, publicLeaf, publicInt)).toBe(true);
    expect(opensslVerify(text, corpLeaf, corpInt)).toBe(true);
    expect(opensslVerify(text, strangerLeaf)).toBe(false);
    expect(opensslVerify(renderBundle({ mozilla: mozillaRoots(), extra }), publicLeaf, publicInt)).toBe(
      false,
    );
  });
});
