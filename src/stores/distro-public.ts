/**
 * Public roots a distro ships itself. Distros drop roots later than Node does (Debian 12 still carries roots
 * Mozilla removed, e.g. Baltimore CyberTrust Root), so "in the OS store but not in Node's list" would wrongly
 * call those "local". Roots from these directories are the distro's, never a company's: locally added
 * roots live elsewhere (/usr/local/share/ca-certificates, /etc/pki/ca-trust/source/anchors).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cert } from '../core/cert.ts';
import { readBundle } from './load.ts';

/** Directories of distro-shipped public roots, one PEM per file. */
const SHIPPED_DIRS: readonly string[] = [
  // Debian/Ubuntu ca-certificates: https://salsa.debian.org/debian/ca-certificates (mozilla/ subdirectory)
  '/usr/share/ca-certificates/mozilla',
];

export async function distroShippedRoots(sysroot = ''): Promise<Cert[]> {
  const out: Cert[] = [];
  for (const dir of SHIPPED_DIRS) {
    const abs = join(sysroot || '/', dir);
    let names: string[];
    try {
      names = await readdir(abs);
    } catch {
      continue;
    }
    const lists = await Promise.all(
      names.filter((n) => n.endsWith('.crt')).map((n) => readBundle(join(abs, n))),
    );
    out.push(...lists.flat());
  }
  return out;
}
