/**
 * pipenv: installs through pip and talks to indexes through pip's vendored requests, so its CAs are pip's
 * (https://pipenv.pypa.io/en/latest/ "pipenv uses pip"; pip.ts): REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE ›
 * certifi of pipenv's interpreter for its own requests (Session.merge_environment_settings,
 * https://github.com/psf/requests/blob/main/src/requests/sessions.py), PIP_CERT / pip.conf `cert` for the
 * pip it runs. REQUESTS_CA_BUNDLE covers both (pip's session is requests'), so that is what fix sets.
 */
import { profileOf, pythonFromDetails } from './python.ts';
import { requestsTrust } from './python-requests.ts';
import { renderFor } from './stacks.ts';
import { detectTool, requestsBundlePlan, runInTool } from './tool-python.ts';
import type { Client } from './types.ts';

export const pipenv: Client = {
  id: 'pipenv',
  detect: (ctx) => detectTool('pipenv', 'pipenv', ctx),

  async trust(inst, ctx) {
    const py = pythonFromDetails(inst.details);
    return requestsTrust(ctx, py ? profileOf(py) : 'openssl', inst.details?.certifi, 'pipenv');
  },

  render: (v, host, port, inst, detail) => renderFor('pipenv', v, host, port, inst, detail),

  plan: (_inst, bundlePath) =>
    requestsBundlePlan('pipenv', bundlePath, "pipenv's requests and the pip it runs both read it."),

  check: (inst, url, ctx) =>
    runInTool(
      inst,
      'import sys, requests\nr = requests.get(sys.argv[1], timeout=20, allow_redirects=False)\nprint("HTTP_STATUS", r.status_code)',
      url,
      ctx,
    ),
};
