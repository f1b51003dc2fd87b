/**
 * A fake Debian trust store: what `update-ca-certificates` leaves in /etc/ssl/certs (one PEM per root named
 * after its CN, OpenSSL subject-hash links as `openssl rehash` makes them, and the `ca-certificates.crt`
 * bundle) and in /usr/local/share/ca-certificates (the roots IT added). The Mozilla part comes from Node's
 * bundled roots, never from this machine's /etc/ssl/certs, which may hold anything.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { parseCerts, toPem } from '../../src/core/cert.ts';
import { mergeEntries, writeJks } from '../../src/core/keystore.ts';
import { CACHE_DIR } from './paths.ts';

/** Debian's file name for a root: its CN (or OU/O) with spaces as underscores. */
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

let template: { dir: string; links: Set<string> } | undefined;
/**
 * The Mozilla part of /etc/ssl/certs (named PEMs + `openssl rehash` links, no bundle), built once and cached
 * on disk: writing ~300 entries costs ~0.5 s here, and the laptop mounts it as the overlay's lower layer.
 * Never modified after it is built (content-addressed by the roots).
 */
export function mozillaTemplate(): { dir: string; links: Set<string> } {
  if (template) return template;
  const key = createHash('sha256').update(rootCertificates.join('')).digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, `mozilla-${key}`);
  if (!existsSync(dir)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const stage = mkdtempSync(`${dir}.tmp-`);
    const used = new Set<string>();
    for (const raw of rootCertificates) {
      const pem = raw.endsWith('\n') ? raw : `${raw}\n`;
      let stem = debianName(pem);
      for (let i = 2; used.has(stem); i++) stem = `${debianName(pem)}_${i}`;
      used.add(stem);
      writeFileSync(join(stage, `${stem}.pem`), pem);
    }
    execFileSync('openssl', ['rehash', stage], { stdio: 'pipe' });
    try {
      renameSync(stage, dir); // atomic: a parallel builder's identical copy loses harmlessly
    } catch {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  template = { dir, links: new Set(readdirSync(dir).filter((f) => HASH_LINK.test(f))) };
  return template;
}

const HASH_LINK = /^[0-9a-f]{8}\.\d+$/;

function subjectHash(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-subject_hash'], {
    input: pem,
    encoding: 'utf8',
  }).trim();
}

/**
 * The laptop's own layer of /etc/ssl/certs: the local roots' links and hash links and the full bundle.
 * Inside the laptop it is merged over `mozillaTemplate()` (overlayfs), so `certsDir` on the host holds
 * only what differs from a stock Debian store (plus whatever a test or certifix wrote there).
 */
export class OsStore {
  private readonly local = new Map<string, string>();
  /**
   * @param certsDir the upper layer of /etc/ssl/certs
   * @param localDir stands in for /usr/local/share/ca-certificates
   * @param withMozilla include the Mozilla roots (default true)
   */
  constructor(
    readonly certsDir: string,
    readonly localDir: string,
    readonly withMozilla = true,
  ) {
    mkdirSync(certsDir, { recursive: true });
    mkdirSync(localDir, { recursive: true });
  }

  /** Host path of the bundle (/etc/ssl/certs/ca-certificates.crt inside): always complete. */
  get bundlePath(): string {
    return join(this.certsDir, 'ca-certificates.crt');
  }

  /** The local roots, name → PEM. */
  get roots(): ReadonlyMap<string, string> {
    return this.local;
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

  /** Rewrites the laptop's layer from scratch (`update-ca-certificates --fresh`). Not while mounted. */
  rebuild(): this {
    for (const f of readdirSync(this.certsDir))
      rmSync(join(this.certsDir, f), { recursive: true, force: true });
    for (const f of readdirSync(this.localDir)) unlinkSync(join(this.localDir, f));
    const bundle = this.withMozilla ? rootCertificates.map((p) => (p.endsWith('\n') ? p : `${p}\n`)) : [];
    const taken = new Set(this.withMozilla ? mozillaTemplate().links : []);
    for (const [name, pem] of this.local) {
      writeFileSync(join(this.localDir, `${name}.crt`), pem);
      // Debian links local roots into /etc/ssl/certs (absolute: resolves inside the laptop only) and
      // appends them to the bundle, after Mozilla's.
      symlinkSync(`/usr/local/share/ca-certificates/${name}.crt`, join(this.certsDir, `${name}.pem`));
      const h = subjectHash(pem);
      let n = 0;
      while (taken.has(`${h}.${n}`)) n++;
      taken.add(`${h}.${n}`);
      symlinkSync(`${name}.pem`, join(this.certsDir, `${h}.${n}`));
      bundle.push(pem);
    }
    writeFileSync(this.bundlePath, bundle.join(''));
    // The JDK's cacerts (/etc/ssl/certs/java/cacerts, where Debian's JDKs link it) holds the Mozilla roots
    // and NOT the local ones: the lab's Java is one with its own list, as Temurin, Oracle and SDKMAN JDKs
    // ship it. (Debian's ca-certificates-java hook would also import the local roots, and then Java needs no
    // fix: https://salsa.debian.org/java-team/ca-certificates-java/-/blob/master/debian/jks-keystore.hook.in.)
    mkdirSync(join(this.certsDir, 'java'), { recursive: true });
    const mozilla = this.withMozilla ? parseCerts(rootCertificates.join('\n')).certs : [];
    const entries = mozilla.map((cert) => ({
      alias: `debian:${debianName(toPem(cert))}.pem`,
      cert,
      date: cert.notBefore.getTime(),
    }));
    writeFileSync(join(this.certsDir, 'java', 'cacerts'), writeJks(mergeEntries([entries])));
    return this;
  }
}
