/**
 * Docker. Two programs verify certificates, and neither reads the variables certifix sets in your shells:
 * - the `docker` CLI is a Go program (crypto/x509: SSL_CERT_FILE / SSL_CERT_DIR, else the system bundle on
 *   Linux), so go.ts's model and plan are its own; it verifies a registry itself only in a few commands
 *   (`docker manifest`, a remote daemon over TLS), not for pull, push or build.
 * - the daemon (dockerd) pulls and pushes. It is a Go program too, but started by systemd (or Docker
 *   Desktop's VM) with its own environment, and it adds per-registry roots from `certs.d/<host[:port]>/*.crt`.
 *   That is what this adapter models and plans; `certifix check` cannot run it here (`unobservable`).
 * Facts (moby master, daemon/pkg/registry):
 * - config.go CertsDir(): /etc/docker/certs.d; rootless (RootlessKit): os.UserConfigDir()/docker/certs.d, i.e.
 *   $XDG_CONFIG_HOME or ~/.config; https://github.com/moby/moby/blob/master/daemon/pkg/registry/config.go
 * - registry.go loadTLSConfig(): every `*.crt` in certs.d/<hostname[:port]> is appended to a copy of
 *   x509.SystemCertPool(), read again for each endpoint lookup (no restart needed); `*.cert`/`*.key` are
 *   client pairs. https://github.com/moby/moby/blob/master/daemon/pkg/registry/registry.go
 * - daemon/hosts.go RegistryHosts(): the containerd image store and BuildKit (`docker build`) use the same
 *   certs.d directory. https://github.com/moby/moby/blob/master/daemon/hosts.go
 * - "All *.crt files are added to this directory as CA roots … On Linux any root certificates authorities are
 *   merged with the system defaults": https://docs.docker.com/engine/security/certificates/
 * - Go loads the system pool once per process (crypto/x509 root.go, `once.Do(initSystemRoots)`): a root
 *   added to the OS store reaches dockerd only after a restart. https://github.com/golang/go/blob/master/src/crypto/x509/root.go
 * - Docker Desktop (macOS, Windows) copies the roots the host trusts (keychain, Windows store) into its VM
 *   when the VM starts, and carries ~/.docker/certs.d into it: https://github.com/containers/podman/issues/11507
 *   (a Docker Desktop engineer's comment), https://github.com/docker/docs/pull/3671 (the Desktop FAQ).
 */
import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { toPem } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import type { Plan } from '../core/plan.ts';
import { envOf, isFile, listDir, readTextSync, sys } from '../host-files.ts';
import { systemStore } from '../stores/index.ts';
import type { Context, TrustSource } from '../types.ts';
import { go } from './go.ts';
import { onPath } from './on-path.ts';
import { renderOf } from './renders.ts';
import { authority } from './source.ts';
import type { Client, PlanRoots } from './types.ts';

/** certifix's own file in certs.d/<host>: a unique name never replaces the user's ca.crt. */
export const CERTS_FILE = 'certifix-ca.crt';

type Daemon = 'rootful' | 'rootless' | 'desktop';

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
function dockerConfig(ctx: Context): Record<string, unknown> {
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
function daemonOf(ctx: Context, config: Record<string, unknown>): Daemon {
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
function certsDir(daemon: Daemon, ctx: Pick<Context, 'env' | 'home' | 'sysroot'>): string {
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
function crtFiles(dir: string, warnings: string[]): string[] {
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
const hostDir = (host: string, ctx: Pick<Context, 'platform'>) =>
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
function writableDir(dir: string): boolean {
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

const UNOBSERVABLE =
  'the Docker daemon (dockerd), not the docker CLI, verifies registries, and certifix runs no daemon for you: `docker pull <registry>/<image>` shows the real result';

function daemonWords(d: Daemon): string {
  return d === 'desktop'
    ? "Docker Desktop's VM (the roots your OS trusted when it started)"
    : `dockerd${d === 'rootless' ? ' (rootless)' : ''} (the OS bundle as Go reads it when dockerd starts)`;
}

export const docker: Client = {
  id: 'docker',
  unobservable: UNOBSERVABLE,

  async detect(ctx) {
    const [inst] = await onPath('docker', 'docker')(ctx);
    if (!inst) return [];
    const daemon = daemonOf(ctx, dockerConfig(ctx));
    return [{ ...inst, details: { daemon, certsDir: certsDir(daemon, ctx) } }];
  },

  async trust(inst, ctx) {
    const daemon = (inst.details?.daemon ?? 'rootful') as Daemon;
    const dir = inst.details?.certsDir ?? certsDir(daemon, ctx);
    // dockerd's environment is systemd's (or the VM's), never the shell's: no SSL_CERT_FILE reaches it.
    const base: Pick<TrustSource, 'path' | 'files' | 'dirs'> =
      daemon === 'desktop'
        ? await systemStore(ctx).then((s) => ({ path: s.files[0] ?? null, files: s.files, dirs: s.dirs }))
        : await go.trust({ ...inst, client: 'go' }, { ...ctx, env: {} });
    const host = ctx.target && authority(ctx.target.host, ctx.target.port);
    const warnings: string[] = [];
    const extra = host && validRegistry(host) ? crtFiles(join(dir, hostDir(host, ctx)), warnings) : [];
    const files: string[] = [...base.files];
    for (const f of extra) if (await isFile(f)) files.push(f);
    return {
      source: extra.length ? 'system+certs.d' : 'system',
      ...(extra.length && host ? { via: join(dir, hostDir(host, ctx)) } : {}),
      path: base.path,
      files,
      dirs: base.dirs,
      profile: 'openssl',
      why: `${daemonWords(daemon)} verifies registries, plus ${dir}/<host[:port]>/*.crt for each registry.`,
      ...(warnings.length ? { warnings } : {}),
      ignores: [
        'the Docker daemon, not the CLI, verifies registries: the variables certifix sets in your shells (SSL_CERT_FILE, …) never reach it',
        daemon === 'desktop'
          ? 'Docker Desktop copies the roots your OS trusts into its VM when it starts: restart Docker Desktop after a root is added'
          : `dockerd reads the OS store once, when it starts: restart it after a root is added (${daemon === 'rootless' ? 'systemctl --user restart docker' : 'sudo systemctl restart docker'})`,
        'docker build: RUN steps see the image’s own CA store, not this machine’s (`certifix export dockerfile` prints the lines to add)',
      ],
    };
  },

  render: renderOf('docker'),

  plan(inst, bundlePath, ctx, roots?: PlanRoots) {
    const daemon = (inst.details?.daemon ?? 'rootful') as Daemon;
    const dir = inst.details?.certsDir ?? certsDir(daemon, ctx);
    const outside = roots?.outsideOs ?? [];
    if (outside.length === 0)
      return {
        owner: 'docker',
        summary: `${daemonWords(daemon)}: trusts the OS store, nothing to add`,
        changes: [],
        notes: [
          daemon === 'desktop'
            ? 'restart Docker Desktop if a root was added to your OS store since it started'
            : `restart dockerd if a root was added to the OS store since it started (${daemon === 'rootless' ? 'systemctl --user restart docker' : 'sudo systemctl restart docker'})`,
        ],
      };
    const pem = `# Roots added by certifix for the Docker daemon (all *.crt here are CA roots). Managed by certifix.\n${outside.map((c) => `# ${c.subject}\n${toPem(c)}`).join('')}`;
    const warnings: string[] = [];
    const hosts = registriesOf(ctx, dir, warnings).map((h) => hostDir(h, ctx));
    const certsD = certsDPlan({
      hosts,
      dir,
      pem,
      writable: daemon !== 'rootful' || writableDir(dir),
      staging: join(dirname(bundlePath), 'docker-ca.crt'),
    });
    return {
      owner: 'docker',
      summary: `the Docker daemon: add ${outside.length === 1 ? 'the root' : `${outside.length} roots`} your OS store lacks to certs.d for each private registry`,
      changes: certsD.changes,
      // A registry past the bound that holds certifix's file is not updated: name it with --registry.
      notes: [
        ...warnings.map((w) => `${w} (name a registry with --registry to include it)`),
        ...(certsD.notes ?? []),
      ],
    };
  },

  async check() {
    throw new CertifixError('UNSUPPORTED', UNOBSERVABLE);
  },
};
