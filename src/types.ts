/**
 * The types every layer above core shares: who a client is (ClientId, Installation), how programs run and
 * what may be looked at (Runner, Context), where a client takes its CAs from (TrustSource) and what it
 * answered (Verdict). They live at the bottom so that stores/, net/ and apply/ need not import clients/.
 */
import type { Cert } from './core/cert.ts';
import type { Profile } from './core/verify/types.ts';

export type ClientId =
  | 'python-requests'
  | 'python-ssl'
  | 'pip'
  | 'curl'
  | 'git'
  | 'node'
  | 'npm'
  | 'httpx'
  | 'aiohttp'
  | 'urllib3'
  | 'boto3'
  | 'wget'
  | 'ruby'
  | 'go'
  | 'cargo'
  | 'php'
  | 'conda'
  | 'uv'
  | 'poetry'
  | 'pipenv'
  | 'pdm'
  | 'httplib2'
  | 'grpc'
  | 'composer'
  | 'gcloud'
  | 'az'
  | 'deno'
  | 'bun'
  | 'yarn'
  | 'pnpm'
  | 'docker'
  | 'vscode'
  | 'java'
  | 'maven'
  | 'gradle';

/** Runs a program. Tests swap it for one that runs inside a sandbox (clean env, masked configs). */
export type Runner = (
  cmd: string,
  args: readonly string[],
  opts?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string },
) => Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when certifix stopped the program at its time limit (stderr's last line then says so). */
  stopped?: true | undefined;
}>;

/** Everything an adapter may look at. Never read process.env or os.homedir() directly: use this. */
export interface Context {
  env: NodeJS.ProcessEnv;
  home: string;
  cwd: string;
  platform: NodeJS.Platform;
  run: Runner;
  /**
   * Prefix for system-wide paths (`/etc/pip.conf`, `/etc/gitconfig`, `/usr/etc/npmrc`, distro CA bundles).
   * Unset in production; tests point it at a temporary directory so the machine's own files never leak in.
   */
  sysroot?: string | undefined;
  /** Python interpreters named with `--python PATH`, looked at besides the ones found (python-envs.ts). */
  pythons?: readonly string[] | undefined;
  /**
   * Which Python environments the adapters look at: 'path' (default: PATH, conda, --python: what fix
   * configures and check runs) or 'all' (also every pyenv version and project .venv: diagnose's rows).
   */
  pythonScope?: 'path' | 'all' | undefined;
  /**
   * The server being diagnosed or checked, for a client whose store depends on it: the Docker daemon adds
   * the roots in certs.d/<host[:port]> for that registry only (docker.ts).
   */
  target?: { host: string; port: number } | undefined;
  /** Container registries named with `--registry HOST[:PORT]`: where fix adds the Docker daemon's roots. */
  registries?: readonly string[] | undefined;
  /** `fix --java-cacerts`: import the roots into the JDK's own cacerts instead of a truststore of certifix's. */
  javaCacerts?: boolean | undefined;
}

/** One installed copy of a client. */
export interface Installation {
  client: ClientId;
  /** The executable (or the module's directory for libraries such as requests). */
  path: string;
  version?: string | undefined;
  /** Adapter-specific facts: python executable, site-packages, ... */
  details?: Record<string, string>;
}

/** Where a client takes its CAs from *now*, and why. */
export interface TrustSource {
  /** Short label: 'certifi', 'env', 'config', 'system', 'bundled', 'bundled+extra', 'system+certifi', ... */
  source: string;
  /** The variable or config key that chose this store, if any: `REQUESTS_CA_BUNDLE`, `npm cafile`. */
  via?: string | undefined;
  /** The main CA file (for JSON and humans), or null when the store has no single file. */
  path: string | null;
  /** CA files (PEM bundles) loaded, in order. */
  files: string[];
  /** OpenSSL hashed directories (c_rehash) that are searched. */
  dirs: string[];
  /** Node's bundled Mozilla roots are included. */
  bundled?: boolean;
  /** How the client verifies: OpenSSL profile used for the verdict. */
  profile: Profile;
  /** One sentence: why this is the store ("REQUESTS_CA_BUNDLE is set", "pip 23.2 uses certifi"). */
  why: string;
  /** Problems found while resolving (a file that does not exist, ...). */
  warnings?: string[];
  /**
   * Modes in which this client ignores the settings certifix makes (`status` shows them): "in a Yarn 2+
   * project ~/.yarnrc is not read", "the Docker daemon, not the CLI, verifies registries".
   */
  ignores?: string[];
  /**
   * Set when no per-user setting reaches this store, only the OS store itself does (Debian's urllib3 loads the
   * OS bundle by its path): what to do instead, in the user's words. `fix` does not configure such a client.
   */
  onlyOsStore?: string;
}

/** The result of running (or predicting) a client against a URL. */
export interface Verdict {
  ok: boolean;
  /** X509_V_ERR suffix ('OK' when ok): SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ... */
  code: string;
  /** The reason as OpenSSL words it: 'self-signed certificate in certificate chain'. */
  message: string;
  /** The line the client itself prints, e.g. Python's `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ...`. */
  printed?: string | undefined;
}

/** What some clients quote when they print a failure: the URL, the server's certificate and the store. */
export interface RenderDetail {
  url: string;
  leaf: Cert;
  trust?: TrustSource | undefined;
}
