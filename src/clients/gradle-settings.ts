/**
 * Where a Gradle build takes its trust store from, besides the JVM's own options (java-options.ts).
 *
 * The build runs in a daemon JVM that the `gradle`/`gradlew` client JVM starts (or reuses):
 * - the client JVM gets `$DEFAULT_JVM_OPTS $JAVA_OPTS $GRADLE_OPTS` on its command line, GRADLE_OPTS last
 *   (`"$DEFAULT_JVM_OPTS $JAVA_OPTS $GRADLE_OPTS"` in the start scripts, https://github.com/gradle/gradle/blob/master/gradlew);
 *   javax.net.ssl.* properties it has are "immutable daemon properties": the daemon is started with them,
 *   and one started with others is not reused (DaemonJvmOptions.IMMUTABLE_DAEMON_SYSTEM_PROPERTIES,
 *   https://github.com/gradle/gradle/blob/v7.6.0/subprojects/launcher/src/main/java/org/gradle/launcher/daemon/configuration/DaemonJvmOptions.java).
 * - `org.gradle.jvmargs` is the daemon's command line, so a -D there comes after JAVA_TOOL_OPTIONS and wins
 *   (_JAVA_OPTIONS still comes after it). Like every Gradle property it is read from the installation's
 *   gradle.properties, then the root project's, then $GRADLE_USER_HOME's (default ~/.gradle), a later file
 *   winning (LayoutToPropertiesConverter.convert,
 *   https://github.com/gradle/gradle/blob/v7.6.0/subprojects/launcher/src/main/java/org/gradle/launcher/cli/converter/LayoutToPropertiesConverter.java).
 * - `systemProp.<name>` in those files, same precedence (user home > root project > installation,
 *   https://docs.gradle.org/current/userguide/build_environment.html#sec:gradle_system_properties and
 *   https://docs.gradle.org/current/kotlin-dsl/gradle/org.gradle.api.provider/-provider-factory/gradle-property.html),
 *   is set as a system property when the build starts, over what the command line said. Gradle's own HTTP
 *   client reads javax.net.ssl.* at each request, keyed on their current values (DefaultSslContextFactory,
 *   https://github.com/gradle/gradle/blob/v7.6.0/subprojects/resources-http/src/main/java/org/gradle/internal/resource/transport/http/DefaultSslContextFactory.java),
 *   so for dependency downloads a systemProp wins over every JVM option.
 * - the wrapper (`gradlew`) downloads distributionUrl in the client JVM after applying systemProp.* from the
 *   root project's gradle.properties and then $GRADLE_USER_HOME's, user home winning
 *   (https://github.com/gradle/gradle/blob/master/platforms/core-runtime/wrapper-main/src/main/java/org/gradle/wrapper/GradleWrapperMain.java);
 *   older wrapper jars applied them the other way round, the project's winning
 *   (https://github.com/gradle/gradle/blob/v6.9.0/subprojects/wrapper/src/main/java/org/gradle/wrapper/GradleWrapperMain.java).
 * The root project is the nearest directory upwards holding settings.gradle(.kts), else the current one.
 */
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { getKey } from '../formats/keyfile.ts';
import { properties } from '../formats/properties.ts';
import { envOf, isFile, readText } from '../host-files.ts';
import type { Context } from '../types.ts';
import { envProp, PROP, splitOptions, sysProp } from './java-options.ts';

/** certifix's truststore for Gradle, next to the merged bundle (java.ts keeps `java-truststore.jks` there). */
export const GRADLE_TRUSTSTORE = 'gradle-truststore.jks';

/** The key fix writes in the user's gradle.properties. */
export const SYSTEM_PROP_STORE = `systemProp.${PROP.store}`;

/** One place that names a javax.net.ssl property for the build, lowest precedence first in lists. */
export interface Setting {
  /** `GRADLE_OPTS`, `<file> org.gradle.jvmargs`, `<file> systemProp.javax.net.ssl.trustStore`. */
  via: string;
  value: string;
  kind: 'opts' | 'jvmargs' | 'systemProp';
}

/** The gradle.properties files Gradle reads, lowest precedence first, and the root project. */
interface GradleFiles {
  root: string;
  /** $GRADLE_USER_HOME/gradle.properties: where fix writes. */
  user: string;
  files: string[];
}

/**
 * The Gradle user home, whose gradle.properties wins over a project's, as the `gradle`/`gradlew` client JVM
 * finds it: the system property gradle.user.home, else $GRADLE_USER_HOME, else ~/.gradle
 * (GradleUserHomeLookup.gradleUserHome, https://github.com/gradle/gradle/blob/master/platforms/core-runtime/wrapper-shared/src/main/java/org/gradle/wrapper/GradleUserHomeLookup.java,
 * and the launcher's BuildLayoutParameters.findGradleUserHomeDir alike; "-Dgradle.user.home" in
 * https://docs.gradle.org/current/userguide/build_environment.html). The property is whatever the client JVM
 * was given: JAVA_TOOL_OPTIONS < JDK_JAVA_OPTIONS < the start script's command line
 * (`$DEFAULT_JVM_OPTS $JAVA_OPTS $GRADLE_OPTS`, https://github.com/gradle/gradle/blob/master/gradlew) <
 * _JAVA_OPTIONS, the last -D winning (java-options.ts). A relative path is the JVM's `new File(path)`: from
 * the directory Gradle starts in (`cwd`; without one, as for undo's guard, only an absolute path counts).
 * Not modelled: `-g`/`--gradle-user-home` and -D on one command line (certifix sees no command line), and
 * the newest wrapper's systemProp.gradle.user.home in the project's gradle.properties (GradleWrapperMain
 * `maybeAddGradleUserHomeSystemProperty`, https://github.com/gradle/gradle/blob/master/platforms/core-runtime/wrapper-main/src/main/java/org/gradle/wrapper/GradleWrapperMain.java),
 * which older wrappers and the launcher do not read.
 */
export function gradleUserHome(ctx: Pick<Context, 'env' | 'home'> & { cwd?: string | undefined }): string {
  const name = 'gradle.user.home';
  const opts = envProp(ctx, name);
  const line = sysProp(splitOptions(`${ctx.env.JAVA_OPTS ?? ''} ${ctx.env.GRADLE_OPTS ?? ''}`), name);
  const prop = opts?.variable === '_JAVA_OPTIONS' ? opts.value : (line ?? opts?.value);
  const v = prop || envOf(ctx, 'GRADLE_USER_HOME');
  if (v && isAbsolute(v)) return v;
  if (v && ctx.cwd !== undefined) return resolve(ctx.cwd, v);
  return join(ctx.home, '.gradle');
}

/** The root project around `cwd`: the nearest directory upwards with a settings file, else `cwd`. */
export async function projectRoot(cwd: string): Promise<string> {
  for (let d = resolve(cwd), i = 0; i < 32; d = dirname(d), i++) {
    if ((await isFile(join(d, 'settings.gradle'))) || (await isFile(join(d, 'settings.gradle.kts'))))
      return d;
    if (d === dirname(d)) break;
  }
  return resolve(cwd);
}

export async function gradleFiles(
  ctx: Pick<Context, 'env' | 'home' | 'cwd'>,
  installHome?: string,
): Promise<GradleFiles> {
  const root = await projectRoot(ctx.cwd);
  const user = join(gradleUserHome(ctx), 'gradle.properties');
  const files = [
    ...(installHome ? [join(installHome, 'gradle.properties')] : []),
    join(root, 'gradle.properties'),
  ];
  return { root, user, files: [...files, user].filter((f, i, all) => all.indexOf(f) === i) };
}

/** Each file's text, in the same order (empty when it does not exist). */
async function texts(files: readonly string[]): Promise<string[]> {
  return Promise.all(files.map(async (f) => (await readText(f)) ?? ''));
}

/**
 * Every setting of system property `name` the build sees beyond JAVA_TOOL_OPTIONS, lowest precedence first:
 * JAVA_OPTS, GRADLE_OPTS, the effective org.gradle.jvmargs, then each file's systemProp.
 */
export async function settingsOf(
  name: string,
  files: readonly string[],
  ctx: Pick<Context, 'env'>,
): Promise<Setting[]> {
  const out: Setting[] = [];
  for (const variable of ['JAVA_OPTS', 'GRADLE_OPTS']) {
    const v = sysProp(splitOptions(envOf(ctx, variable) ?? ''), name);
    if (v !== undefined) out.push({ via: variable, value: v, kind: 'opts' });
  }
  const all = await texts(files);
  let jvmargs: Setting | undefined;
  all.forEach((text, i) => {
    const args = getKey(text, null, 'org.gradle.jvmargs', properties);
    if (args === null) return;
    const v = sysProp(splitOptions(args), name);
    // A later file's org.gradle.jvmargs replaces the whole line, -D or not.
    jvmargs =
      v === undefined ? undefined : { via: `${files[i]} org.gradle.jvmargs`, value: v, kind: 'jvmargs' };
  });
  if (jvmargs) out.push(jvmargs);
  all.forEach((text, i) => {
    const v = getKey(text, null, `systemProp.${name}`, properties);
    if (v !== null) out.push({ via: `${files[i]} systemProp.${name}`, value: v, kind: 'systemProp' });
  });
  return out;
}

/**
 * The setting that decides `name` for the build, or null when the JVM's own options do (JAVA_TOOL_OPTIONS,
 * JDK_JAVA_OPTIONS, or the JDK's default). _JAVA_OPTIONS comes after every command line, so it beats
 * JAVA_OPTS, GRADLE_OPTS and org.gradle.jvmargs, but not a systemProp set when the build starts.
 */
export function decisive(
  name: string,
  settings: readonly Setting[],
  ctx: Pick<Context, 'env'>,
): Setting | null {
  const last = settings.at(-1);
  if (!last) return null;
  if (last.kind !== 'systemProp' && envProp(ctx, name)?.variable === '_JAVA_OPTIONS') return null;
  return last;
}

export const isOurs = (path: string) => basename(path) === GRADLE_TRUSTSTORE;
