/**
 * boto3 / botocore (and the AWS CLI v1, which is botocore): the CA file is `ca_bundle` from AWS_CA_BUNDLE,
 * else `ca_bundle` in the profile's section of the config file (configprovider.py
 * `'ca_bundle': ('ca_bundle', 'AWS_CA_BUNDLE', None, None)`,
 * https://github.com/boto/botocore/blob/develop/botocore/configprovider.py), else certifi's `where()` when
 * certifi is importable, else botocore's own cacert.pem (httpsession.py `get_cert_path`,
 * https://github.com/boto/botocore/blob/develop/botocore/httpsession.py). Each replaces the others.
 * Config file: AWS_CONFIG_FILE or ~/.aws/config; profile AWS_PROFILE, section `[default]` or `[profile NAME]`
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html).
 */
import { join } from 'node:path';
import { envOf, expand, readText } from '../host-files.ts';
import type { Context } from '../types.ts';
import { parseIni } from './ini.ts';
import { certifiOf, profileFor, pythonLib } from './python-lib.ts';
import { pathSource } from './source.ts';

/** `ca_bundle` of the active profile in the AWS config file, with the file it came from. */
export async function awsConfigCaBundle(ctx: Context): Promise<{ file: string; value: string } | null> {
  const file = envOf(ctx, 'AWS_CONFIG_FILE') ?? join(ctx.home, '.aws', 'config');
  const text = await readText(expand(file, ctx));
  if (!text) return null;
  const profile = envOf(ctx, 'AWS_PROFILE') ?? envOf(ctx, 'AWS_DEFAULT_PROFILE') ?? 'default';
  const section = parseIni(text).get(profile === 'default' ? 'default' : `profile ${profile}`);
  const value = section?.get('ca-bundle');
  return value ? { file, value: expand(value, ctx) } : null;
}

export const boto3 = pythonLib({
  id: 'boto3',
  pkg: 'botocore',

  async trust(py, inst, ctx) {
    const profile = profileFor(py);
    const env = envOf(ctx, 'AWS_CA_BUNDLE');
    if (env)
      return pathSource(env, { source: 'env', via: 'AWS_CA_BUNDLE', profile, why: 'AWS_CA_BUNDLE is set.' });
    const conf = await awsConfigCaBundle(ctx);
    if (conf)
      return pathSource(conf.value, {
        source: 'config',
        via: `${conf.file} ca_bundle`,
        profile,
        why: `${conf.file} sets ca_bundle.`,
      });
    const certifi = await certifiOf(py);
    const own = join(inst.path, 'cacert.pem');
    return {
      source: 'certifi',
      path: certifi ?? own,
      files: [certifi ?? own],
      dirs: [],
      profile,
      why: certifi
        ? 'botocore uses certifi when no ca_bundle is configured.'
        : 'botocore uses its own cacert.pem when no ca_bundle is configured and certifi is missing.',
    };
  },

  plan(_inst, bundlePath) {
    return {
      owner: 'boto3',
      summary: 'Set AWS_CA_BUNDLE to the merged bundle: botocore (boto3, AWS CLI) uses it for every profile.',
      // https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html#envvars-list-AWS_CA_BUNDLE
      changes: [{ kind: 'env', name: 'AWS_CA_BUNDLE', value: bundlePath }],
      notes: ['AWS_CA_BUNDLE wins over ca_bundle in ~/.aws/config.'],
    };
  },

  probe: [
    'import sys, boto3, botocore.config, botocore.exceptions as E',
    'c = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="certifix",',
    '    aws_secret_access_key="certifix", config=botocore.config.Config(retries={"total_max_attempts": 1}))',
    'try:',
    '    c.list_buckets()',
    '    print("HTTP_STATUS", 200)',
    'except E.ClientError as e:',
    '    print("HTTP_STATUS", e.response["ResponseMetadata"]["HTTPStatusCode"])',
  ].join('\n'),
});
