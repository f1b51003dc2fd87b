/** The pure parts of `certifix check`: agreement, the proxy decision, the login environment, the output. */
import { describe, expect, it } from 'vitest';
import { checkExitCode, renderCheck } from '../../src/cli/check.ts';
import { agrees, type CheckReport, inconclusive, withProxy } from '../../src/commands/check.ts';
import { parseEnvDump, parseEnvironmentFile } from '../../src/shell-env.ts';

const plain = new Proxy({}, { get: () => (t: string) => t }) as Parameters<typeof renderCheck>[1];

describe('agrees', () => {
  it.each([
    [{ ok: true, code: 'OK' }, { ok: true, code: 'OK' }, true],
    [
      { ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' },
      { ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' },
      true,
    ],
    // GnuTLS clients say only that verification failed: any predicted failure agrees.
    [{ ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, { ok: false, code: 'VERIFY_FAILED' }, true],
    [
      { ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' },
      { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
      false,
    ],
    [{ ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' }, { ok: true, code: 'OK' }, false],
    [{ ok: true, code: 'OK' }, { ok: false, code: 'CONNECT' }, false],
    // A run with no TLS verdict (stopped at its limit, a read timeout certifix does not recognise) agrees
    // with no prediction, a failure included.
    [{ ok: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' }, { ok: false, code: 'UNKNOWN' }, false],
    [{ ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, { ok: false, code: 'TIMEOUT' }, false],
    [{ ok: true, code: 'OK' }, { ok: false, code: 'TIMEOUT' }, false],
    [{ ok: true, code: 'OK' }, { ok: false, code: 'UNKNOWN' }, false],
  ])('%j vs %j → %s', (p, a, want) => expect(agrees(p, a)).toBe(want));

  it('inconclusive: only a failure that says nothing about TLS', () => {
    expect(inconclusive({ ok: false, code: 'TIMEOUT' })).toBe(true);
    expect(inconclusive({ ok: false, code: 'UNKNOWN' })).toBe(true);
    expect(inconclusive({ ok: false, code: 'UNKNOWN', printed: 'ReadTimeoutError: Read timed out.' })).toBe(
      true,
    );
    // an unrecognised wording of a TLS failure is a disagreement to report, not "not compared"
    for (const printed of ['SSLError: unknown ca', 'x509: something new', 'PKIX path building failed'])
      expect(inconclusive({ ok: false, code: 'UNKNOWN', printed })).toBe(false);
    for (const code of ['VERIFY_FAILED', 'CONNECT', 'SELF_SIGNED_CERT_IN_CHAIN'])
      expect(inconclusive({ ok: false, code })).toBe(false);
    expect(inconclusive({ ok: true, code: 'OK' })).toBe(false);
  });
});

describe('withProxy', () => {
  const url = 'https://pypi.org/';
  it('--no-proxy removes every proxy variable', () => {
    expect(withProxy({ https_proxy: 'http://p:1', NO_PROXY: 'x', A: '1' }, {}, url, null)).toEqual({
      A: '1',
    });
  });
  it('--proxy sets the https variables and drops NO_PROXY', () => {
    expect(withProxy({ no_proxy: 'pypi.org' }, {}, url, 'http://p:3128')).toEqual({
      https_proxy: 'http://p:3128',
      HTTPS_PROXY: 'http://p:3128',
    });
  });
  it("carries a proxy set only in the caller's environment over", () => {
    expect(withProxy({}, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'corp' }, url, undefined)).toEqual({
      HTTPS_PROXY: 'http://p:1',
      NO_PROXY: 'corp',
    });
  });
  it("keeps the login shell's own proxy", () => {
    expect(withProxy({ https_proxy: 'http://a:1' }, { HTTPS_PROXY: 'http://b:2' }, url, undefined)).toEqual({
      https_proxy: 'http://a:1',
    });
  });
});

describe('the login environment', () => {
  it('reads env -0 after the marker, ignoring what a profile printed', () => {
    const out = 'Welcome!\n__certifix_login_env__\nA=1\0B=x=y\0PATH=/bin\0';
    expect(parseEnvDump(out)).toEqual({ A: '1', B: 'x=y', PATH: '/bin' });
    expect(parseEnvDump('no marker')).toBeNull();
  });
  it('parses /etc/environment as pam_env does', () => {
    const text =
      '# comment\nPATH="/usr/local/bin:/usr/bin"\nhttps_proxy=http://proxy:3128\nexport X=\'y\'\nnot a line\n';
    expect(parseEnvironmentFile(text)).toEqual({
      PATH: '/usr/local/bin:/usr/bin',
      https_proxy: 'http://proxy:3128',
      X: 'y',
    });
  });
});

describe('output', () => {
  const report = (agree: boolean, ok: boolean): CheckReport => ({
    url: 'https://x.test/',
    proxy: null,
    environment: { source: 'login-shell', shell: '/bin/bash' },
    clients: [
      {
        id: 'pip',
        environment: '/usr (Python 3.11)',
        predicted: { ok: !agree ? !ok : ok, code: 'OK', message: 'ok' },
        actual: { ok, code: ok ? 'OK' : 'SELF_SIGNED_CERT_IN_CHAIN', message: 'm', printed: 'p' },
        agree,
        inconclusive: false,
      },
    ],
    notRun: [],
  });
  it('exit 0 only when every client verifies and agrees', () => {
    expect(checkExitCode(report(true, true))).toBe(0);
    expect(checkExitCode(report(true, false))).toBe(1);
    expect(checkExitCode(report(false, true))).toBe(1);
  });
  it('a disagreement is reported as a bug in certifix, with what to send', () => {
    const text = renderCheck(report(false, true), plain);
    expect(text).toContain('That is a bug in certifix');
    expect(text).toContain('certifix check https://x.test/ --json');
    expect(text).toContain('openssl s_client');
    expect(renderCheck(report(true, true), plain)).not.toContain('bug');
  });
  it('a client stopped at its time limit, or failing for an unrecognised reason, is not compared, says so, and is not called a bug', () => {
    const stopped = 'certifix stopped /usr/bin/java after 90 s: it had not finished';
    const r: CheckReport = {
      ...report(true, false),
      clients: [
        {
          id: 'java',
          environment: '/usr/bin/java',
          predicted: {
            ok: false,
            code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
            message: 'unable to get local issuer certificate',
          },
          actual: {
            ok: false,
            code: 'TIMEOUT',
            message: 'did not finish: certifix stopped it at its time limit',
            printed: stopped,
          },
          agree: false,
          inconclusive: true,
        },
        {
          id: 'urllib3',
          environment: '/usr (Python 3.11)',
          predicted: { ok: true, code: 'OK', message: 'ok' },
          actual: {
            ok: false,
            code: 'UNKNOWN',
            message: 'the client failed for a reason certifix does not recognise',
            printed:
              'ReadTimeoutError("HTTPSConnectionPool(host=\'localhost\', port=8443): Read timed out.")',
          },
          agree: false,
          inconclusive: true,
        },
      ],
    };
    const text = renderCheck(r, plain);
    expect(text).toMatch(
      /✗ java +did not finish: certifix stopped it at its time limit \(TIMEOUT\) +not compared: certifix predicted unable to get local issuer certificate/,
    );
    expect(text).toContain(`    ${stopped}\n`);
    expect(text).toMatch(
      /✗ urllib3 +the client failed .* \(UNKNOWN\) +not compared: certifix predicted it verifies/,
    );
    expect(text).toContain('Read timed out');
    expect(text).not.toContain('as predicted');
    expect(text).not.toContain('predicted one client wrongly');
    expect(text).not.toContain('That is a bug in certifix');
    expect(text).toContain(
      '2 clients ended without a TLS verdict (java, urllib3): not compared with the prediction.',
    );
    expect(text).toContain('certifix check https://x.test/ --client java,urllib3');
    expect(checkExitCode(r)).toBe(1);
  });

  it('a client that cannot be observed here is listed as not run, with its reason and prediction, outside the exit code', () => {
    const r: CheckReport = {
      ...report(true, true),
      notRun: [
        {
          id: 'docker',
          environment: '/usr/bin/docker',
          predicted: {
            ok: false,
            code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
            message: 'unable to get local issuer certificate',
          },
          reason: 'the Docker daemon verifies registries',
        },
      ],
    };
    const text = renderCheck(r, plain);
    expect(text).toMatch(
      /\? docker +not run +certifix predicts it would fail: unable to get local issuer certificate/,
    );
    expect(text).toContain('the Docker daemon verifies registries');
    expect(text).not.toContain('bug');
    expect(checkExitCode(r)).toBe(0);
  });
});
