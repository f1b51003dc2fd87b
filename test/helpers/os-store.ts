/**
 * A fake Debian trust store: what `update-ca-certificates` leaves in /etc/ssl/certs (one PEM per root named
 * after its CN, OpenSSL subject-hash links from `openssl rehash`, and the `ca-certificates.crt` bundle) and
 * in /usr/local/share/ca-certificates (the roots IT added). The Mozilla part comes from Node's bundled roots,
 * never from this machine's /etc/ssl/certs, which may hold anything.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/** Debian's file name for a root: its CN (or O/OU) with spaces as underscores. */
export function debianName(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(subject)?.[1];
  const label = field('CN') ?? field('OU') ?? field('O') ?? 'unnamed';
  return label.replace(/[^A-Za-z0-9.\-_]+/g, '_');
}

export interface LocalRoot {
  /** File stem in /usr/local/share/ca-certificates (`<name>.crt`). */
  name: string;
  pem: string;
}

export class OsStore {
  private readonly local = new Map<string, string>();
  /**
   * @param certsDir stands in for /etc/ssl/certs
   * @param localDir stands in for /usr/local/share/ca-certificates
   * @param mozilla include Node's bundled Mozilla roots (default true)
   */
  constructor(
    readonly certsDir: string,
    readonly localDir: string,
    private readonly mozilla = true,
  ) {
    mkdirSync(certsDir, { recursive: true });
    mkdirSync(localDir, { recursive: true });
  }

  /** The bundle file (host path of /etc/ssl/certs/ca-certificates.crt). */
  get bundlePath(): string {
    return join(this.certsDir, 'ca-certificates.crt');
  }

  /** Installs roots as IT would (`cp x.crt /usr/local/share/ca-certificates && update-ca-certificates`). */
  add(...roots: LocalRoot[]): this {
    for (const r of roots) this.local.set(r.name, r.pem.endsWith('\n') ? r.pem : `${r.pem}\n`);
    return this.rebuild();
  }

  remove(...names: string[]): this {
    for (const n of names) this.local.delete(n);
    return this.rebuild();
  }

  /** Regenerates /etc/ssl/certs from scratch, as update-ca-certificates --fresh does. */
  rebuild(): this {
    for (const f of readdirSync(this.certsDir))
      rmSync(join(this.certsDir, f), { recursive: true, force: true });
    for (const f of readdirSync(this.localDir)) unlinkSync(join(this.localDir, f));
    const bundle: string[] = [];
    const used = new Set<string>();
    const place = (pem: string) => {
      let stem = debianName(pem);
      for (let i = 2; used.has(stem); i++) stem = `${debianName(pem)}_${i}`;
      used.add(stem);
      return `${stem}.pem`;
    };
    if (this.mozilla)
      for (const pem of rootCertificates) {
        const text = pem.endsWith('\n') ? pem : `${pem}\n`;
        writeFileSync(join(this.certsDir, place(text)), text);
        bundle.push(text);
      }
    for (const [name, pem] of this.local) {
      const crt = join(this.localDir, `${name}.crt`);
      writeFileSync(crt, pem);
      // Debian links local roots into /etc/ssl/certs and appends them to the bundle, after Mozilla's.
      symlinkSync(
        join('/usr/local/share/ca-certificates', `${name}.crt`),
        join(this.certsDir, `${name}.pem`),
      );
      used.add(name);
      bundle.push(pem);
    }
    writeFileSync(this.bundlePath, bundle.join(''));
    this.rehash();
    return this;
  }

  private rehash(): void {
    // Links resolve only inside the laptop (they point at /usr/local/share/...), so hash them through a
    // temporary copy: `openssl rehash` skips dangling links.
    const stage = join(this.certsDir, '.stage');
    mkdirSync(stage);
    for (const [name, pem] of this.local) writeFileSync(join(stage, `${name}.pem`), pem);
    for (const f of readdirSync(this.certsDir))
      if (f.endsWith('.pem') && !this.local.has(f.slice(0, -4))) symlinkSync(join('..', f), join(stage, f));
    execFileSync('openssl', ['rehash', stage], { stdio: 'pipe' });
    for (const f of readdirSync(stage)) {
      if (!/^[0-9a-f]{8}\.\d+$/.test(f)) continue;
      symlinkSync(readlinkSync(join(stage, f)), join(this.certsDir, f));
    }
    rmSync(stage, { recursive: true, force: true });
  }
}
