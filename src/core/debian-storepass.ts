/**
 * The store password of Debian's /etc/ssl/certs/java/cacerts, from /etc/default/cacerts.
 *
 * ca-certificates-java's maintainer script starts from `storepass='changeit'` and then sources the file with
 * `. /etc/default/cacerts`, so the file is /bin/sh: the last `storepass=` assignment wins, quotes are the
 * shell's (debian/postinst.in,
 * https://github.com/ystk/debian-ca-certificates-java/blob/master/debian/postinst.in; Salsa:
 * https://salsa.debian.org/java-team/ca-certificates-java). The shipped file (debian/default, installed as
 * /etc/default/cacerts by ca-certificates-java 20230710~deb12u1 too) has the assignment commented out:
 *
 *     # Only change this if adding private certificates.
 *     #storepass=''
 *     cacerts_updates=yes
 *
 * and postinst makes it mode 0600, so only root reads it. Only literal values are taken: a value needing the
 * shell (`$VAR`, `` `cmd` ``, a backslash) is not evaluated, and the JDK's default is used instead.
 */

/** Where ca-certificates-java keeps its settings (read under ctx.sysroot). */
export const DEBIAN_CACERTS_DEFAULTS = '/etc/default/cacerts';
/** The keystore those settings are for. */
export const DEBIAN_CACERTS = '/etc/ssl/certs/java/cacerts';

/** One shell word made of literal parts ('…', "…" without expansions, bare characters), or null. */
function shellWord(text: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/[\s;&|#]/.test(ch)) break;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return null;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end === -1) return null;
      const part = text.slice(i + 1, end);
      if (/[$`\\]/.test(part)) return null;
      out += part;
      i = end + 1;
    } else {
      if (/[$`\\(){}<>]/.test(ch)) return null;
      out += ch;
      i++;
    }
  }
  return out;
}

/**
 * The password /etc/default/cacerts sets, or undefined when it sets none (or one only a shell could
 * compute). An empty value counts as none: keytool refuses a store password under 6 characters.
 */
export function debianStorepass(text: string): string | undefined {
  let found: string | null | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?storepass=(.*)$/.exec(line);
    if (m) found = shellWord(m[1] as string);
  }
  return found ? found : undefined;
}
