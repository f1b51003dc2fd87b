/**
 * The JVM's option variables and the JSSE trust-store properties they can carry.
 * - JAVA_TOOL_OPTIONS is read by every JVM at start (JVMTI spec,
 *   https://docs.oracle.com/en/java/javase/17/docs/specs/jvmti.html#tooloptions), JDK_JAVA_OPTIONS only by the
 *   `java` launcher of JDK 9+, its options placed before the command line's
 *   (https://docs.oracle.com/en/java/javase/17/docs/specs/man/java.html#using-the-jdk_java_options-launcher-environment-variable),
 *   and _JAVA_OPTIONS after everything. A system property given twice takes the last value, so the order
 *   is JAVA_TOOL_OPTIONS < JDK_JAVA_OPTIONS < command line < _JAVA_OPTIONS.
 * - hotspot splits them at white space, and a token may hold '…' or "…" quoted parts, the quotes removed
 *   (Arguments::parse_options_buffer, https://github.com/openjdk/jdk/blob/master/src/hotspot/share/runtime/arguments.cpp);
 *   it prints `Picked up JAVA_TOOL_OPTIONS: <value>` on stderr first (parse_options_environment_variable).
 */
import type { Context } from '../types.ts';

/** The order the JVM applies them in; later wins (see above). */
const OPTION_VARIABLES = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS'] as const;

/**
 * The JSSE's default trust store: javax.net.ssl.trustStore if the file is readable, else
 * $JAVA_HOME/lib/security/jssecacerts (only when the property is unset), else cacerts; type from
 * javax.net.ssl.trustStoreType, else KeyStore.getDefaultType(); the password is used only when given
 * (TrustStoreManager.TrustStoreDescriptor.createInstance,
 * https://github.com/openjdk/jdk/blob/master/src/java.base/share/classes/sun/security/ssl/TrustStoreManager.java).
 */
export const PROP = {
  store: 'javax.net.ssl.trustStore',
  type: 'javax.net.ssl.trustStoreType',
  password: 'javax.net.ssl.trustStorePassword',
} as const;

/** hotspot's tokens, quotes kept: white space separates them, a quoted part may hold white space. */
function rawTokens(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else if (ch === '"' || ch === "'") {
      const end = value.indexOf(ch, i + 1);
      const stop = end === -1 ? value.length - 1 : end;
      cur += value.slice(i, stop + 1);
      i = stop;
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const unquote = (t: string) => t.replace(/"([^"]*)"?|'([^']*)'?/g, (_, a, b) => a ?? b ?? '');

/** The options as the JVM gets them: split at white space, quotes removed. */
export function splitOptions(value: string): string[] {
  return rawTokens(value).map(unquote);
}

/** `-Dname=value` tokens' last value for `name`, or undefined. */
export function sysProp(tokens: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const t of tokens) if (t.startsWith(`-D${name}=`)) found = t.slice(name.length + 3);
  return found;
}

/** Every option token the JVM gets from the environment, in the order it applies them, with its variable. */
function envOptions(ctx: Pick<Context, 'env'>): Array<{ variable: string; token: string }> {
  return OPTION_VARIABLES.flatMap((variable) =>
    splitOptions(ctx.env[variable] ?? '').map((token) => ({ variable, token })),
  );
}

/** The last `-Dname=` among the option variables, with the variable that set it. */
export function envProp(ctx: Pick<Context, 'env'>, name: string): { variable: string; value: string } | null {
  let found: { variable: string; value: string } | null = null;
  for (const { variable, token } of envOptions(ctx)) {
    const v = sysProp([token], name);
    if (v !== undefined) found = { variable, value: v };
  }
  return found;
}

/** A token hotspot reads back as `-Dname=value`: quoted when the value has white space. */
export function propToken(name: string, value: string): string {
  if (!/[\s'"]/.test(value)) return `-D${name}=${value}`;
  return value.includes('"') ? `'-D${name}=${value}'` : `"-D${name}=${value}"`;
}

/**
 * JAVA_TOOL_OPTIONS with the trust store set to `store`: the user's own options kept in order, a trust store
 * certifix set earlier dropped, and ours appended (last wins). Undo removes certifix's block, which gives the
 * user's own value back exactly.
 */
export function withTrustStore(current: string | undefined, store: string): string {
  const kept = rawTokens(current ?? '').filter((t) => sysProp([unquote(t)], PROP.store) !== store);
  return [...kept, propToken(PROP.store, store)].join(' ');
}
