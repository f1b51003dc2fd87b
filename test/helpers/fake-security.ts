/**
 * macOS's `security` tool, answering from the recordings in test/stores/fixtures (README there cites each) as
 * security(1) does: `find-certificate -a -p [keychain]` prints PEM, `trust-settings-export [-d] FILE` writes the
 * domain's trust record to FILE or says "No Trust Settings were found." (exit 1), `dump-trust-settings [-d]`
 * prints the listing. It cannot run here, so the stores' tests run it like this.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from '../../src/types.ts';

export const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', 'stores', 'fixtures', name), 'utf8');

type Domain = 'user' | 'admin';

export interface SecurityAnswers {
  /** The login keychain's (default search list's) PEM; SystemRootCertificates and System.keychain: fixtures. */
  login?: string;
  /** Per domain: a fixture to export, `none` (the domain is empty) or `fail` (the file cannot be written). */
  export?: Partial<Record<Domain, string | 'none' | 'fail'>>;
  /** Per domain: a `dump-trust-settings` fixture; empty when absent. */
  dump?: Partial<Record<Domain, string>>;
}

const NONE = (what: string) => ({ code: 1, stdout: '', stderr: `${what}: No Trust Settings were found.\n` });

/** A Runner playing `security`; `files` lists the paths trust-settings-export was asked to write. */
export function fakeSecurity(answers: SecurityAnswers = {}): Runner & { files: string[] } {
  const files: string[] = [];
  const run: Runner = async (cmd, args) => {
    const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
    if (cmd !== 'security') return { code: 127, stdout: '', stderr: `${cmd}: not found` };
    const domain: Domain = args.includes('-d') ? 'admin' : 'user';
    if (args[0] === 'find-certificate') {
      const keychain = args[3] ?? '';
      if (keychain.includes('SystemRootCertificates'))
        return ok(fixture('security-find-certificate-system-roots.txt'));
      if (keychain === '/Library/Keychains/System.keychain')
        return ok(fixture('security-find-certificate-system-keychain.txt'));
      return ok(answers.login ?? '');
    }
    if (args[0] === 'trust-settings-export') {
      const file = args.at(-1) ?? '';
      files.push(file);
      const answer = answers.export?.[domain] ?? 'none';
      if (answer === 'none') return NONE('SecTrustSettingsCreateExternalRepresentation');
      if (answer === 'fail') return { code: 1, stdout: '', stderr: `Error (13) writing ${file}.\n` };
      writeFileSync(file, fixture(answer));
      return ok('...Trust Settings exported successfully.\n');
    }
    if (args[0] === 'dump-trust-settings') {
      const name = answers.dump?.[domain];
      return name ? ok(fixture(name)) : NONE('SecTrustSettingsCopyCertificates');
    }
    return { code: 2, stdout: '', stderr: `security: unknown command "${args[0]}"` };
  };
  return Object.assign(run, { files });
}

/** The admin domain as recorded in 2017 ("Never Trust" on AddTrust Class 1 CA Root), the user domain empty. */
export const ADMIN_2017: SecurityAnswers = {
  export: { admin: 'security-trust-settings-export-certmanage-2017.plist' },
};
