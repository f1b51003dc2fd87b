/**
 * pipenv: installs through pip and talks to indexes through pip's vendored requests, so its CAs are pip's
 * (https://pipenv.pypa.io/en/latest/ "pipenv uses pip"; pip.ts): REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE ›
 * certifi of pipenv's interpreter for its own requests (Session.merge_environment_settings,
 * https://github.com/psf/requests/blob/main/src/requests/sessions.py), PIP_CERT / pip.conf `cert` for the
 * pip it runs. REQUESTS_CA_BUNDLE covers both (pip's session is requests'), so that is what fix sets.
 */
import { pythonTool, toolRequestsTrust } from './tool-python.ts';

export const pipenv = pythonTool({
  id: 'pipenv',
  trust: toolRequestsTrust,
  planWhy: "pipenv's requests and the pip it runs both read it.",
  probe:
    'import sys, requests\nr = requests.get(sys.argv[1], timeout=20, allow_redirects=False)\nprint("HTTP_STATUS", r.status_code)',
});
