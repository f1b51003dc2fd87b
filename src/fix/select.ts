/**
 * Step 1 of `fix`: which roots to trust. Three sources, each screened by core/screen.ts:
 * a URL's anchor (from the OS store, or from the network with a confirmed fingerprint), `--ca` files,
 * or, by default, the roots the OS trusts locally (in the OS store, not among Mozilla's).
 */

import { certifixPaths } from '../apply/index.ts';
import { readFileBounded } from '../bounded.ts';
import { caVariables } from '../clients/ca-variables.ts';
import { type Diagnosis, diagnoseTarget } from '../commands/diagnose.ts';
import { type Cert, parseCerts } from '../core/cert.ts';
import { CertifixError, readError } from '../core/errors.ts';
import { productRoot } from '../core/products.ts';
import { type Candidate, type Screened, type ScreenOptions, screen } from '../core/screen.ts';
import { publicRoots } from '../stores/index.ts';
import type { Context } from '../types.ts';
import { osLocalRoots } from './contents.ts';
import { windowsCandidates } from './windows-source.ts';

interface SelectOptions extends ScreenOptions {
  url?: string | undefined;
  caFiles?: readonly string[] | undefined;
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
}

interface Selection {
  candidates: Screened[];
  /** The diagnosis of the URL, when one was given. */
  diagnosis?: Diagnosis;
  /** Why nothing needs trusting, when that is the case. */
  nothingToDo?: string;
  /** Where else roots were looked for, and why not (WSL: the Windows stores). */
  notes?: string[];
}

async function fromFiles(files: readonly string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = await readFileBounded(file);
    } catch (cause) {
      throw readError(file, cause, 'BAD_CERT_INPUT');
    }
    const { certs } = parseCerts(data, file);
    if (certs.length === 0)
      throw new CertifixError('BAD_CERT_INPUT', `${file} holds no certificate (PEM or DER)`);
    for (const cert of certs) out.push({ cert, origin: 'file', file });
  }
  return out;
}

/**
 * Roots in the files CA variables already name. Whoever set one (often by hand, to a file with just the
 * company root) trusted what is in it; the merged bundle that replaces it must keep those roots, or `fix`
 * would break something that worked.
 */
async function fromCaVariables(ctx: Context): Promise<Candidate[]> {
  const isPublic = await publicRoots(ctx);
  const bundle = certifixPaths(ctx).bundle;
  return (await caVariables(ctx)).flatMap((v) =>
    v.path === bundle || !v.certs
      ? []
      : v.certs
          .filter((c) => c.ca && !isPublic(c))
          .map((cert): Candidate => ({ cert, origin: 'file', file: `${v.name}=${v.path}` })),
  );
}

function fromDiagnosis(d: Diagnosis, fingerprints: number, withFiles: boolean): Candidate[] | string {
  const { anchor, anchorInSystem, anchorInMozilla, intercepted, product, chain } = d.analysis;
  // No root here anchors the chain, and none was sent: the roots given with --ca are the answer (the proof
  // that follows shows whether they anchor it).
  if (!anchor && withFiles) return [];
  if (!anchor) {
    const issuer = chain[chain.length - 1]?.issuer ?? '?';
    const where = productRoot(product);
    // A fingerprint confirms a certificate certifix holds; a root never sent cannot be confirmed, only given.
    const unseen =
      fingerprints > 0 ? ' (--trust-fingerprint confirms a root that was sent; this one was not)' : '';
    throw new CertifixError(
      'REFUSED',
      intercepted
        ? `no root anchors the chain of ${d.report.target.host}: ${product ?? 'a TLS-inspecting proxy'} re-signs it with "${issuer}", whose root is in no store here and was not sent${unseen}`
        : `no root anchors the chain of ${d.report.target.host}; nothing certifix could trust${unseen}`,
      {
        hint: intercepted
          ? `get that root as a file (${where ? `${product}: ${where}` : 'from whoever runs the proxy, usually your IT team'}) and run certifix fix --ca root.pem`
          : 'get the issuing root from your IT team and run certifix fix --ca root.pem',
      },
    );
  }
  if (anchorInMozilla) {
    return `the chain of ${d.report.target.host} ends in a Mozilla root (${anchor.subject}); every client already ships it`;
  }
  return [{ cert: anchor, origin: anchorInSystem ? 'os-store' : 'network' }];
}

/** Under WSL, a chain's anchor seen only on the network but trusted by the Windows side is the user's own. */
async function vouchedByWindows(picked: Candidate[], ctx: Context): Promise<Candidate[]> {
  if (!picked.some((c) => c.origin === 'network')) return picked;
  const { trusted } = await windowsCandidates(ctx);
  return picked.map((c) =>
    c.origin === 'network' && trusted.has(c.cert.sha256) ? { ...c, origin: 'windows-store' } : c,
  );
}

export async function selectRoots(opts: SelectOptions, ctx: Context): Promise<Selection> {
  const candidates: Candidate[] = [];
  let diagnosis: Diagnosis | undefined;
  let nothingToDo: string | undefined;
  const notes: string[] = [];
  if (opts.url) {
    diagnosis = await diagnoseTarget(opts.url, { proxy: opts.proxy, timeoutMs: opts.timeoutMs }, ctx);
    const picked = fromDiagnosis(diagnosis, opts.confirmed?.size ?? 0, (opts.caFiles?.length ?? 0) > 0);
    if (typeof picked === 'string') nothingToDo = picked;
    else candidates.push(...(await vouchedByWindows(picked, ctx)));
  }
  if (opts.caFiles?.length) candidates.push(...(await fromFiles(opts.caFiles)));
  if (!opts.url && !opts.caFiles?.length) {
    const local: Cert[] = await osLocalRoots(ctx);
    candidates.push(...local.map((cert): Candidate => ({ cert, origin: 'os-store' })));
    candidates.push(...(await fromCaVariables(ctx)));
    const windows = await windowsCandidates(ctx);
    candidates.push(...windows.candidates);
    if (windows.note) notes.push(windows.note);
    if (candidates.length === 0) nothingToDo = 'your OS store holds no roots beyond the public ones';
  }
  // The same root from several places counts once, under the origin that needs the least confirmation:
  // a file the user named or the OS store vouch for it; the network alone does not.
  const rank: Record<Candidate['origin'], number> = {
    file: 0,
    'os-store': 1,
    'windows-store': 1,
    network: 2,
  };
  const best = new Map<string, Candidate>();
  for (const c of candidates) {
    const prev = best.get(c.cert.sha256);
    if (!prev || rank[c.origin] < rank[prev.origin]) best.set(c.cert.sha256, c);
  }
  const unique = [...best.values()];
  const screenOpts = diagnosis ? { ...opts, chain: diagnosis.analysis.chain } : opts;
  const result: Selection = { candidates: unique.map((c) => screen(c, screenOpts)) };
  if (diagnosis) result.diagnosis = diagnosis;
  if (nothingToDo && unique.length === 0) result.nothingToDo = nothingToDo;
  if (notes.length > 0) result.notes = notes;
  return result;
}
