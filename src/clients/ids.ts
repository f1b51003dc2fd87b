/**
 * Every client's id, in the order reports list them (registry.ts's CLIENTS, which a test keeps equal): what
 * validating `--client` and reading a kept resolution need, without loading the adapters.
 */
import type { ClientId } from '../types.ts';

export const CLIENT_IDS: readonly ClientId[] = [
  'python-requests',
  'python-ssl',
  'pip',
  'curl',
  'git',
  'node',
  'npm',
  'httpx',
  'aiohttp',
  'urllib3',
  'boto3',
  'wget',
  'ruby',
  'go',
  'cargo',
  'php',
  'conda',
  'uv',
  'poetry',
  'pipenv',
  'pdm',
  'httplib2',
  'grpc',
  'composer',
  'java',
  'yarn',
  'pnpm',
  'maven',
  'gradle',
  'gcloud',
  'deno',
  'bun',
  'vscode',
  'docker',
  'az',
];

const known = new Set<string>(CLIENT_IDS);

export function isClientId(id: string): id is ClientId {
  return known.has(id);
}
