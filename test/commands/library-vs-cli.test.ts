/**
 * Each command's library function returns the document its `--json` prints: on the lab's laptop, the function
 * (called through test/commands/call.ts with its default Context, as a library user calls it) and the built
 * CLI run on the same input and must print the same JSON. Both run inside the same sandboxed laptop, so they
 * see the same OS store, HOME and environment.
 *
 * Normalised, and why: nothing, for commands that only read; for fix and undo, which change the laptop, each
 * side gets its own fresh laptop (one run would see the other's changes), so the laptops' HOME and temporary
 * directories are replaced by $HOME / $TMP before comparing. The timestamps in journals are not part of
 * either document.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CALL = join(REPO, 'test', 'commands', 'call.ts');

interface Ran {
  code: number | null;
  doc: unknown;
}

function parse(r: { code: number | null; stdout: string; stderr: string }, what: string): Ran {
  try {
    return { code: r.code, doc: JSON.parse(r.stdout) };
  } catch {
    throw new Error(`${what} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** The library function, called inside the laptop with its default Context. */
async function library(laptop: Laptop, name: string, args: unknown[], env: Record<string, string> = {}) {
  const r = await laptop.run(process.execPath, ['--import', TSX, CALL, name, JSON.stringify(args)], {
    env,
    timeoutMs: 120_000,
  });
  return parse(r, `${name}()`);
}

/** The built CLI with --json, inside the same laptop. */
async function cli(laptop: Laptop, argv: string[], env: Record<string, string> = {}, input?: string) {
  const r = await laptop.certifix([...argv, '--json'], { env, timeoutMs: 120_000, input });
  return parse(r, `certifix ${argv.join(' ')}`);
}

/** The document with this laptop's own directories named as any laptop's. */
function portable(doc: unknown, laptop: Laptop): unknown {
  const text = JSON.stringify(doc).split(laptop.home).join('$HOME').split(laptop.tmp).join('$TMP');
  return JSON.parse(text);
}

describe.skipIf(lacks('sandbox', 'squid'))(`library call = CLI --json ${missing('sandbox', 'squid')}`, () => {
  let lab: Lab;
  let laptop: Laptop;
  let proxied: Record<string, string>;
  beforeAll(async () => {
    lab = await Lab.start({ mitmproxy: false });
    laptop = await lab.laptop();
    proxied = { https_proxy: lab.squid?.url as string };
  }, 120_000);
  afterAll(() => lab?.close());

  it('diagnose, check, probe, explain, verify, export, status: the same document', async () => {
    const internal = lab.internal.url;
    const chain = lab.internalChain;
    // A pasted requests failure naming the internal service (port included), as explain reads it.
    const port = new URL(internal).port;
    const pasted = `requests.exceptions.SSLError: HTTPSConnectionPool(host='localhost', port=${port}): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))\n`;
    const cases: Array<[string, () => Promise<Ran>, () => Promise<Ran>]> = [
      [
        'diagnose',
        () => cli(laptop, ['diagnose', lab.origin.url], proxied),
        () => library(laptop, 'diagnose', [lab.origin.url], proxied),
      ],
      [
        'check',
        () => cli(laptop, ['check', internal, '--client', 'curl']),
        () => library(laptop, 'check', [internal, { clients: ['curl'] }]),
      ],
      [
        'probe',
        () => cli(laptop, ['probe', internal, '-n', '3', '-c', '1', '--no-proxy']),
        () => library(laptop, 'probe', [internal, { count: 3, concurrency: 1, proxy: null }]),
      ],
      [
        'explain',
        () => cli(laptop, ['explain', '-'], {}, pasted),
        () => library(laptop, 'explain', [pasted]),
      ],
      [
        'verify',
        () => cli(laptop, ['verify', chain.leaf.certPath, '--untrusted', chain.intermediate.certPath]),
        () => library(laptop, 'verify', [chain.leaf.certPath, { untrusted: [chain.intermediate.certPath] }]),
      ],
      [
        'export',
        () => cli(laptop, ['export', 'locally-added']),
        () => library(laptop, 'exportCertificates', ['locally-added']),
      ],
      ['status', () => cli(laptop, ['status']), () => library(laptop, 'status', [])],
      [
        'fix --dry-run',
        () => cli(laptop, ['fix', '--dry-run']),
        () => library(laptop, 'fix', [{ dryRun: true }]),
      ],
    ];
    for (const [name, viaCli, viaLibrary] of cases) {
      const [a, b] = [await viaCli(), await viaLibrary()];
      expect(b.code, `${name}: the library call failed`).toBe(0);
      expect(b.doc, name).toEqual(a.doc);
    }
  }, 600_000);

  it('fix, status, refresh, undo: the same document on two laptops', async () => {
    const [viaCli, viaLibrary] = [await lab.laptop(), await lab.laptop()];
    const url = lab.origin.url;
    const pair = async (argv: string[], name: string, args: unknown[], env: Record<string, string> = {}) => {
      const a = await cli(viaCli, argv, env);
      const b = await library(viaLibrary, name, args, env);
      expect(b.code, `${name}: the library call failed`).toBe(0);
      expect(portable(b.doc, viaLibrary), name).toEqual(portable(a.doc, viaCli));
      return a;
    };
    // fix --yes: the library without a confirm callback goes ahead as --yes does; the proof runs through Squid.
    const fixed = await pair(['fix', url, '--yes'], 'fix', [{ url }], proxied);
    expect(fixed.doc).toMatchObject({ dryRun: false, proof: expect.any(Array) });
    await pair(['status'], 'status', []);
    await pair(['refresh', '--dry-run'], 'refresh', [{ dryRun: true }]);
    const undone = await pair(['undo', '--yes'], 'undo', []);
    expect(undone.doc).toMatchObject({ nothing: false });
  }, 600_000);
});
