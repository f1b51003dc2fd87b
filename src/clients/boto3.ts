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
import { configparser } from '../formats/ini.ts';
import { envOf } from '../host-files.ts';
import type { Context } from '../types.ts';
import { certifiOf, profileFor, pythonLib } from './python-lib.ts';
import { firstSetting, keyIn } from './source.ts';

/** The AWS config file botocore reads: AWS_CONFIG_FILE, else ~/.aws/config. */
function awsConfigFile(ctx: Pick<Context, 'env' | 'home'>): string {
  return envOf(ctx, 'AWS_CONFIG_FILE') ?? join(ctx.home, '.aws', 'config');
}

/** `ca_bundle` of the active profile (AWS_PROFILE, else `default`), read as configparser reads it. */
function awsConfigCaBundle(ctx: Context) {
  const profile = envOf(ctx, 'AWS_PROFILE') ?? envOf(ctx, 'AWS_DEFAULT_PROFILE') ?? 'default';
  const section = profile === 'default' ? 'default' : `profile ${profile}`;
  return keyIn(ctx, [awsConfigFile(ctx)], configparser, section, 'ca_bundle');
}

export const boto3 = pythonLib({
  id: 'boto3',
  pkg: 'botocore',

  async trust(py, inst, ctx) {
    const profile = profileFor(py);
    return firstSetting(ctx, profile, [{ env: 'AWS_CA_BUNDLE' }, { read: awsConfigCaBundle }], async () => {
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
    });
  },

  plan(_inst, bundlePath, ctx) {
    const file = awsConfigFile(ctx);
    return {
      owner: 'boto3',
      summary: `Set AWS_CA_BUNDLE, and ca_bundle in ${file} [default], to the merged bundle: botocore (boto3, AWS CLI) uses them.`,
      changes: [
        // https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html#envvars-list-AWS_CA_BUNDLE
        { kind: 'env', name: 'AWS_CA_BUNDLE', value: bundlePath },
        // The config file also reaches programs started without a login shell (IDEs, cron, services):
        // https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html#cli-configure-files-settings (ca_bundle)
        {
          kind: 'keyfile',
          format: 'configparser',
          path: file,
          section: 'default',
          key: 'ca_bundle',
          value: bundlePath,
        },
      ],
      notes: [
        'AWS_CA_BUNDLE wins over ca_bundle; a named profile ([profile NAME]) reads only its own ca_bundle.',
      ],
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
