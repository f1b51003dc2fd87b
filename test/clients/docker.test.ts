/**
 * The Docker daemon adapter. No daemon can run here (it needs privileges this machine does not give), and the
 * daemon, not the CLI, verifies registries, so `check()` cannot observe it: the contract runs with certifix's
 * prediction (diagnose: a real handshake with a real origin, the daemon's store as trust() resolves it from
 * real files) in place of the real client, on a sysroot laid out as a Debian host with Docker installed.
 * The `docker` on PATH is a stand-in script: detect() only needs the CLI to be there.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayWrite } from '../../src/apply/guard.ts';
import { applyPlans, certifixPaths, undoAll } from '../../src/apply/index.ts';
import { docker } from '../../src/clients/docker.ts';
import {
  CERTS_FILE,
  certsDPlan,
  MAX_CERTS_D_ENTRIES,
  registriesOf,
} from '../../src/clients/docker-certs-d.ts';
import { check } from '../../src/commands/check.ts';
import { diagnose } from '../../src/commands/diagnose.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { parseCerts } from '../../src/core/cert.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import type { Context, Installation } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain, Origin } from '../helpers/servers.ts';
import { snapshotTree } from '../helpers/snapshot.ts';
import { type Sandbox, sandbox } from './sandbox.ts';

let origin: Origin;
let root: ReturnType<typeof parseCerts>['certs'];
beforeAll(async () => {
  const chain = makeChain(new Pki(), 'registry', 'Registry Corp');
  root = parseCerts(chain.root.pem).certs;
  origin = await Origin.start({ chain, sends: 'leaf+intermediate' });
});
afterAll(() => origin?.close());

/** A Debian host with Docker: the Mozilla roots as the OS bundle, /etc/docker, a `docker` on PATH. */
function host(env: NodeJS.ProcessEnv = {}): { sb: Sandbox; ctx: Context } {
  const sb = sandbox();
  sb.write(
    join(sb.sysroot, 'etc/ssl/certs/ca-certificates.crt'),
    renderBundle({ mozilla: mozillaRoots(), extra: [] }),
  );
  mkdirSync(join(sb.sysroot, 'etc/docker'), { recursive: true });
  const bin = join(sb.dir, 'bin');
  chmodSync(sb.write(join(bin, 'docker'), '#!/bin/sh\nexit 1\n'), 0o755);
  return { sb, ctx: sb.ctx({ PATH: bin, ...env }) };
}

const registry = () => `localhost:${origin.port}`;

async function predicted(inst: Installation, ctx: Context) {
  const r = await diagnose(origin.url, { proxy: null, installs: [{ client: docker, inst }] }, ctx);
  const [v] = r.clients;
  return { ok: v?.ok, code: v?.code, printed: v?.printed };
}

describe('docker daemon: the contract on a real origin, predicted (the daemon cannot run here)', () => {
  it('fails → certs.d/<host:port>/certifix-ca.crt → verifies → undo → fails the same way → undo is a no-op', async () => {
    const { sb, ctx } = host();
    // A second registry without a certs.d directory yet: created, and removed again by undo.
    const c: Context = { ...ctx, registries: [registry(), 'other.corp'] };
    const [inst] = await docker.detect(c);
    expect(inst?.details).toEqual({ daemon: 'rootful', certsDir: join(sb.sysroot, 'etc/docker/certs.d') });
    if (!inst) return;
    // The user's own CA file for that registry: kept byte for byte, and dockerd keeps reading it.
    const own = join(sb.sysroot, 'etc/docker/certs.d', registry(), 'ca.crt');
    sb.write(own, '# not a certificate: an unrelated file of the user\n');
    const before = await predicted(inst, c);
    expect(before).toMatchObject({ ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    expect(before.printed).toBe(
      `Error response from daemon: Get "https://${registry()}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
    const etc = await snapshotTree(join(sb.sysroot, 'etc'));

    const bundle = certifixPaths(c).bundle;
    const plan = docker.plan(inst, bundle, c, { outsideOs: root });
    expect(plan.changes).toEqual(
      [registry(), 'other.corp'].map((h) => ({
        kind: 'file',
        path: join(sb.sysroot, 'etc/docker/certs.d', h, CERTS_FILE),
        content: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
        mode: 0o644,
      })),
    );
    expect((await applyPlans([plan], c)).changed.length).toBe(2);
    expect(await predicted(inst, c)).toMatchObject({ ok: true });
    const t = await docker.trust(inst, { ...c, target: { host: 'localhost', port: origin.port } });
    expect(t.source).toBe('system+certs.d');
    expect((await applyPlans([plan], c)).changed).toEqual([]); // idempotent

    expect((await undoAll(c)).nothing).toBe(false);
    expect(await snapshotTree(join(sb.sysroot, 'etc'))).toEqual(etc);
    expect(existsSync(join(sb.sysroot, 'etc/docker/certs.d/other.corp'))).toBe(false);
    expect(readFileSync(own, 'utf8')).toBe('# not a certificate: an unrelated file of the user\n');
    expect(await predicted(inst, c)).toMatchObject({ ok: false, code: before.code });
    expect((await undoAll(c)).nothing).toBe(true);
  });

  it('a root the OS store holds needs nothing: the plan only says to restart dockerd if it came later', () => {
    const { ctx } = host();
    const inst: Installation = { client: 'docker', path: '/usr/bin/docker', details: { daemon: 'rootful' } };
    const plan = docker.plan(inst, '/b/bundle.pem', { ...ctx, registries: [registry()] }, { outsideOs: [] });
    expect(plan.changes).toEqual([]);
    expect(plan.notes?.join('\n')).toContain('sudo systemctl restart docker');
  });
});

describe('certifix check with the Docker daemon', () => {
  it('lists it as not run, with the prediction and the reason, and never calls its check()', async () => {
    const { ctx } = host();
    const report = await check(origin.url, { clients: ['docker'], currentEnv: true, proxy: null }, ctx);
    expect(report.clients).toEqual([]);
    expect(report.notRun).toEqual([
      {
        id: 'docker',
        environment: expect.stringMatching(/\/bin\/docker$/),
        version: undefined,
        predicted: { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: expect.any(String) },
        reason: docker.unobservable,
      },
    ]);
  });
});

describe('docker daemon: where it takes its roots from', () => {
  it('never from the shell: SSL_CERT_FILE does not reach dockerd', async () => {
    const { sb, ctx } = host({ SSL_CERT_FILE: '/elsewhere/corp.pem' });
    const [inst] = await docker.detect(ctx);
    const t = await docker.trust(inst as Installation, ctx);
    expect(t.files).toEqual([join(sb.sysroot, 'etc/ssl/certs/ca-certificates.crt')]);
    expect(t.source).toBe('system');
    expect(t.ignores?.[0]).toContain('never reach it');
  });

  it('rootless dockerd: ~/.config/docker/certs.d (moby CertsDir with RootlessKit)', async () => {
    const { sb, ctx } = host({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' });
    const [inst] = await docker.detect(ctx);
    expect(inst?.details).toEqual({ daemon: 'rootless', certsDir: join(sb.home, '.config/docker/certs.d') });
  });

  it('Docker Desktop: ~/.docker/certs.d', async () => {
    const { sb, ctx } = host();
    const [inst] = await docker.detect({ ...ctx, platform: 'darwin' });
    expect(inst?.details?.certsDir).toBe(join(sb.home, '.docker/certs.d'));
  });

  it('Docker Desktop on Windows: no colon in the directory name (moby hostCertsDir)', async () => {
    const { sb, ctx } = host();
    const c: Context = { ...ctx, platform: 'win32', registries: ['registry.corp:5000'] };
    const [inst] = await docker.detect(c);
    const plan = docker.plan(inst as Installation, join(sb.dir, 'bundle.pem'), c, { outsideOs: root });
    expect(plan.changes.map((x) => ('path' in x ? x.path : ''))).toEqual([
      join(sb.home, '.docker/certs.d/registry.corp5000', CERTS_FILE),
    ]);
  });

  it('the registries: named, logged in to (Docker Hub aside), and those already holding our file', () => {
    const { sb, ctx } = host();
    sb.write(
      join(sb.home, '.docker/config.json'),
      JSON.stringify({
        auths: { 'https://index.docker.io/v1/': {}, 'registry.corp:5000': {}, '../../etc': {} },
        credHelpers: { 'ghcr.corp.example': 'desktop' },
      }),
    );
    const dir = join(sb.sysroot, 'etc/docker/certs.d');
    sb.write(join(dir, 'old.corp', CERTS_FILE));
    sb.write(join(dir, 'theirs.corp', 'ca.crt'));
    expect(registriesOf({ ...ctx, registries: ['named.corp:443'] }, dir).sort()).toEqual(
      ['ghcr.corp.example', 'named.corp:443', 'old.corp', 'registry.corp:5000'].sort(),
    );
  });
});

/** `count` empty files named `<prefix><n>` in `dir` (one process: thousands of files in well under a second). */
function fill(dir: string, prefix: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', [
    '-c',
    `cd "$1" && seq -f "$2%.0f" 1 "$3" | xargs touch`,
    'sh',
    dir,
    prefix,
    String(count),
  ]);
}

describe('docker daemon: a certs.d in HOME is listed up to a bound, and says so past it', () => {
  it(`a registry's directory past ${MAX_CERTS_D_ENTRIES} entries: trust() warns that its list is partial`, async () => {
    const { sb, ctx } = host({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' });
    const dir = join(sb.home, '.config/docker/certs.d/registry.corp');
    fill(dir, 'x', MAX_CERTS_D_ENTRIES + 1);
    const c: Context = { ...ctx, target: { host: 'registry.corp', port: 443 } };
    const [inst] = await docker.detect(c);
    const t = await docker.trust(inst as Installation, c);
    expect(t.warnings).toEqual([
      `${dir} holds more than ${MAX_CERTS_D_ENTRIES} entries: only the first ${MAX_CERTS_D_ENTRIES} were read`,
    ]);
  });

  it("diagnose's row for the registry carries that warning", async () => {
    const { sb, ctx } = host();
    const dir = join(sb.sysroot, 'etc/docker/certs.d', registry());
    fill(dir, 'x', MAX_CERTS_D_ENTRIES + 1);
    const [inst] = (await docker.detect(ctx)) as [Installation];
    const r = await diagnose(origin.url, { proxy: null, installs: [{ client: docker, inst }] }, ctx);
    expect(r.clients[0]?.trustStore.warnings).toEqual([
      `${dir} holds more than ${MAX_CERTS_D_ENTRIES} entries: only the first ${MAX_CERTS_D_ENTRIES} were read`,
    ]);
  });

  it(`a certs.d past ${MAX_CERTS_D_ENTRIES} registries: the plan says the list is partial`, async () => {
    const { sb, ctx } = host({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' });
    const dir = join(sb.home, '.config/docker/certs.d');
    fill(dir, 'r', MAX_CERTS_D_ENTRIES + 1);
    const c: Context = { ...ctx, registries: ['registry.corp'] };
    const [inst] = await docker.detect(c);
    const plan = docker.plan(inst as Installation, join(sb.dir, 'bundle.pem'), c, { outsideOs: root });
    expect(plan.notes?.[0]).toBe(
      `${dir} holds more than ${MAX_CERTS_D_ENTRIES} entries: only the first ${MAX_CERTS_D_ENTRIES} were read (name a registry with --registry to include it)`,
    );
    expect(plan.changes.map((x) => ('path' in x ? x.path : ''))).toEqual([
      join(dir, 'registry.corp', CERTS_FILE),
    ]);
  });
});

describe('docker daemon: without root', () => {
  it('stages the roots next to the bundle and gives the exact commands, to install and to take back', () => {
    const p = certsDPlan({
      hosts: ['registry.corp:5000'],
      dir: '/etc/docker/certs.d',
      pem: 'PEM',
      writable: false,
      staging: '/home/u/.local/share/certifix/docker-ca.crt',
    });
    expect(p.changes).toEqual([
      { kind: 'file', path: '/home/u/.local/share/certifix/docker-ca.crt', content: 'PEM', mode: 0o644 },
    ]);
    expect(p.notes).toContain(
      "  sudo install -D -m 0644 '/home/u/.local/share/certifix/docker-ca.crt' '/etc/docker/certs.d/registry.corp:5000/certifix-ca.crt'",
    );
    expect(p.notes).toContain(
      "  sudo rm -f '/etc/docker/certs.d/registry.corp:5000/certifix-ca.crt' && sudo rmdir --ignore-fail-on-non-empty '/etc/docker/certs.d/registry.corp:5000'",
    );
  });

  it('without a registry, says how to name one', () => {
    const p = certsDPlan({
      hosts: [],
      dir: '/etc/docker/certs.d',
      pem: 'PEM',
      writable: true,
      staging: '/s',
    });
    expect(p.changes).toEqual([]);
    expect(p.notes?.[0]).toContain('--registry HOST[:PORT]');
  });
});

describe('undo may write only certifix’s own file in certs.d', () => {
  it('the file, its registry directory and certs.d; nothing else under /etc/docker', () => {
    const { sb, ctx } = host();
    const d = join(sb.sysroot, 'etc/docker/certs.d');
    expect(mayWrite(join(d, 'registry.corp:5000', CERTS_FILE), ctx)).toBe(true);
    expect(mayWrite(join(d, 'registry.corp:5000'), ctx)).toBe(true);
    expect(mayWrite(join(d, 'registry.corp:5000', 'ca.crt'), ctx)).toBe(false);
    expect(mayWrite(join(d, 'a', 'b', CERTS_FILE), ctx)).toBe(false);
    expect(mayWrite(join(sb.sysroot, 'etc/docker/daemon.json'), ctx)).toBe(false);
  });
});
