/** Temp HOMEs, whole-tree snapshots and sample plans for the executor tests. Never touches the real HOME. */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../../src/core/plan.ts';
import type { Context } from '../../src/types.ts';

export type Ctx = Pick<Context, 'env' | 'home' | 'platform'>;

const made: string[] = [];

export function tempDir(prefix = 'certifix-apply-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A Linux context on a fresh temp HOME; XDG variables unset unless given. */
export function ctxFor(home: string, env: NodeJS.ProcessEnv = {}): Ctx {
  return { home, platform: 'linux', env: { HOME: home, SHELL: '/bin/bash', ...env } };
}

/** Debian's skeleton dotfiles, the way `useradd -m` leaves a new HOME. */
export function debianHome(): string {
  const home = tempDir();
  for (const f of ['.bashrc', '.profile', '.bash_logout']) copyFileSync(join('/etc/skel', f), join(home, f));
  return home;
}

/** Every entry under `root`: type, mode, bytes hash or link target. Equal snapshots = identical trees. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = p.slice(root.length);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(p);
      } else
        out[rel] =
          `file ${mode} ${st.uid}:${st.gid} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(root);
  return out;
}

/** What `certifix fix` asks for on a typical machine: the bundle, env vars, pip, npm and git. */
export function samplePlans(home: string, bundle: string, extra: Record<string, string> = {}): Plan[] {
  return [
    {
      owner: 'certifix',
      summary: 'the merged bundle',
      changes: [
        {
          kind: 'file',
          path: bundle,
          content: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        },
      ],
    },
    {
      owner: 'python-requests',
      summary: 'requests reads REQUESTS_CA_BUNDLE',
      changes: [
        { kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: bundle },
        { kind: 'env', name: 'SSL_CERT_FILE', value: bundle },
        ...Object.entries(extra).map(([name, value]) => ({ kind: 'env' as const, name, value })),
      ],
    },
    {
      owner: 'pip',
      summary: 'pip cert',
      changes: [
        {
          kind: 'ini',
          path: join(home, '.config', 'pip', 'pip.conf'),
          section: 'global',
          key: 'cert',
          value: bundle,
        },
      ],
    },
    {
      owner: 'npm',
      summary: 'npm cafile',
      changes: [{ kind: 'npmrc', path: join(home, '.npmrc'), key: 'cafile', value: bundle }],
    },
    {
      owner: 'git',
      summary: 'git sslCAInfo',
      changes: [{ kind: 'gitconfig', path: join(home, '.gitconfig'), key: 'http.sslCAInfo', value: bundle }],
    },
  ];
}
