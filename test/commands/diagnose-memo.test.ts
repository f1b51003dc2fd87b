/**
 * What diagnose resolved is kept between runs (stores/read-memo.ts, turned on by the CLI) and is never stale:
 * against a real TLS server, on a HOME with Python environments laid out as on disk (PATH interpreters, pyenv
 * versions, certifi, a pip config), each change a user makes shows on the very next diagnose, which reports
 * exactly what a run without the cache reports.
 */
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/commands/diagnose.ts';
import type { DiagnoseReport } from '../../src/core/report.ts';
import { enableBundleIndex } from '../../src/stores/bundle-index.ts';
import { enableReadMemo } from '../../src/stores/read-memo.ts';
import { RACY_MS } from '../../src/stores/user-cache.ts';
import type { ClientId, Context } from '../../src/types.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { startTls, type TlsServer } from '../net/servers.ts';

const CLIENTS: ClientId[] = ['python-requests', 'pip', 'python-ssl'];
let tmp: string;
let server: TlsServer;
let second: TlsServer;
let root: Issued;
let other: Issued;

function file(path: string, text = '', mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

/** A Python prefix as an installer leaves it: bin/python3, requests, certifi with its bundle, pip. */
function prefix(dir: string, version: string, ca: Issued): void {
  const site = join(dir, 'lib', `python${version.split('.').slice(0, 2).join('.')}`, 'site-packages');
  file(join(dir, 'bin', 'python3'), '#!/bin/sh\n', 0o755);
  file(join(site, 'requests', '__init__.py'));
  file(join(site, 'requests', '__version__.py'), "__version__ = '2.32.3'\n");
  file(join(site, 'certifi', '__init__.py'), 'from .core import where\n');
  file(join(site, 'certifi', 'core.py'), 'def where(): ...\n');
  file(join(site, 'certifi', 'cacert.pem'), ca.pem);
  file(join(site, 'pip', '__init__.py'), "__version__ = '24.0'\n");
}

function ctxOf(name: string): Context {
  const base = join(tmp, name);
  const env = {
    PATH: `${join(base, 'path1')}:${join(base, 'path2')}`,
    HOME: join(base, 'home'),
    PYENV_ROOT: join(base, 'home', '.pyenv'),
  };
  const run = async () => {
    throw new Error('diagnose spawns nothing');
  };
  return { env, home: env.HOME, cwd: join(base, 'work'), platform: 'linux', run, sysroot: join(base, 'sys') };
}

/** One user's machine: one python3 on PATH, one pyenv version, a second PATH directory without python. */
function machine(name: string): void {
  const base = join(tmp, name);
  prefix(join(base, 'py311'), '3.11.9', root);
  mkdirSync(join(base, 'path1'), { recursive: true });
  // PATH's python3 is the prefix's (a symlink, as Debian's /usr/bin/python3 -> python3.11 is).
  symlinkSync(join(base, 'py311', 'bin', 'python3'), join(base, 'path1', 'python3'));
  mkdirSync(join(base, 'path2'), { recursive: true });
  prefix(join(base, 'home', '.pyenv', 'versions', '3.12.4'), '3.12.4', root);
  mkdirSync(join(base, 'work'), { recursive: true });
  mkdirSync(join(base, 'sys'), { recursive: true });
}

const MACHINES = ['python-on-path', 'pip-config', 'pyenv-version', 'unchanged'];

beforeAll(async () => {
  const pki = new Pki();
  root = pki.root('root', 'Memo Lab Root');
  other = pki.root('other', 'Memo Lab Other Root');
  const leaf = pki.leaf('leaf', 'localhost', root, { ips: ['127.0.0.1'] });
  server = await startTls(leaf.keyPem, [leaf.pem]);
  second = await startTls(leaf.keyPem, [leaf.pem]);
  tmp = mkdtempSync(join(tmpdir(), 'certifix-diag-memo-'));
  for (const m of MACHINES) machine(m);
  await new Promise((r) => setTimeout(r, RACY_MS + 100)); // settled, as a user's files are
}, RACY_MS + 30_000);

afterAll(async () => {
  await server?.close();
  await second?.close();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  enableReadMemo(null);
  enableBundleIndex(null);
});

const url = (port = server.port) => `https://127.0.0.1:${port}/`;
const run = (ctx: Context) => diagnose(url(), { clients: CLIENTS, timeoutMs: 5000, noAia: true }, ctx);
const uncached = async (ctx: Context): Promise<DiagnoseReport> => {
  enableReadMemo(null);
  try {
    return await run(ctx);
  } finally {
    enableReadMemo(ctx.env, 'test-build');
  }
};
const memoFiles = (ctx: Context) => readdirSync(join(ctx.home, '.cache', 'certifix', 'reads-v2'));

describe('diagnose with the resolution kept between runs', () => {
  it('is kept, and the kept resolution is what the next run uses', async () => {
    const ctx = ctxOf('unchanged');
    enableReadMemo(ctx.env, 'test-build');
    enableBundleIndex(ctx.env); // as the CLI runs: the CA files' indexes are kept too, in the same tree
    // Directories above what is read change all the time (/tmp, HOME as the cache is made in it): every
    // component of a path is looked at as a possible link, which their new entries do not change.
    writeFileSync(join(tmp, 'busy-before'), '');
    const first = await run(ctx);
    expect(first.clients.length).toBeGreaterThan(0);
    writeFileSync(join(tmp, 'busy-after'), '');
    writeFileSync(join(ctx.home, '.new-in-home'), ''); // a shell's history, an editor's rename
    const [name] = memoFiles(ctx) as [string];
    const path = join(ctx.home, '.cache', 'certifix', 'reads-v2', name);
    expect(await run(ctx)).toEqual(first);
    // Proof that the second run answered from the file: what is in it shows in the report.
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.value[0].source.why = 'read from the kept resolution';
    writeFileSync(path, JSON.stringify(doc));
    expect((await run(ctx)).clients[0]?.trustStore.why).toBe('read from the kept resolution');
    expect(await uncached(ctx)).toEqual(first);
    // Another server is another key: its clients' stores may depend on it (Docker's certs.d/<host:port>).
    const other = await diagnose(url(second.port), { clients: CLIENTS, timeoutMs: 5000, noAia: true }, ctx);
    expect(other.clients[0]?.trustStore.why).not.toBe('read from the kept resolution');
  });

  const changes: Record<string, (ctx: Context) => void> = {
    // A new interpreter in a PATH directory that had none.
    'python-on-path': (ctx) => {
      const base = dirname(ctx.home);
      prefix(join(base, 'py312'), '3.12.1', other);
      symlinkSync(join(base, 'py312', 'bin', 'python3'), join(base, 'path2', 'python3'));
    },
    // pip told to use another bundle.
    'pip-config': (ctx) => {
      const bundle = join(ctx.home, 'other.pem');
      writeFileSync(bundle, other.pem);
      file(join(ctx.home, '.config', 'pip', 'pip.conf'), '[global]\n');
      appendFileSync(join(ctx.home, '.config', 'pip', 'pip.conf'), `cert = ${bundle}\n`);
    },
    // `pyenv install 3.13.1`.
    'pyenv-version': (ctx) => prefix(join(ctx.home, '.pyenv', 'versions', '3.13.1'), '3.13.1', other),
  };

  it.each(Object.keys(changes))('sees the change on the next run: %s', async (name) => {
    const ctx = ctxOf(name);
    enableReadMemo(ctx.env, 'test-build');
    const before = await run(ctx);
    expect(memoFiles(ctx)).toHaveLength(1); // kept
    expect(await run(ctx)).toEqual(before);
    changes[name]?.(ctx);
    const after = await run(ctx);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await uncached(ctx));
  });
});
