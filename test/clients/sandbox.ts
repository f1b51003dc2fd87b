/** A fake machine for trust-resolution tests: temp HOME, temp sysroot, a site-packages tree, explicit env. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Context, Installation, Runner } from '../../src/types.ts';

export const noRun: Runner = async (cmd) => {
  throw new Error(`trust() must not spawn (${cmd})`);
};

export interface Sandbox {
  dir: string;
  home: string;
  sysroot: string;
  /** Write a file (parents created); returns its path. */
  write(path: string, text?: string): string;
  ctx(env?: NodeJS.ProcessEnv, cwd?: string): Context;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-clients-'));
  const home = join(dir, 'home');
  const sysroot = join(dir, 'sys');
  mkdirSync(home, { recursive: true });
  mkdirSync(join(sysroot, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(sysroot, 'etc/ssl/certs/ca-certificates.crt'), '');
  const write = (path: string, text = '') => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return {
    dir,
    home,
    sysroot,
    write,
    ctx: (env: NodeJS.ProcessEnv = {}, cwd = home) => ({
      env: { PATH: '', ...env },
      home,
      cwd,
      platform: 'linux',
      run: noRun,
      sysroot,
    }),
  };
}

/** A Python prefix with site-packages holding the given packages (name → version). */
export function fakePython(
  sb: Sandbox,
  version: string,
  pkgs: Record<string, string>,
): Record<string, string> {
  const [maj, min] = version.split('.');
  const prefix = join(sb.dir, `py${version}`);
  const site = join(prefix, 'lib', `python${maj}.${min}`, 'site-packages');
  for (const [name, v] of Object.entries(pkgs)) {
    sb.write(join(site, name, '__init__.py'));
    mkdirSync(join(site, `${name}-${v}.dist-info`), { recursive: true });
  }
  sb.write(join(site, 'certifi', 'cacert.pem'));
  sb.write(join(site, 'pip', '_vendor', 'certifi', 'cacert.pem'));
  sb.write(join(prefix, 'bin', `python${maj}.${min}`), '#!/bin/sh\n');
  return {
    python: join(prefix, 'bin', `python${maj}.${min}`),
    pythonVersion: version,
    prefix,
    venv: 'false',
    sitePackages: site,
  };
}

export function inst(
  client: Installation['client'],
  path: string,
  version?: string,
  details?: Record<string, string>,
): Installation {
  return { client, path, version, details };
}
