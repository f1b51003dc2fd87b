/**
 * `certifix export dockerfile`: the files and lines it gives are checked by building the image's layout in a
 * temporary root, as the Dockerfile would (no Docker daemon can run here): COPY puts the files where the
 * image has them, the RUN line runs for real (Debian's own update-ca-certificates, pointed at that root with
 * its --*dir options; Alpine's `cat` with the root's paths), and real clients given the ENV variables (paths
 * under the root) verify a real server signed by the exported root.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifixPaths } from '../../src/apply/index.ts';
import { exportCertificates } from '../../src/commands/export.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { parseCerts } from '../../src/core/cert.ts';
import { renderRoots } from '../../src/fix/plan.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import { sandbox } from '../clients/sandbox.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain, Origin } from '../helpers/servers.ts';

let origin: Origin;
let chainRoot: ReturnType<typeof parseCerts>['certs'];
beforeAll(async () => {
  const chain = makeChain(new Pki(), 'image', 'Image Corp');
  chainRoot = parseCerts(chain.root.pem).certs;
  origin = await Origin.start({ chain, sends: 'leaf+intermediate' });
});
afterAll(() => origin?.close());

/** A machine where `certifix fix --ca` chose the origin's root, and a build context. */
async function exported(distro: 'debian' | 'alpine') {
  const sb = sandbox();
  const ctx = sb.ctx();
  sb.write(
    join(certifixPaths(ctx).dir, 'roots.pem'),
    renderRoots(chainRoot.map((cert) => ({ cert, origin: 'file' as const }))),
  );
  const context = join(sb.dir, 'context');
  mkdirSync(context);
  // A root exported earlier and no longer chosen: removed, so COPY's wildcard does not bring it back.
  writeFileSync(join(context, 'certifix-ca-0123456789abcdef.crt'), 'stale');
  const report = await exportCertificates('dockerfile', { out: context, distro }, ctx);
  return { sb, context, report, lines: report.dockerfile ?? [] };
}

/** Run the Dockerfile's lines in `root`: COPY, RUN (through `run`), and the ENV variables, paths under root. */
function build(lines: readonly string[], context: string, root: string, run: (cmd: string) => void) {
  const env: Record<string, string> = {};
  const text = lines
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/ \\\n\s*/g, ' ');
  for (const line of text.split('\n')) {
    const [op, ...args] = line.split(' ');
    if (op === 'COPY') {
      const [src, dest] = args as [string, string];
      const re = new RegExp(`^${src.replace(/[.]/g, '\\.').replace('*', '.*')}$`);
      mkdirSync(join(root, dest), { recursive: true });
      for (const f of readdirSync(context).filter((n) => re.test(n)))
        copyFileSync(join(context, f), join(root, dest, f));
    } else if (op === 'RUN') run(args.join(' '));
    else if (op === 'ENV')
      for (const a of args) {
        const [k, v] = a.split('=') as [string, string];
        env[k] = join(root, v);
      }
    else throw new Error(`unexpected line: ${line}`);
  }
  return env;
}

/**
 * Node with the image's NODE_EXTRA_CA_CERTS, and curl with the image's hashed directory (its default CA file,
 * the host's bundle, lacks the root). Asynchronous: the origin answers from this process.
 */
async function clients(env: Record<string, string>, capath?: string) {
  const run = promisify(execFile);
  const PATH = process.env.PATH ?? '';
  const get = `require('https').get(${JSON.stringify(origin.url)}, (r) => { console.log(r.statusCode); process.exit(0) }).on('error', (e) => console.log(e.code))`;
  const node = (
    await run(process.execPath, ['-e', get], { env: { PATH, NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS } })
  ).stdout.trim();
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--capath', capath ?? '', origin.url];
  const curl = capath ? (await run('curl', args, { env: { PATH } })).stdout : undefined;
  return { node, curl };
}

describe('export dockerfile', () => {
  it('one .crt per root in the build context, and the lines', async () => {
    const { context, report, lines } = await exported('debian');
    const name = `certifix-ca-${chainRoot[0]?.sha256.slice(0, 16)}.crt`;
    expect(readdirSync(context)).toEqual([name]);
    expect(report.files).toEqual([join(context, name)]);
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual([
      `COPY ${name} /usr/local/share/ca-certificates/`,
      'RUN update-ca-certificates',
      'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\\n    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \\\n    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    ]);
  });

  it('README shows exactly these lines', async () => {
    const { lines } = await exported('debian');
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('$ certifix export dockerfile --out .'));
    const shown = block.slice(
      block.indexOf('\n', block.indexOf('certifix: wrote')) + 1,
      block.indexOf('\n```'),
    );
    const name = `certifix-ca-${chainRoot[0]?.sha256.slice(0, 16)}.crt`;
    expect(shown.replaceAll('certifix-ca-3f2a9c0d1e4b5a67.crt', name)).toBe(lines.join('\n'));
  });

  it.skipIf(lacks('update-ca-certificates', 'curl'))(
    `Debian: the real update-ca-certificates in the image's layout, then node and curl verify ${missing('update-ca-certificates', 'curl')}`,
    async () => {
      const { sb, context, lines } = await exported('debian');
      const root = join(sb.dir, 'image');
      for (const d of ['etc/ssl/certs', 'usr/share/ca-certificates', 'etc/ca-certificates/update.d'])
        mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, 'etc/ca-certificates.conf'), '');
      const env = build(lines, context, root, (cmd) => {
        expect(cmd).toBe('update-ca-certificates');
        execFileSync('update-ca-certificates', [
          '--certsconf',
          join(root, 'etc/ca-certificates.conf'),
          '--certsdir',
          join(root, 'usr/share/ca-certificates'),
          '--localcertsdir',
          join(root, 'usr/local/share/ca-certificates'),
          '--etccertsdir',
          join(root, 'etc/ssl/certs'),
          '--hooksdir',
          join(root, 'etc/ca-certificates/update.d'),
        ]);
      });
      expect(await clients(env, join(root, 'etc/ssl/certs'))).toEqual({ node: '200', curl: '200' });
    },
  );

  it('Alpine: the roots appended to the image bundle, then node verifies', async () => {
    const { sb, context, lines } = await exported('alpine');
    const root = join(sb.dir, 'image');
    sb.write(
      join(root, 'etc/ssl/certs/ca-certificates.crt'),
      renderBundle({ mozilla: mozillaRoots(), extra: [] }),
    );
    const bundle = { NODE_EXTRA_CA_CERTS: join(root, 'etc/ssl/certs/ca-certificates.crt') };
    expect((await clients(bundle)).node).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'); // before the lines
    const under = (cmd: string) => cmd.replace(/(\/usr\/local\/share|\/etc\/ssl)/g, `${root}$1`);
    const env = build(lines, context, root, (cmd) => execFileSync('sh', ['-c', under(cmd)]));
    expect((await clients(env)).node).toBe('200');
  });
});
