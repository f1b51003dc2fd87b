/**
 * Plans are plain data: adapters describe what they would change; `apply/` is the one executor.
 * That gives `--dry-run`, readable tests of plans, and one place for atomic writes and the journal.
 */
export type Change =
  /** Create or replace a whole file that certifix owns (the merged bundle, a fish conf.d file). */
  | { kind: 'file'; path: string; content: string; mode?: number }
  /** An environment variable for new shells and sessions (gathered into the managed profile blocks). */
  | { kind: 'env'; name: string; value: string }
  /** Set `key = value` in an INI file section (pip.conf), creating file and section as needed. */
  | { kind: 'ini'; path: string; section: string; key: string; value: string }
  /** Set `key=value` in an npmrc-style file. */
  | { kind: 'npmrc'; path: string; key: string; value: string }
  /** Set a key in a git config file (`~/.gitconfig`), e.g. `http.sslCAInfo`. */
  | { kind: 'gitconfig'; path: string; key: string; value: string }
  /** Set one key in a `key = value` file of a named format (src/formats/key-formats.ts); section null: top level. */
  | { kind: 'keyfile'; format: KeyFormat; path: string; section: string | null; key: string; value: string }
  /**
   * A Java truststore (JKS, trusted-certificate entries) built when the plan is applied, from the keystores
   * (JKS or PKCS#12) and PEM files in `from`: every certificate, in order, each once. Its inputs may be
   * written by the same run (the merged bundle), so the plan names them instead of holding bytes; `--dry-run`
   * lists the entries it would hold. Journaled and undone like a `file` (core/keystore.ts, apply/keystore.ts).
   */
  | {
      kind: 'keystore';
      path: string;
      from: string[];
      /**
       * The store password the JVM checks the file's integrity with: javax.net.ssl.trustStorePassword when
       * the user's options name one (a JKS loaded with another password fails, and with it every TLS
       * connection of the JVM), else keytool's default `changeit`.
       */
      password?: string;
      /**
       * With `password`: the JDK's keytool, which reads the certificates of a PKCS#12 input whose parts are
       * encrypted with that password (keytool's default for a store it creates) for certifix to copy.
       */
      keytool?: string;
    }
  /**
   * Import the roots in the PEM files `from` into an existing JDK keystore (`cacerts`, asked for with
   * `fix --java-cacerts`), with that JDK's own `keytool` on a private copy: each root the store lacks becomes
   * a trusted entry `certifix-<sha256 prefix>`, every entry the store had is kept. The file's original bytes
   * are journaled like any file's and `undo` puts them back (apply/cacerts.ts).
   */
  | { kind: 'cacerts'; path: string; from: string[]; keytool: string; password?: string };

/** The key-value file formats a `keyfile` change may edit, each a dialect in src/formats/key-formats.ts. */
export type KeyFormat = 'wgetrc' | 'configparser' | 'yarnrc' | 'condarc' | 'properties';

export interface Plan {
  /** The client this plan configures, or 'certifix' for shared steps (bundle, shell blocks). */
  owner: string;
  /** One sentence for humans: what and why. */
  summary: string;
  changes: Change[];
  /** Things the user should know (e.g. "takes effect in new shells"). */
  notes?: string[];
}
