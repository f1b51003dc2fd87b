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
import { dirname, join } from 'node:path';
import { toPem } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import { isFile } from '../host-files.ts';
import { systemStore } from '../stores/index.ts';
import type { TrustSource } from '../types.ts';
import {
  certsDir,
  certsDPlan,
  crtFiles,
  type Daemon,
  daemonOf,
  dockerConfig,
  hostDir,
  registriesOf,
  validRegistry,
  writableDir,
} from './docker-certs-d.ts';
import { go } from './go.ts';
import { onPath } from './on-path.ts';
import { renderOf } from './renders.ts';
import { authority } from './source.ts';
import type { Client, PlanRoots } from './types.ts';

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
    const what = outside.length === 1 ? 'the root' : `${outside.length} roots`;
    return {
      owner: 'docker',
      summary:
        hosts.length === 0
          ? `the Docker daemon: name the registry with --registry HOST[:PORT] to add ${what} your OS store lacks to its certs.d`
          : `the Docker daemon: add ${what} your OS store lacks to certs.d for each private registry`,
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
