/**
 * "Trust only widens", measured: every real client on the laptop × every site, in new shells, before
 * `certifix fix URL --yes`, after it, and after `undo`. The clients (harm-matrix.ts): the lab's probes of
 * requests, urllib, pip, curl, git, node and npm (new login and interactive shells), and every other client
 * certifix knows that runs here, by its adapter's real check (new login shells): wget, httpx, aiohttp,
 * urllib3, boto3, httplib2, gRPC, Java's HttpClient, Maven, Ruby, Go, Cargo, PHP, Composer, yarn, pnpm,
 * Deno and Bun.
 *
 * The laptop: IT installed three roots in the OS store (the inspection proxy's root, the internal-services
 * CA, and the public-style origin's root as a stand-in for a Mozilla root the OS ships). The user had already
 * made some clients work by hand, as people do before anyone gives them a tool:
 *  - requests, for the internal-services CA: REQUESTS_CA_BUNDLE in ~/.bashrc names certifi's roots + that CA;
 *  - pip, npm and Java, for a legacy CA that IT never pushed to the OS store: pip.conf `cert` and .npmrc
 *    `cafile` name certifi's roots + the legacy CA, and JAVA_TOOL_OPTIONS (~/.profile) names a truststore
 *    holding the JDK's roots + the legacy CA.
 * The sites: the public-style origin, the internal service, the legacy service, and the origin through Squid
 * ssl-bump and through mitmproxy, there by a name only the proxies resolve (origin.lab.test), so that Go and
 * Ruby, which never proxy loopback, go through them too. `fix` and `undo` run as typed in a terminal of a desktop session (a login
 * and interactive bash: ~/.profile's and ~/.bashrc's variables both set).
 * The claims:
 *  - nothing that verified before fails after `fix` (each regression names client × site × shell and shows
 *    the client's output before and after);
 *  - the target (the origin through Squid) and every site whose root is in the OS store verify after `fix`;
 *  - after `undo` the matrix equals the one before, and HOME holds its original bytes.
 * The three matrices and the time each took are printed with the test output.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/clients/registry.ts';
import { lacks, missing, STRICT, systemPython } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { npmToolBin } from '../helpers/npm-tools.ts';
import { type Chain, makeChain, Origin } from '../helpers/servers.ts';
import { CLIENT_NOISE } from '../helpers/snapshot.ts';
import { labVenv, type Venv } from '../helpers/venv.ts';
import {
  ADAPTER_CLIENTS,
  adapterColumn,
  type Column,
  costs,
  failures,
  key,
  PROBES,
  regressions,
  render,
  runMatrix,
  type Site,
} from './harm-matrix.ts';

/** The Python libraries' venv (the contract suite's, so one cached build serves both). */
const LIBS = ['httpx', 'aiohttp', 'boto3', 'urllib3', 'httplib2', 'grpcio'];
/** Client processes at once: enough to overlap the slow starters (JVMs, pip) on two cores. */
const LIMIT = 6;

/** client, site, shell, verifies? */
type Expected = [string, string, 'login' | 'interactive', boolean];

/** The chain served again over HTTP/2 (ALPN h2), for gRPC. */
async function h2Twin(chain: Chain): Promise<{ url: string; close: () => void }> {
  const server = createSecureServer(
    { key: chain.leaf.keyPem, cert: chain.leaf.pem + chain.intermediate.pem },
    (_q, r) => r.writeHead(404).end(),
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `https://localhost:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `do no harm: every client × site before fix URL, after, and after undo ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    let legacy: Origin;
    let twins: Array<{ url: string; close: () => void }> = [];
    let libs: Venv | undefined;
    beforeAll(async () => {
      const build = () => labVenv({ packages: LIBS });
      // Under CI=true a venv that cannot be built fails the run instead of dropping its columns.
      [lab, libs] = await Promise.all([Lab.start(), STRICT ? build() : build().catch(() => undefined)]);
      // An old internal service whose chain ends in the legacy CA (not in the OS store).
      const chain = makeChain(lab.pki, 'legacy', 'Example Corp Legacy Proxy');
      legacy = await Origin.start({ chain });
      twins = await Promise.all([lab.publicChain, lab.internalChain, chain].map(h2Twin));
    });
    afterAll(async () => {
      for (const t of twins) t.close();
      await legacy?.close();
      await lab?.close();
    });

    /** The user's hand-made configuration (see the header), in the laptop's HOME. */
    async function configureByHand(laptop: Laptop): Promise<void> {
      const certifi = readFileSync(
        execFileSync(systemPython(), ['-m', 'certifi'], { encoding: 'utf8' }).trim(),
        'utf8',
      );
      const corp = laptop.homePath('corp');
      mkdirSync(corp);
      const internalBundle = join(corp, 'internal-bundle.pem');
      const legacyBundle = join(corp, 'legacy-bundle.pem');
      writeFileSync(internalBundle, certifi + lab.internalChain.root.pem);
      writeFileSync(legacyBundle, certifi + legacy.root.pem);
      await laptop.appendHome('.bashrc', `\nexport REQUESTS_CA_BUNDLE="$HOME/corp/internal-bundle.pem"\n`);
      await laptop.appendHome('.config/pip/pip.conf', `[global]\ncert = ${legacyBundle}\n`);
      await laptop.appendHome('.npmrc', `cafile=${legacyBundle}\n`);
      const [java] = (await registry.get('java')?.detect(laptop.context())) ?? [];
      if (!java) return;
      // keytool -importkeystore copies the JDK's roots, -importcert adds the legacy CA. JKS, as many stores
      // are (JDK 17's default PKCS12 encrypts its certificates: certifix then reads them with keytool and the
      // password in the options, java.ts; test/apply/cacerts.test.ts).
      const store = join(corp, 'truststore.jks');
      const pass = ['-storepass', 'changeit'];
      for (const args of [
        [
          '-importkeystore',
          '-noprompt',
          '-srckeystore',
          java.details?.cacerts ?? '',
          '-srcstorepass',
          'changeit',
        ].concat(['-destkeystore', store, '-deststoretype', 'JKS', '-deststorepass', 'changeit']),
        [
          '-importcert',
          '-noprompt',
          '-alias',
          'corp-legacy',
          '-file',
          legacy.root.certPath,
          '-keystore',
          store,
          ...pass,
        ],
      ]) {
        const r = await laptop.run('keytool', args);
        if (r.code !== 0) throw new Error(`keytool ${args[0]}: ${r.stdout}${r.stderr}`);
      }
      await laptop.appendHome(
        '.profile',
        `\nexport JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=$HOME/corp/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit"\n`,
      );
    }

    /** The Python libraries' venv, yarn, pnpm, Deno and Bun first on PATH, for certifix and in new shells. */
    async function putOnPath(laptop: Laptop): Promise<void> {
      const tools = (['yarn', 'pnpm', 'deno', 'bun'] as const).map((t) => npmToolBin(t));
      const dirs = [libs ? join(libs.dir, 'bin') : null, ...tools].filter(Boolean);
      laptop.env.PATH = `${dirs.join(':')}:${laptop.env.PATH}`;
      for (const f of ['.profile', '.bashrc'])
        await laptop.appendHome(f, `\nexport PATH='${dirs.join(':')}':"$PATH"\n`);
    }

    /** One column per client the laptop has; under CI=true a missing one fails. */
    async function columns(laptop: Laptop): Promise<{ cols: Column[]; absent: string[] }> {
      const ctx = laptop.context();
      const cols = [...PROBES];
      const absent: string[] = [];
      for (const id of ADAPTER_CLIENTS) {
        const [inst] = (await registry.get(id)?.detect(ctx)) ?? [];
        if (inst) cols.push(adapterColumn(id, inst));
        else absent.push(id);
      }
      if (STRICT && absent.length) throw new Error(`CI=true but not on the laptop: ${absent.join(', ')}`);
      return { cols, absent };
    }

    it('nothing that worked stops working, the target and every OS-trusted site work, undo restores the matrix', async () => {
      const t0 = Date.now();
      const laptop = await lab.laptop({
        corporateRoots: [lab.corporateRoot, lab.internalChain.root, lab.publicChain.root],
      });
      const [pub, int, leg] = twins.map((t) => t.url);
      const sites: Site[] = [
        { name: 'public', origin: lab.origin, h2: pub },
        { name: 'internal', origin: lab.internal, h2: int },
        { name: 'legacy-internal', origin: legacy, h2: leg },
        // By a name only the proxies resolve: Go and Ruby never proxy a loopback target (src/clients/loopback.ts).
        { name: 'via squid', origin: lab.origin.proxied, proxy: lab.squid },
        { name: 'via mitmproxy', origin: lab.origin.proxied, proxy: lab.mitmproxy },
      ];
      const target = 'via squid';
      await putOnPath(laptop);
      await configureByHand(laptop);
      const { cols, absent } = await columns(laptop);
      const times: string[] = [];
      const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        const t = Date.now();
        const out = await f();
        times.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)} s`);
        return out;
      };
      const matrix = (what: string) => timed(what, () => runMatrix(laptop, cols, sites, LIMIT));
      // certifix as the user types it in a terminal: a login session's environment (~/.profile: the
      // JAVA_TOOL_OPTIONS) and an interactive bash's (~/.bashrc: REQUESTS_CA_BUNDLE).
      const bin = join(REPO, 'bin', 'certifix.js');
      const certifix = (args: string[], env: Record<string, string> = {}) =>
        laptop.run('bash', ['-lic', 'exec "$@"', 'bash', process.execPath, bin, ...args], { env });

      const before = await matrix('before');
      const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });
      const fix = await timed('fix', () =>
        certifix(['fix', lab.origin.proxied.url, '--yes'], { https_proxy: lab.squid?.url ?? '' }),
      );
      const after = await matrix('after fix');
      const undo = await timed('undo', () => certifix(['undo', '--yes']));
      expect(undo.code, undo.stderr).toBe(0);
      const undone = await matrix('after undo');

      console.log(
        [
          render('before fix', before, cols, sites),
          render('after fix', after, cols, sites),
          render('after undo', undone, cols, sites),
          `${Object.keys(before).length} cells per matrix; ${times.join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(1)} s` +
            (absent.length ? `; not on this machine: ${absent.join(', ')}` : ''),
          `client seconds (summed over cells, ${LIMIT} at once): ${costs([before, after, undone])}`,
        ].join('\n\n'),
      );
      // The laptop as set up: the OS store's clients verify every OS-trusted site, not the legacy one...
      for (const sh of ['login', 'interactive'] as const) {
        for (const c of ['urllib (ssl)', 'curl', 'git'])
          for (const s of sites)
            expect(before[key(c, s.name, sh)]?.ok, key(c, s.name, sh)).toBe(s.name !== 'legacy-internal');
      }
      // ...and each hand-made setting does what the user made it for, in the shells that read it.
      const handMade: Expected[] = [
        ['python-requests', 'internal', 'interactive', true], // REQUESTS_CA_BUNDLE in ~/.bashrc
        ['python-requests', 'internal', 'login', false],
        ['pip', 'legacy-internal', 'login', true], // pip.conf cert
        // REQUESTS_CA_BUNDLE replaces pip's --cert as well (requests' merge_environment_settings, pip.ts).
        ['pip', 'legacy-internal', 'interactive', false],
        ['pip', 'internal', 'interactive', true],
        ['npm', 'legacy-internal', 'login', true], // .npmrc cafile
        ['npm', 'legacy-internal', 'interactive', true],
        ...(absent.includes('java') ? [] : [['java', 'legacy-internal', 'login', true] satisfies Expected]),
      ];
      for (const [c, s, sh, ok] of handMade)
        expect(before[key(c, s, sh)]?.ok, `${key(c, s, sh)}\n${before[key(c, s, sh)]?.out}`).toBe(ok);

      expect(regressions(before, after, 'before fix', 'after fix')).toEqual([]);
      const onOs = (k: string) => !k.includes('| legacy-internal |');
      expect(failures(after, onOs)).toEqual([]);
      expect(failures(after, (k) => k.includes(`| ${target} |`))).toEqual([]);
      expect([
        ...regressions(before, undone, 'before fix', 'after undo'),
        ...regressions(undone, before, 'after undo', 'before fix'),
      ]).toEqual([]);
      expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(home);
      // Every configured client passed fix's own proof.
      expect(fix.code, `${fix.stdout}\n${fix.stderr}`).toBe(0);
    }, 600_000);
  },
);
