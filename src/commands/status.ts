/**
 * `status` as a library call: what certifix configured (from its journal), how each client resolves its
 * store now, the bundle's contents, and drift — plus settings that switch verification off, which we only
 * ever detect and warn about.
 */

import { dirname } from 'node:path';
import {
  certifixPaths,
  drift,
  type FileDrift,
  readJournal,
  readOwnFile,
  symlinkTarget,
} from '../apply/index.ts';
import { caVariables } from '../clients/ca-variables.ts';
import { PROP, splitOptions, sysProp } from '../clients/java-options.ts';
import { registry } from '../clients/registry.ts';
import { processContext } from '../context.ts';
import { parseCerts } from '../core/cert.ts';
import type { Finding } from '../core/report.ts';
import { osLocalRoots, readChosenRoots } from '../fix/index.ts';
import { isMozillaRoot } from '../stores/mozilla.ts';
import type { Context } from '../types.ts';
import { weakeningSettings } from '../weakening.ts';

export interface StatusReport {
  configured: boolean;
  bundle: {
    path: string;
    /** The bundle certifix wrote is there, as a regular file (see `state` for what is there instead). */
    exists: boolean;
    state: BundleState;
    count: number;
    added: number;
    oldestExpiry: string | null;
    newestExpiry: string | null;
  } | null;
  clients: Array<{
    id: string;
    path: string;
    source: string;
    storePath: string | null;
    via?: string;
    usesBundle: boolean;
    /** Modes in which the client ignores what certifix set (TrustSource.ignores). */
    ignores?: string[];
    /** What is wrong with the store as the client resolves it (TrustSource.warnings): a CA file that is not there. */
    warnings?: string[];
  }>;
  files: FileDrift[];
  findings: Finding[];
  /** Windows: clients that verify with Schannel, i.e. the Windows store, and need nothing (apply/windows.ts). */
  notes?: string[];
}

/** ok; missing: deleted; symlink: replaced by a link (drift); unreadable: too large, a FIFO, no access. */
type BundleState = 'ok' | 'missing' | 'symlink' | 'unreadable';

const DAY = 86400_000;
/** The merged bundle: Mozilla's list (~220 KB) plus the OS store and the chosen roots, well under this. */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

async function envFileFindings(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const v of await caVariables(ctx)) {
    if (v.certs === null) {
      out.push({
        id: 'env-missing-file',
        severity: 'error',
        message: `${v.name} points at ${v.path}, which cannot be read: clients that use it fail every TLS connection.`,
        fix: `Unset ${v.name} or run \`certifix fix\`.`,
      });
    } else if (v.replaces && v.certs.length > 0 && !v.certs.some(isMozillaRoot)) {
      out.push({
        id: 'env-no-public-roots',
        severity: 'warning',
        message: `${v.name} points at ${v.path}, which holds ${v.certs.length} certificate(s) but no public root: public sites fail for clients that read it.`,
        fix: '`certifix fix` builds a bundle with the Mozilla roots plus yours.',
      });
    }
  }
  return out;
}

export interface StatusOptions {
  /** The time expiries are judged at (default now). */
  now?: Date | undefined;
}

/** `certifix status --json` as a library call. `ctx` defaults to this process. */
export async function status(
  opts: StatusOptions = {},
  ctx: Context = processContext(),
): Promise<StatusReport> {
  const now = opts.now ?? new Date();
  const paths = certifixPaths(ctx);
  const journal = await readJournal(ctx);
  const findings: Finding[] = [];
  let bundle: StatusReport['bundle'] = null;
  if (journal) {
    let certs: ReturnType<typeof parseCerts>['certs'] = [];
    let state: BundleState = 'ok';
    const link = await symlinkTarget(paths.bundle);
    if (link !== null) {
      // Drift, not loss: something put a link where certifix wrote the bundle. Our own file is never read
      // through a link (`sudo certifix status` in someone's HOME), and refresh/undo refuse to write through it.
      state = 'symlink';
      findings.push({
        id: 'bundle-replaced',
        severity: 'error',
        message: `The bundle ${paths.bundle} was replaced by a symlink to ${link}: clients pointed at the bundle now trust whatever that link leads to, and certifix does not read or write through it.`,
        fix: `Remove the link (\`rm ${paths.bundle}\`), then run \`certifix refresh\` to rebuild the bundle, or \`certifix undo\`.`,
      });
    } else {
      try {
        // Our own file: bounded, never through a symlink (one swapped in since the check fails with ELOOP).
        const data = await readOwnFile(paths.bundle, MAX_BUNDLE_BYTES);
        if (data) certs = parseCerts(data, paths.bundle).certs;
        else state = 'missing';
      } catch (e) {
        state = 'unreadable';
        findings.push({
          id: 'bundle-unreadable',
          severity: 'error',
          message: `The bundle ${paths.bundle} cannot be read (${e instanceof Error ? e.message : String(e)}); clients pointed at it fail.`,
          fix: 'Run `certifix refresh` to rebuild it, or `certifix undo`.',
        });
      }
      if (state === 'missing')
        findings.push({
          id: 'bundle-missing',
          severity: 'error',
          message: `The bundle ${paths.bundle} is gone; every client pointed at it fails.`,
          fix: 'Run `certifix refresh` to rebuild it, or `certifix undo`.',
        });
    }
    const times = certs.map((c) => c.notAfter.getTime()).sort((a, b) => a - b);
    const chosen = await readChosenRoots(ctx);
    bundle = {
      path: paths.bundle,
      exists: state === 'ok',
      state,
      count: certs.length,
      added: chosen.length,
      oldestExpiry: times.length ? new Date(times[0] as number).toISOString() : null,
      newestExpiry: times.length ? new Date(times[times.length - 1] as number).toISOString() : null,
    };
    const inBundle = new Set(certs.map((c) => c.sha256));
    // The OS store itself: in a shell where SSL_CERT_FILE names the bundle, that file is not the OS store.
    for (const root of await osLocalRoots(ctx)) {
      if (!inBundle.has(root.sha256)) {
        findings.push({
          id: 'root-rotated',
          severity: 'warning',
          message: `Your OS now trusts "${root.subject}", which the bundle does not hold (a new or rotated company root?).`,
          fix: 'Run `certifix refresh` to rebuild the bundle from the OS store.',
        });
      }
    }
    for (const r of chosen) {
      const left = r.cert.notAfter.getTime() - now.getTime();
      if (left < 30 * DAY) {
        findings.push({
          id: left < 0 ? 'root-expired' : 'root-expiring',
          severity: left < 0 ? 'error' : 'warning',
          message: `The trusted root "${r.cert.subject}" ${left < 0 ? 'expired' : 'expires'} on ${r.cert.notAfter.toISOString().slice(0, 10)}.`,
          fix: 'Ask IT for its successor, then `certifix refresh` (or `certifix fix --ca new-root.pem`).',
        });
      }
    }
  }
  const files = await drift(ctx, journal);
  for (const f of files.filter((x) => x.state !== 'ok')) {
    findings.push({
      id: 'config-drift',
      severity: 'warning',
      message: `${f.path}: ${f.problems.join('; ')}.`,
      fix: 'Run `certifix fix` again to restore the setting, or `certifix undo`.',
    });
  }
  const clients: StatusReport['clients'] = [];
  for (const client of registry.list()) {
    for (const inst of await client.detect(ctx)) {
      const s = await client.trust(inst, ctx);
      // A store certifix builds from the bundle in its data directory (Java's truststore) counts as the bundle.
      const usesBundle =
        s.files.includes(paths.bundle) ||
        s.path === paths.bundle ||
        (s.path !== null && dirname(s.path) === paths.dir);
      clients.push({
        id: client.id,
        path: inst.path,
        source: s.source,
        storePath: s.path,
        ...(s.via ? { via: s.via } : {}),
        usesBundle,
        ...(s.ignores?.length ? { ignores: s.ignores } : {}),
        ...(s.warnings?.length ? { warnings: s.warnings } : {}),
      });
    }
  }
  findings.push(...(await envFileFindings(ctx)), ...(await weakeningSettings(ctx)));
  // Set for new shells: one started before `fix` (the one it ran in, often) does not have them yet.
  // JAVA_TOOL_OPTIONS holds the user's own options too, which they may change since: its trust store counts.
  const same = (k: string, v: string) =>
    k === 'JAVA_TOOL_OPTIONS'
      ? ctx.env[k] !== undefined &&
        sysProp(splitOptions(ctx.env[k]), PROP.store) === sysProp(splitOptions(v), PROP.store)
      : ctx.env[k] === v;
  const notHere = Object.entries(journal?.env ?? {})
    .filter(([k, v]) => !same(k, v))
    .map(([k]) => k);
  if (notHere.length > 0) {
    const unset = notHere.every((k) => ctx.env[k] === undefined);
    findings.push({
      id: 'shell-not-reloaded',
      severity: 'info',
      message: `In this shell ${notHere.join(', ')} ${notHere.length === 1 ? 'is' : 'are'} ${unset ? 'not set' : 'not what certifix set for new shells'} (${unset ? 'it started before `certifix fix`' : 'it started before `certifix fix`, or set it since'}): the clients it starts read their old stores.`,
      fix:
        ctx.platform === 'win32'
          ? 'Open a new terminal (the variables are in HKCU\\Environment).'
          : 'Open a new terminal, or run `exec $SHELL -l` in this one.',
    });
  }
  const report: StatusReport = { configured: journal !== null, bundle, clients, files, findings };
  if (ctx.platform === 'win32') {
    const notes = await (await import('../apply/windows.ts')).schannelNotes(ctx);
    if (notes.length > 0) report.notes = notes;
  }
  return report;
}
