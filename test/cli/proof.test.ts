/**
 * The proof of `fix URL` judges TLS alone and goes through the diagnosis' proxy: what each client prints
 * after a completed handshake counts as verified (src/clients/messages.ts AFTER_HANDSHAKE), a verification
 * error never does, and the proof's environment carries `--proxy` / drops the proxy for `--no-proxy`.
 */
import { describe, expect, it } from 'vitest';
import { verdictFromOutput } from '../../src/clients/messages.ts';
import { proofEnv } from '../../src/commands/prove.ts';

describe('the proof judges TLS alone', () => {
  it.each([
    [
      'git, a site that is no repository',
      'fatal: https://www.example.com/info/refs not valid: is this a git repository?',
      128,
    ],
    ['git, 404', "remote: Not Found\nfatal: repository 'https://www.example.com/' not found", 128],
    [
      'git, 401 with prompts off',
      "fatal: could not read Username for 'https://git.example.com': terminal prompts disabled",
      128,
    ],
    [
      'pip, no such project on a plain site',
      'ERROR: Could not find a version that satisfies the requirement certifix-probe (from versions: none)\nERROR: No matching distribution found for certifix-probe',
      1,
    ],
    [
      'npm, no registry there',
      'npm error code E404\nnpm error 404 Not Found - GET https://www.example.com/-/ping',
      1,
    ],
    ['urllib/requests probe, 404', 'HTTP_STATUS 404', 0],
  ])('%s: verified', (_name, output, code) => {
    expect(verdictFromOutput(output, code)).toMatchObject({ ok: true, code: 'OK' });
  });

  it('a verification failure is never taken for a completed handshake', () => {
    const v = verdictFromOutput(
      "fatal: unable to access 'https://x/': server certificate verification failed. CAfile: none CRLfile: none",
      128,
    );
    expect(v).toMatchObject({ ok: false });
  });
});

describe('proofEnv', () => {
  const env = {
    HTTPS_PROXY: 'http://env:3128',
    https_proxy: 'http://env:3128',
    NO_PROXY: 'corp.test',
    ALL_PROXY: 'socks5://x',
  };
  it('leaves the environment alone when the diagnosis used it (NO_PROXY included)', () => {
    expect(proofEnv(env, undefined)).toBe(env);
  });
  it('puts --proxy where every client reads it', () => {
    expect(proofEnv(env, 'http://127.0.0.1:3128')).toEqual({
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      NO_PROXY: 'corp.test',
    });
  });
  it('drops the proxy variables for --no-proxy', () => {
    expect(proofEnv(env, null)).toEqual({ NO_PROXY: 'corp.test' });
  });
});
