/**
 * CA files are named by variables and config files in HOME (REQUESTS_CA_BUNDLE=~/corp.pem): reading them is
 * bounded, and only regular files are read. A FIFO here has a writer waiting with a real root, so a reader
 * that opened it would find that root instead of nothing (and never hang the test).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { certInfo } from '../../src/core/extensions.ts';
import { nameHash } from '../../src/core/verify/dn.ts';
import { hashedDir, readBundleSync, trustIndex } from '../../src/stores/load.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const root = pki.root('load-root', 'Load Root');
const rootCert = parseCerts(root.pem).certs[0] as Cert;
const home = mkdtempSync(join(tmpdir(), 'certifix-load-'));
const writers: ChildProcess[] = [];

/** A FIFO with a writer ready to hand `pem` to whoever opens it. */
function fifoWith(name: string, pem: string): string {
  const path = join(home, name);
  execFileSync('mkfifo', [path]);
  writeFileSync(join(home, `${name}.src`), pem);
  writers.push(spawn('sh', ['-c', `exec cat "$1" > "$2"`, 'sh', join(home, `${name}.src`), path]));
  return path;
}

afterAll(() => {
  for (const w of writers) w.kill();
  rmSync(home, { recursive: true, force: true });
});

describe('reading CA files named from HOME', () => {
  it('reads a regular CA file', () => {
    const file = join(home, 'corp.pem');
    writeFileSync(file, root.pem);
    expect(readBundleSync(file).map((c) => c.subject)).toEqual([rootCert.subject]);
  });

  it('does not read a file past 4 MB (a root at its start is not taken)', () => {
    const big = join(home, 'big.pem');
    writeFileSync(big, `${root.pem}${'#'.repeat(5 * 1024 * 1024)}\n`);
    expect(readBundleSync(big)).toEqual([]);
    expect(trustIndex({ files: [big], dirs: [] }).size).toBe(0);
  });

  it('does not open a FIFO, as a CA file or as a hashed directory entry', () => {
    expect(readBundleSync(fifoWith('fifo.pem', root.pem))).toEqual([]);
    expect(trustIndex({ files: [fifoWith('fifo2.pem', root.pem)], dirs: [] }).size).toBe(0);
    const dir = mkdtempSync(join(home, 'certs-'));
    const link = `${nameHash(certInfo(rootCert).subject)}.0`;
    execFileSync('mkfifo', [join(dir, link)]);
    writers.push(spawn('sh', ['-c', `exec printf '%s' "$1" > "$2"`, 'sh', root.pem, join(dir, link)]));
    expect(hashedDir(dir).filedUnder(certInfo(rootCert).subject)).toEqual([]);
  });
});
