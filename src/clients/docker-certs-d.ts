/**
 * The Docker daemon's certs.d: which daemon the CLI talks to, where its certs.d is, which registries have a
 * directory there (and certifix's file in it), and the plan that adds roots for them. Facts in docker.ts.
 */
import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Plan } from '../core/plan.ts';
import { envOf, listDir, readTextSync, sys } from '../host-files.ts';
import type { Context } from '../types.ts';

/** certifix's own file in certs.d/<host>: a unique name never replaces the user's ca.crt. */
export const CERTS_FILE = 'certifix-ca.crt';

export type Daemon = 'rootful' | 'rootless' | 'desktop';

/** A registry as certs.d names it: host, or host:port (moby hostCertsDir). Nothing that could leave the directory. */
const REGISTRY =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/;

export function validRegistry(name: string): boolean {
  return REGISTRY.test(name);
}

/** Docker Hub's names in config.json: its certs.d name is registry-1.docker.io, and it redirects to a CDN. */
const HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** docker/cli config: $DOCKER_CONFIG/config.json, else ~/.docker/config.json (https://docs.docker.com/reference/cli/docker/#configuration-files). */
function configFile(ctx: Pick<Context, 'env' | 'home'>): string {
  const dir = envOf(ctx as Context, 'DOCKER_CONFIG');
  return join(dir && isAbsolute(dir) ? dir : join(ctx.home, '.docker'), 'config.json');
}

/** config.json, read bounded and synchronously (a plan is computed synchronously); {} when absent or broken. */
export function dockerConfig(ctx: Context): Record<string, unknown> {
  try {
    // Read as every config file in HOME is (host-files.ts): bounded, a regular file, links only as allowed.
    const text = readTextSync(configFile(ctx));
    if (text === null) return {};
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Which daemon the CLI talks to: Desktop's VM, a rootless dockerd (https://docs.docker.com/engine/security/rootless/), or the system one. */
export function daemonOf(ctx: Context, config: Record<string, unknown>): Daemon {
  if (ctx.platform === 'darwin' || ctx.platform === 'win32') return 'desktop';
  const host = envOf(ctx, 'DOCKER_HOST') ?? '';
  const runtime = envOf(ctx, 'XDG_RUNTIME_DIR');
  // The rootless docs set DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock; dockerd-rootless-setuptool.sh
  // also creates the CLI context "rootless".
  if (/^unix:\/\/\/run\/user\/\d+\/docker\.sock$/.test(host)) return 'rootless';
  if (runtime && host === `unix://${runtime}/docker.sock`) return 'rootless';
  if (!host && config.currentContext === 'rootless') return 'rootless';
  return 'rootful';
}

/** The daemon's certs.d (moby CertsDir; Desktop: ~/.docker/certs.d on the host). */
export function certsDir(daemon: Daemon, ctx: Pick<Context, 'env' | 'home' | 'sysroot'>): string {
  if (daemon === 'desktop') return join(ctx.home, '.docker', 'certs.d');
  if (daemon === 'rootless') {
    const xdg = ctx.env.XDG_CONFIG_HOME;
    return join(xdg && isAbsolute(xdg) ? xdg : join(ctx.home, '.config'), 'docker', 'certs.d');
  }
  return sys(ctx, '/etc/docker/certs.d');
}

/**
 * Entries read from a certs.d directory (its registries; one registry's files). A real one holds a few; the
 * rootless and Desktop ones are in HOME, and are not read past this.
 */
export const MAX_CERTS_D_ENTRIES = 1000;

/** `dir`'s names, at most MAX_CERTS_D_ENTRIES of them; past that, `warnings` says the list is partial. */
function names(dir: string, warnings: string[]): string[] {
  const listing = listDir(dir, MAX_CERTS_D_ENTRIES);
  if (listing?.capped)
    warnings.push(
      `${dir} holds more than ${MAX_CERTS_D_ENTRIES} entries: only the first ${MAX_CERTS_D_ENTRIES} were read`,
    );
  return (listing?.entries ?? []).map((e) => e.name);
}

/** An entry at `path`, whatever it is (lstat: as a listing would show it). */
function present(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR: a file where a registry's directory would be
  }
}

/** The `*.crt` files dockerd adds for one registry, in the order os.ReadDir lists them (by name). */
export function crtFiles(dir: string, warnings: string[]): string[] {
  return names(dir, warnings)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The registries certifix plans certs.d for: the ones named (`--registry`), the ones `docker login` saved
 * (config.json `auths` and `credHelpers` keys, Docker Hub aside), and those that already hold certifix's
 * file (a re-run never narrows).
 */
export function registriesOf(ctx: Context, dir: string, warnings: string[] = []): string[] {
  const config = dockerConfig(ctx);
  const saved = ['auths', 'credHelpers'].flatMap((k) => {
    const v = config[k];
    return v && typeof v === 'object' ? Object.keys(v) : [];
  });
  const named = saved.map((k) => k.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
  // certifix's own file is looked up by name: a registry's directory is not listed for it.
  const ours = names(dir, warnings).filter((h) => validRegistry(h) && present(join(dir, h, CERTS_FILE)));
  const all = [...(ctx.registries ?? []), ...named.filter((h) => !HUB.has(h)), ...ours];
  return [...new Set(all)].filter(validRegistry);
}

/** The directory of one registry: Windows allows no colon in a name, so moby drops it (registry.go hostCertsDir). */
export const hostDir = (host: string, ctx: Pick<Context, 'platform'>) =>
  ctx.platform === 'win32' ? host.replaceAll(':', '') : host;

const sq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The certs.d part of the plan as data. `writable`: certifix may write `dir` (root for /etc/docker, the user
 * for rootless and Desktop); otherwise the roots are staged next to the bundle and the plan's notes give the
 * exact commands to install them (and to take them back), since undo cannot act for root.
 */
export function certsDPlan(input: {
  hosts: readonly string[];
  dir: string;
  pem: string;
  writable: boolean;
  staging: string;
}): Pick<Plan, 'changes' | 'notes'> {
  const { hosts, dir, pem, writable, staging } = input;
  if (hosts.length === 0)
    return {
      changes: [],
      notes: [
        `name your private registry with --registry HOST[:PORT] (as in the image name): certifix then adds the roots to ${join(dir, '<host[:port]>', CERTS_FILE)}`,
      ],
    };
  const files = hosts.map((h) => join(dir, h, CERTS_FILE));
  if (writable)
    return {
      changes: files.map((path) => ({ kind: 'file', path, content: pem, mode: 0o644 })),
      notes: ['dockerd reads certs.d at each pull: no restart needed'],
    };
  return {
    changes: [{ kind: 'file', path: staging, content: pem, mode: 0o644 }],
    notes: [
      `${dir} belongs to root: run these to let dockerd trust the roots for ${hosts.join(', ')} (no restart needed):`,
      ...hosts.map((h) => `  sudo install -D -m 0644 ${sq(staging)} ${sq(join(dir, h, CERTS_FILE))}`),
      'and to take them back (certifix undo cannot act as root):',
      ...hosts.map(
        (h) =>
          `  sudo rm -f ${sq(join(dir, h, CERTS_FILE))} && sudo rmdir --ignore-fail-on-non-empty ${sq(join(dir, h))}`,
      ),
    ],
  };
}

/** Can this process create files in `dir` (or, when it does not exist yet, its nearest existing parent)? */
export function writableDir(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (statSync(d, { throwIfNoEntry: false })?.isDirectory()) {
      try {
        accessSync(d, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    }
    if (dirname(d) === d) return false;
  }
}
