/**
 * `certifix export`: the certificates users otherwise pull out by hand with `security export` (macOS),
 * certmgr's export wizard (Windows) and `openssl s_client -showcerts` (a server's chain), on every platform:
 * - `system`: every root the OS trusts (stores/<os>.ts, the same reader diagnose uses);
 * - `locally-added`: the OS roots that are neither Mozilla's nor shipped by the distro: the company roots;
 * - `chain URL`: the certificates the server (or the intercepting proxy) sends, in the order sent;
 * - `dockerfile`: the roots `fix` chose (else the locally-added ones) as one `.crt` per root in the build
 *   context, and the Dockerfile lines that make an image trust them (core/dockerfile.ts).
 * PEM is one bundle (with a comment line naming each certificate, which OpenSSL skips); DER is one certificate
 * per file, as DER has no way to hold several.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { writeAtomic } from '../apply/atomic.ts';
import { processContext } from '../context.ts';
import { type Cert, toPem } from '../core/cert.ts';
import { type Distro, dockerfileLines } from '../core/dockerfile.ts';
import { CertifixError } from '../core/errors.ts';
import { readChosenRoots } from '../fix/plan.ts';
import { captureChain } from '../net/capture.ts';
import { resolveProxy } from '../net/proxy.ts';
import { parseTarget } from '../net/target.ts';
import { localRoots, systemStore } from '../stores/index.ts';
import type { Context } from '../types.ts';

export type ExportWhat = 'system' | 'locally-added' | 'chain' | 'dockerfile';
export type ExportFormat = 'pem' | 'der';

export interface ExportOptions {
  /** For `chain`: the server. */
  url?: string | undefined;
  /** For `chain`: an explicit proxy, '' / null for none, undefined for the environment's. */
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
  /** 'pem' (default): one bundle; 'der': one file per certificate (needs `out`). */
  format?: ExportFormat | undefined;
  /** Write here (atomically; relative to `ctx.cwd`) instead of only returning the certificates. */
  out?: string | undefined;
  /** For `dockerfile`: the image's distribution family (default debian). */
  distro?: Distro | undefined;
}

/** `certifix export --json`: the certificates, in order, and the files written. */
export interface ExportReport {
  what: ExportWhat;
  format: ExportFormat;
  certificates: Array<{ subject: string; issuer: string; sha256: string; notAfter: string; pem: string }>;
  /** The files written (none without `out`, or when there was nothing to export). */
  files: string[];
  /** For `dockerfile`: the lines to add to the Dockerfile (the files are in `out`, the build context). */
  dockerfile?: string[];
}

/** The certificates to export, in order (the chain as sent; stores as listed, without duplicates). */
export async function exportCerts(what: ExportWhat, opts: ExportOptions, ctx: Context): Promise<Cert[]> {
  switch (what) {
    case 'system':
      return (await systemStore(ctx)).certs;
    case 'locally-added':
      return localRoots(ctx);
    case 'dockerfile': {
      const chosen = (await readChosenRoots(ctx)).map((r) => r.cert);
      return chosen.length > 0 ? chosen : localRoots(ctx);
    }
    case 'chain': {
      if (!opts.url) throw new CertifixError('USAGE', 'export chain needs a URL or host[:port]');
      const target = parseTarget(opts.url);
      const proxy = opts.proxy === null ? null : resolveProxy(target, ctx.env, opts.proxy);
      return (await captureChain(target, { proxy, timeoutMs: opts.timeoutMs })).certs;
    }
  }
}

/** One PEM bundle, each certificate preceded by `# <subject>` (text outside the PEM blocks is ignored). */
export function renderPem(certs: ReadonlyArray<{ subject: string; pem: string }>): string {
  return certs.map((c) => `# ${c.subject}\n${c.pem}`).join('');
}

/**
 * The files a DER export writes: `out` itself for one certificate; for several, `out` with `-1`, `-2`, ...
 * before its extension (`chain.der` → `chain-1.der`, `chain-2.der`), in the same order as the PEM bundle.
 */
function derFiles(certs: readonly Cert[], out: string): { path: string; der: Buffer }[] {
  if (certs.length === 1 && certs[0]) return [{ path: out, der: certs[0].der }];
  const ext = extname(out) || '.der';
  const stem = join(out, '..', basename(out, extname(out)));
  return certs.map((c, i) => ({ path: `${stem}-${i + 1}${ext}`, der: c.der }));
}

/**
 * `certifix export WHAT --json` as a library call: the certificates, and with `out` the files written (PEM:
 * one bundle; DER: one file per certificate). Nothing is written when there is nothing to export.
 */
export async function exportCertificates(
  what: ExportWhat,
  opts: ExportOptions = {},
  ctx: Context = processContext(),
): Promise<ExportReport> {
  const format = opts.format ?? 'pem';
  if (format !== 'pem' && format !== 'der') throw new CertifixError('USAGE', '--format is pem or der');
  if (format === 'der' && !opts.out)
    throw new CertifixError('USAGE', 'DER is binary: pass --out FILE', { hint: 'or use --format pem' });
  const certs = await exportCerts(what, opts, ctx);
  const certificates = certs.map((c) => ({
    subject: c.subject,
    issuer: c.issuer,
    sha256: c.sha256,
    notAfter: c.notAfter.toISOString(),
    pem: toPem(c),
  }));
  if (what === 'dockerfile') return dockerfile(certs, certificates, opts, ctx);
  const out = opts.out === undefined ? undefined : resolve(ctx.cwd, opts.out);
  if (!out || certs.length === 0) return { what, format, certificates, files: [] };
  const files =
    format === 'pem'
      ? [{ path: out, data: renderPem(certificates) as string | Buffer }]
      : derFiles(certs, out).map((f) => ({ path: f.path, data: f.der }));
  for (const f of files) await writeAtomic(f.path, f.data, { mode: 0o644 });
  return { what, format, certificates, files: files.map((f) => f.path) };
}

/** certifix's root files in a build context: named by fingerprint, so a root that left is recognised. */
const DOCKER_FILE = /^certifix-ca-[0-9a-f]{16}\.crt$/;

/**
 * `export dockerfile`: one `.crt` per root into `out` (default: the current directory, the usual build
 * context), earlier ones that are no longer chosen removed, and the Dockerfile lines.
 */
async function dockerfile(
  certs: readonly Cert[],
  certificates: ExportReport['certificates'],
  opts: ExportOptions,
  ctx: Context,
): Promise<ExportReport> {
  const distro = opts.distro ?? 'debian';
  if (distro !== 'debian' && distro !== 'alpine')
    throw new CertifixError('USAGE', '--distro is debian or alpine');
  const dir = resolve(ctx.cwd, opts.out ?? '.');
  const names = certs.map((c) => `certifix-ca-${c.sha256.slice(0, 16)}.crt`);
  const files = certs.map((c, i) => ({
    path: join(dir, names[i] as string),
    pem: `# ${c.subject}\n${toPem(c)}`,
  }));
  for (const f of files) await writeAtomic(f.path, f.pem, { mode: 0o644 });
  let present: string[] = [];
  try {
    present = readdirSync(dir);
  } catch {}
  for (const n of present)
    if (DOCKER_FILE.test(n) && !names.includes(n)) rmSync(join(dir, n), { force: true });
  return {
    what: 'dockerfile',
    format: 'pem',
    certificates,
    files: files.map((f) => f.path),
    dockerfile: dockerfileLines(names, distro),
  };
}
