/** All client adapters, indexed by id; a duplicate id is a programming error (httptoolkit buildInterceptors). */

import type { ClientId } from '../types.ts';
import { aiohttp } from './aiohttp.ts';
import { az } from './az.ts';
import { boto3 } from './boto3.ts';
import { bun } from './bun.ts';
import { cargo } from './cargo.ts';
import { composer } from './composer.ts';
import { conda } from './conda.ts';
import { curl } from './curl.ts';
import { deno } from './deno.ts';
import { docker } from './docker.ts';
import { gcloud } from './gcloud.ts';
import { git } from './git.ts';
import { go } from './go.ts';
import { gradle } from './gradle.ts';
import { grpc } from './grpc.ts';
import { httplib2 } from './httplib2.ts';
import { httpx } from './httpx.ts';
import { java } from './java.ts';
import { maven } from './maven.ts';
import { node } from './node.ts';
import { npm } from './npm.ts';
import { pdm } from './pdm.ts';
import { php } from './php.ts';
import { pip } from './pip.ts';
import { pipenv } from './pipenv.ts';
import { pnpm } from './pnpm.ts';
import { poetry } from './poetry.ts';
import { pythonRequests } from './python-requests.ts';
import { pythonSsl } from './python-ssl.ts';
import { ruby } from './ruby.ts';
import type { Client } from './types.ts';
import { urllib3 } from './urllib3.ts';
import { uv } from './uv.ts';
import { vscode } from './vscode.ts';
import { wget } from './wget.ts';
import { yarn } from './yarn.ts';

export class ClientRegistry {
  private readonly byId = new Map<ClientId, Client>();
  constructor(clients: readonly Client[]) {
    for (const c of clients) {
      if (this.byId.has(c.id)) throw new Error(`duplicate client id: ${c.id}`);
      this.byId.set(c.id, c);
    }
  }
  get(id: ClientId): Client | undefined {
    return this.byId.get(id);
  }
  list(): Client[] {
    return [...this.byId.values()];
  }
  ids(): ClientId[] {
    return [...this.byId.keys()];
  }
}

/** Every adapter, in the order reports list them. */
export const CLIENTS: readonly Client[] = [
  pythonRequests,
  pythonSsl,
  pip,
  curl,
  git,
  node,
  npm,
  httpx,
  aiohttp,
  urllib3,
  boto3,
  wget,
  ruby,
  go,
  cargo,
  php,
  conda,
  uv,
  poetry,
  pipenv,
  pdm,
  httplib2,
  grpc,
  composer,
  java,
  yarn,
  pnpm,
  maven,
  gradle,
  gcloud,
  deno,
  bun,
  vscode,
  docker,
  az,
];

export const registry = new ClientRegistry(CLIENTS);
