/**
 * Azure CLI (az): a Python program whose HTTP, its own and MSAL's sign-in, goes through requests ("Azure CLI
 * relies on the requests python package, which allows users to set custom CA bundle paths through two
 * environment variables: CURL_CA_BUNDLE and REQUESTS_CA_BUNDLE", https://github.com/Azure/azure-cli/pull/21807;
 * https://learn.microsoft.com/cli/azure/use-azure-cli-successfully-troubleshooting#work-behind-a-proxy). So its
 * store is REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › the certifi of the Python it runs on: Debian's package runs
 * /usr/bin/python3 with Debian's certifi (the OS bundle); the Windows MSI runs its bundled Python, whose
 * certifi is C:\Program Files (x86)\Microsoft SDKs\Azure\CLI2\Lib\site-packages\certifi\cacert.pem
 * (https://github.com/Azure/azure-cli/issues/20921), Homebrew's its own Python's. AZURE_CLI_DISABLE_CONNECTION_VERIFICATION
 * turns verification off (azure/cli/core/util.py `should_disable_connection_verify`). A bundled Python 3.13
 * (az 2.77 on Windows) rejects a company root without Authority Key Identifier even when REQUESTS_CA_BUNDLE
 * names it ("Missing Authority Key Identifier", https://github.com/Azure/azure-cli/issues/32206): the profile
 * of the interpreter says so.
 * fix sets REQUESTS_CA_BUNDLE, which every requests Session of az (and of MSAL) reads.
 */
import type { Verdict } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { inTempDir, runVerdict } from './on-path.ts';
import { pythonTool, toolRequestsTrust } from './tool-python.ts';

/**
 * `az rest` reports the server's HTTP answer as `ERROR: Not Found(<body>)` (measured, az 2.45): TLS was fine.
 * A TLS failure is requests' `HTTPSConnectionPool(...) (Caused by SSLError(...))` line.
 */
function azVerdict(output: string, code: number | null): Verdict {
  const v = verdictFromOutput(output, code);
  if (v.ok || v.code !== 'UNKNOWN' || /HTTPSConnectionPool|SSLError/.test(output)) return v;
  return /^ERROR: [A-Z][A-Za-z ]+\(/m.test(output) ? { ok: true, code: 'OK', message: 'ok' } : v;
}

export const az = pythonTool({
  id: 'az',

  async trust(inst, ctx) {
    const s = await toolRequestsTrust(inst, ctx);
    return ctx.env.AZURE_CLI_DISABLE_CONNECTION_VERIFICATION
      ? {
          ...s,
          warnings: [
            ...(s.warnings ?? []),
            'AZURE_CLI_DISABLE_CONNECTION_VERIFICATION is set: az does not verify certificates',
          ],
        }
      : s;
  },

  planWhy: "every requests Session of az, MSAL's sign-in included, reads it.",

  // The real az sends one GET to the URL (`az rest` without a token), with a throwaway config directory.
  async check(inst, url, ctx) {
    return inTempDir('az', async (dir) => {
      const env = {
        ...ctx.env,
        AZURE_CONFIG_DIR: dir,
        AZURE_CORE_COLLECT_TELEMETRY: '0',
        AZURE_CORE_NO_COLOR: '1',
      };
      const args = ['rest', '--method', 'get', '--url', url, '--skip-authorization-header'];
      return runVerdict(ctx, inst.path, args, { env, timeoutMs: 120_000 }, azVerdict);
    });
  },
});
