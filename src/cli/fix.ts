import { type ApplyResult, applyPlans } from '../apply/index.ts';
import { formatFingerprint, normalizeFingerprint } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import type { Screened } from '../core/screen.ts';
import { type ChosenRoot, envAfter, planFix, selectRoots } from '../fix/index.ts';
import { list, NETWORK_OPTIONS, networkOptions, parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { clientIds } from './diagnose.ts';
import type { Io, Style } from './io.ts';
import { styler } from './io.ts';
import { type Proof, proofEnv, prove, renderChanges, renderClients, renderProof } from './show-changes.ts';

export const FIX_HELP = `Usage: certifix fix [URL] [options]

Make every client trust what your OS trusts: build one merged bundle at a stable path (every Mozilla root,
every root your OS store holds beyond them, the roots in files your CA variables already name, and the
roots you choose: trust only widens), point each client that needs it at the bundle with its own setting
(REQUESTS_CA_BUNDLE, SSL_CERT_FILE, pip.conf cert, CURL_CA_BUNDLE, git http.sslCAInfo,
NODE_EXTRA_CA_CERTS, npm cafile), persist it for new shells, then prove it by running the configured
clients against URL. Clients that already trust the OS store (and verify URL) are left alone. Nothing
disables verification.

Which roots:
  with URL           the root that anchors URL's chain (diagnosed first), found in your OS store
  --ca FILE          certificates from FILE (PEM, DER or a bundle); repeatable
  neither            the roots your OS trusts locally (in the OS store, not Mozilla's): where IT puts them

Options:
  --client IDS            only consider these clients (python-requests,python-ssl,pip,curl,git,node,npm)
  --trust-fingerprint SHA confirm a root seen only on the network (sha256, colons optional); repeatable
  --allow-non-ca          trust a certificate that is not a CA (almost always the wrong fix)
  --dry-run               print the plan, change nothing
  -y, --yes               do not ask for confirmation
  --proxy URL / --no-proxy   as for diagnose
  --json                  print one JSON document
  -h, --help              show this help

Examples:
  certifix fix --dry-run                      see what would change
  certifix fix https://pypi.org               trust the root pypi.org's chain needs, configure all clients
  certifix fix --ca ~/Downloads/corp-root.pem --yes
  certifix undo                               take it all back

Exit codes: 0 fixed (and every configured client verifies URL), 1 refused or a client still fails, 2 usage or connection error.
`;

function describeRoot(r: Screened, s: Style): string[] {
  const origin = {
    'os-store': 'from your OS store',
    'windows-store': 'from the Windows store (WSL)',
    file: `from ${r.file ?? 'a file'}`,
    network: s.yellow('from the network only'),
  }[r.origin];
  const lines = [
    `  ${r.refusal ? s.red('✗') : s.green('+')} ${r.cert.subject}  ${s.dim(`(${origin}, expires ${r.cert.notAfter.toISOString().slice(0, 10)})`)}`,
    `    ${s.dim(`sha256 ${formatFingerprint(r.cert.sha256)}`)}`,
  ];
  for (const w of r.warnings) lines.push(`    ${s.yellow(`warning: ${w}`)}`);
  return lines;
}

/** Network-only roots may be confirmed on the terminal after the user has seen the fingerprint. */
async function confirmRefused(
  refused: Screened[],
  io: Io,
  s: Style,
  allowNonCa: boolean,
): Promise<Screened[]> {
  const confirmed: Screened[] = [];
  for (const r of refused) {
    // Only the network rule can be lifted on the terminal; a non-CA needs --allow-non-ca first.
    if (r.origin !== 'network' || !(r.cert.ca || allowNonCa) || !io.confirm) continue;
    io.stderr(
      `\n${s.yellow('This root came only from the network.')} Compare its fingerprint with the one your IT team publishes:\n  ${formatFingerprint(r.cert.sha256)}\n`,
    );
    if (await io.confirm(`Trust "${r.cert.subject}"?`)) confirmed.push({ ...r, refusal: undefined });
  }
  return confirmed;
}

export async function fixCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ca: { type: 'string', multiple: true },
    client: { type: 'string', multiple: true },
    'trust-fingerprint': { type: 'string', multiple: true },
    'allow-non-ca': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...NETWORK_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(FIX_HELP);
    return 0;
  }
  if (positionals.length > 1)
    throw new CertifixError('USAGE', 'fix takes at most one URL', { hint: 'certifix fix --help' });
  const fingerprints = list(values['trust-fingerprint']).map((f) => {
    const n = normalizeFingerprint(f);
    if (!n)
      throw new CertifixError(
        'USAGE',
        `--trust-fingerprint ${f} is not a sha256 fingerprint (64 hex digits)`,
      );
    return n;
  });
  const s = styler(io);
  const ctx = contextFromIo(io);
  const url = positionals[0];
  const dryRun = values['dry-run'] === true;
  const clients = clientIds(values.client);
  const selection = await selectRoots(
    {
      url,
      caFiles: values.ca,
      ...networkOptions(values),
      allowNonCa: values['allow-non-ca'],
      confirmed: new Set(fingerprints),
    },
    ctx,
  );
  const say = (line: string) => (values.json ? undefined : io.stdout(`${line}\n`));
  if (selection.candidates.length > 0) {
    say(s.bold('Roots to trust:'));
    for (const r of selection.candidates) for (const l of describeRoot(r, s)) say(l);
  }
  let accepted = selection.candidates.filter((r) => !r.refusal);
  const refused = selection.candidates.filter((r) => r.refusal);
  if (refused.length > 0 && !dryRun && !values.yes) {
    const confirmed = await confirmRefused(refused, io, s, values['allow-non-ca'] === true);
    accepted = [...accepted, ...confirmed];
  }
  const stillRefused = refused.filter((r) => !accepted.some((a) => a.cert.sha256 === r.cert.sha256));
  for (const r of stillRefused) io.stderr(`certifix: refusing to trust ${r.refusal}\n`);
  if (stillRefused.length > 0 && accepted.length === 0) return 1;
  if (accepted.length === 0) {
    say(selection.nothingToDo ? `Nothing to trust: ${selection.nothingToDo}.` : 'Nothing to trust.');
    return 0;
  }
  if (!dryRun && !values.yes) {
    if (!io.confirm) {
      throw new CertifixError(
        'REFUSED',
        'not on a terminal: pass --yes to confirm, or --dry-run to see the plan',
      );
    }
    if (
      !(await io.confirm(
        `Trust ${accepted.length === 1 ? 'this root' : `these ${accepted.length} roots`} and configure your clients?`,
      ))
    ) {
      io.stderr('certifix: nothing changed.\n');
      return 1;
    }
  }
  const roots: ChosenRoot[] = accepted.map((r) => ({ cert: r.cert, origin: r.origin }));
  const fix = await planFix(roots, { clients, diagnosis: selection.diagnosis }, ctx);
  const nothingToConfigure = fix.installs.length === 0;
  const result: ApplyResult = nothingToConfigure
    ? { dryRun, changed: [], unchanged: [], warnings: [], journal: '' }
    : await applyPlans(fix.plans, ctx, { dryRun });
  let proof: Proof[] | null = null;
  if (url && !dryRun && !nothingToConfigure) {
    const env = proofEnv(envAfter(fix.plans, ctx.env), networkOptions(values).proxy);
    proof = await prove(fix.installs, url, { ...ctx, env });
  }
  const untouched = fix.choices.filter((c) => !c.configure).map((c) => c.id);
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          dryRun,
          roots: accepted.map((r) => ({
            subject: r.cert.subject,
            sha256: r.cert.sha256,
            origin: r.origin,
            notAfter: r.cert.notAfter.toISOString(),
            warnings: r.warnings,
          })),
          refused: stillRefused.map((r) => ({
            subject: r.cert.subject,
            sha256: r.cert.sha256,
            reason: r.refusal,
          })),
          bundle: { path: fix.bundlePath, roots: fix.roots.length, counts: fix.contents.counts },
          clients: fix.choices.map((c) => ({ id: c.id, configured: c.configure, reason: c.reason })),
          plans: fix.plans.map((p) => ({
            owner: p.owner,
            summary: p.summary,
            changes: p.changes.map((c) => ({ ...c, content: undefined })),
            notes: p.notes,
          })),
          changed: result.changed,
          unchanged: result.unchanged,
          warnings: result.warnings,
          proof,
          untouched: proof ? untouched : [],
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(renderClients(fix, s));
    if (nothingToConfigure) say('\nNothing to configure: every client already trusts these roots.');
    else io.stdout(renderChanges(fix, result, s));
    if (proof) io.stdout(renderProof(proof, url ?? '', s, untouched));
    if (!dryRun && result.changed.length > 0)
      say(
        `\nNew shells pick this up; in this one run: ${s.bold('exec $SHELL -l')}. Undo with ${s.bold('certifix undo')}.`,
      );
  }
  return proof?.some((p) => !p.ok) ? 1 : 0;
}
