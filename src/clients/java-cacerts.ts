/**
 * `fix --java-cacerts`: the chosen roots imported into the keystore this JDK trusts by default, instead of a
 * truststore of certifix's named in JAVA_TOOL_OPTIONS (java.ts), for JVMs started without the user's
 * environment (services, IDEs launched from a desktop file, build agents).
 *
 * Which file: the one the JSSE loads when javax.net.ssl.trustStore is unset: <java.home>/lib/security/
 * jssecacerts when it exists, else cacerts (TrustStoreManager.TrustStoreDescriptor.createInstance,
 * https://github.com/openjdk/jdk/blob/master/src/java.base/share/classes/sun/security/ssl/TrustStoreManager.java;
 * JSSE Reference Guide, "The X509TrustManager Interface",
 * https://docs.oracle.com/en/java/javase/17/security/java-secure-socket-extension-jsse-reference-guide.html),
 * java.home being the JDK the `java` binary belongs to (java.ts javaHome()).
 *
 * Debian's JDKs link lib/security/cacerts to /etc/ssl/certs/java/cacerts, which ca-certificates-java keeps
 * (https://salsa.debian.org/java-team/ca-certificates-java, password from /etc/default/cacerts, `changeit` by
 * default: core/debian-storepass.ts reads it, apply/cacerts.ts tries it). certifix writes the link's target, the file every Debian JDK reads, and leaves the link as it is:
 * replacing the link with a file would cut this JDK off from the OS's updates. The hook rewrites that file when
 * the OS store changes; `status` then reports it changed, and `undo` leaves such a file alone.
 */
import { dirname, join } from 'node:path';
import type { Plan } from '../core/plan.ts';
import type { Context, Installation } from '../types.ts';
import { envProp, PROP } from './java-options.ts';

/** The file of chosen roots fix writes next to the bundle (fix/plan.ts rootsPath). */
const ROOTS_NAME = 'roots.pem';

/** A store password the user gives certifix for a keystore whose password is not the JDK's default (the only one tried then). */
const STOREPASS_VAR = 'CERTIFIX_JAVA_STOREPASS';

export function cacertsPlan(inst: Installation, bundlePath: string, ctx: Pick<Context, 'env'>): Plan {
  const store = inst.details?.defaultStore ?? inst.details?.cacerts ?? '';
  const home = inst.details?.javaHome ?? dirname(dirname(inst.path));
  const password = ctx.env[STOREPASS_VAR];
  const named = envProp(ctx, PROP.store);
  return {
    owner: 'java',
    summary: `Import the chosen roots this keystore lacks into ${store} (the keystore this JDK trusts by default) with its keytool, as certifix-<sha256 prefix> entries; its current bytes are saved first in certifix's journal (${dirname(bundlePath)}) and \`certifix undo\` writes them back.`,
    changes: [
      {
        kind: 'cacerts',
        path: store,
        from: [join(dirname(bundlePath), ROOTS_NAME)],
        keytool: join(home, 'bin', 'keytool'),
        ...(password ? { password } : {}),
      },
    ],
    notes: [
      'No variable is set: every JVM of this JDK trusts the roots, with or without your environment.',
      ...(named && named.value !== 'NONE'
        ? [
            `${named.variable} names its own trust store (${named.value}), which a JVM reads instead of ${store}: those JVMs do not see this import.`,
          ]
        : []),
      'A JDK update may replace the file; run `certifix fix --java-cacerts` again then.',
    ],
  };
}
