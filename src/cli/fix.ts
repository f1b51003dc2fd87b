import type { ApplyResult } from '../apply/index.ts';
import { type FixQuestion, type FixStep, fix } from '../commands/fix.ts';
import { formatFingerprint } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import type { Screened } from '../core/screen.ts';
import {
  clientIdsHelp,
  list,
  NETWORK_OPTIONS,
  networkOptions,
  PYTHON_OPTION,
  parse,
  withPythons,
} from './args.ts';
import { contextFromIo } from './context.ts';
import { clientIds } from './diagnose.ts';
import type { Io, Style } from './io.ts';
import { styler } from './io.ts';
import { renderChanges, renderClients, renderProof } from './render-fix.ts';

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
  --client IDS            only consider these clients, comma-separated (e.g. pip,node), of:
${clientIdsHelp(26)}
  --python PATH           also this Python interpreter (repeatable)
  --registry HOST[:PORT]  a private container registry: the Docker daemon trusts the roots for it
                          (certs.d/HOST[:PORT]/certifix-ca.crt); repeatable
  --java-cacerts          Java: import the roots into the JDK's own cacerts with its keytool (bytes backed up,
                          undo restores them) instead of a truststore named in JAVA_TOOL_OPTIONS; the file
                          must be yours (a system JDK: sudo -H certifix fix --client java --java-cacerts);
                          store password: CERTIFIX_JAVA_STOREPASS, else (Debian) /etc/default/cacerts's
                          storepass, then changeit
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

Exit codes: 0 fixed (and every configured client verifies URL), 1 refused, not confirmed or a client still
fails, 2 usage, file or connection error (a --ca FILE that cannot be read, a file that cannot be written).
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

/** After a confirmed preview: the files changed, without the lines the preview showed. */
function renderDone(result: ApplyResult, s: Style): string {
  const rows = result.changed.map(
    (c) => `  ${c.action === 'create' ? 'created' : 'modified'} ${c.path}${c.target ? ` → ${c.target}` : ''}`,
  );
  if (rows.length === 0) rows.push(s.green('  Already configured: nothing to change.'));
  for (const w of result.warnings) rows.push(`  ${s.yellow(`warning: ${w}`)}`);
  return `\n${s.bold('Changes:')}\n${rows.join('\n')}\n`;
}

export async function fixCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ca: { type: 'string', multiple: true },
    client: { type: 'string', multiple: true },
    registry: { type: 'string', multiple: true },
    'trust-fingerprint': { type: 'string', multiple: true },
    'allow-non-ca': { type: 'boolean' },
    'java-cacerts': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...NETWORK_OPTIONS,
    ...PYTHON_OPTION,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(FIX_HELP);
    return 0;
  }
  if (positionals.length > 1)
    throw new CertifixError('USAGE', 'fix takes at most one URL', { hint: 'certifix fix --help' });
  const s = styler(io);
  const ctx = withPythons(contextFromIo(io), values.python);
  const url = positionals[0];
  const net = networkOptions(values);
  const say = (line: string) => (values.json ? undefined : io.stdout(`${line}\n`));
  let applied: Extract<FixStep, { kind: 'applied' }> | undefined;
  // The question showed the plan and its changes: afterwards only the files are listed again.
  let previewed = false;
  // Refusals are said once: before the last question when there is one, else when fix returns.
  let refusalsSaid = false;
  const sayRefusals = (refused: readonly { subject: string; reason?: string | undefined }[]) => {
    if (refusalsSaid) return;
    refusalsSaid = true;
    for (const r of refused) io.stderr(`certifix: refusing to trust "${r.subject}": ${r.reason}\n`);
  };
  const onStep = (step: FixStep) => {
    if (step.kind === 'applied') {
      applied = step;
      return;
    }
    for (const n of step.notes ?? []) say(s.dim(n));
    if (step.candidates.length > 0) {
      say(s.bold('Roots to trust:'));
      for (const r of step.candidates) for (const l of describeRoot(r, s)) say(l);
    }
  };
  const confirm = async (q: FixQuestion): Promise<boolean> => {
    if (q.kind === 'trust-network-root') {
      if (!io.confirm) return false;
      io.stderr(
        `\n${s.yellow('This root came only from the network.')} Compare its fingerprint with the one your IT team publishes:\n  ${formatFingerprint(q.root.cert.sha256)}\n`,
      );
      return io.confirm(`Trust "${q.root.cert.subject}"?`);
    }
    sayRefusals(q.refused.map((r) => ({ subject: r.cert.subject, reason: r.refusal })));
    if (!io.confirm)
      throw new CertifixError(
        'REFUSED',
        'not on a terminal: pass --yes to confirm, or --dry-run to see the plan',
      );
    // Exactly what a yes does: every client's decision, every file and line (a JDK keystore's imports too);
    // with --json on stderr, so standard output stays one document.
    const show = values.json ? io.stderr : io.stdout;
    show(renderClients(q.plan, s));
    show(renderChanges(q.plan, q.preview, s, 'What a yes changes (nothing is changed yet):'));
    previewed = true;
    const n = q.roots.length;
    return io.confirm(`Trust ${n === 1 ? 'this root' : `these ${n} roots`} and make these changes?`);
  };
  const report = await fix(
    {
      url,
      ca: values.ca,
      clients: clientIds(values.client),
      registries: list(values.registry),
      trustFingerprints: list(values['trust-fingerprint']),
      allowNonCa: values['allow-non-ca'],
      javaCacerts: values['java-cacerts'],
      dryRun: values['dry-run'],
      ...net,
      confirm: values.yes ? undefined : confirm,
      onStep,
    },
    ctx,
  );
  sayRefusals(report.refused);
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (!applied) {
    if (report.refused.length === 0)
      say(report.nothingToDo ? `Nothing to trust: ${report.nothingToDo}.` : 'Nothing to trust.');
  } else {
    const { plan, result } = applied;
    if (!previewed) io.stdout(renderClients(plan, s));
    const blocked = plan.choices.some((c) => c.blocked);
    if (plan.installs.length === 0)
      say(
        blocked
          ? '\nNothing to configure: no change certifix can make reaches the clients marked ! (each says what would); every other client already trusts these roots.'
          : '\nNothing to configure: every client already trusts these roots.',
      );
    else io.stdout(previewed ? renderDone(result, s) : renderChanges(plan, result, s));
    const untouched = plan.choices
      .filter((c) => !c.configure && !report.stillFailing.includes(c.id))
      .map((c) => c.id);
    if (report.proof)
      io.stdout(renderProof(report.proof, url ?? '', s, untouched, report.notProved, report.stillFailing));
    else if (report.stillFailing.length > 0 && !report.dryRun)
      say(
        `\n${s.red(`Still failing ${url}`)}: ${report.stillFailing.join(', ')} (not configured: the Clients list says what would do it).`,
      );
    // Only the shell blocks wait for a new shell (an import into a JDK's cacerts is read by the next JVM).
    const envChanged = result.changed.some((c) => c.kinds.includes('env')) || !!result.registry?.length;
    if (!report.dryRun && !envChanged && result.changed.length > 0)
      say(`\nUndo with ${s.bold('certifix undo')}.`);
    else if (!report.dryRun && result.changed.length > 0)
      say(
        `\nNew shells pick this up; in this one run: ${s.bold('exec $SHELL -l')}. Undo with ${s.bold('certifix undo')}.`,
      );
  }
  if (report.refused.length > 0 && report.roots.length === 0) return 1;
  // A client fix could not configure that fails the URL still fails: said above, and counted.
  if (!report.dryRun && report.stillFailing.length > 0) return 1;
  return report.proof?.some((p) => !p.ok) ? 1 : 0;
}
