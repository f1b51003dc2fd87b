/**
 * gradle.properties: the dialect fix writes with reads keys as java.util.Properties.load(InputStream) does,
 * which is how Gradle reads the file. Ground truth: a real JVM loads the same bytes and prints every key.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getKey, readKeys, revertKey, setKey } from '../../src/formats/keyfile.ts';
import { properties } from '../../src/formats/properties.ts';
import { lacks, missing } from '../helpers/has.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-properties-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TS = 'systemProp.javax.net.ssl.trustStore';

const CASES = [
  `${TS}=/etc/corp/truststore.jks\n`,
  `  ${TS} : /etc/corp/with space.jks  \n`,
  `${TS} /etc/corp/blank-separated.jks\n# ${TS}=/commented.jks\n! ${TS}=/bang.jks\n`,
  `${TS}=/first.jks\n${TS}=/last.jks\n`,
  `${TS}=C:\\\\Users\\\\me\\\\corp.jks\r\norg.gradle.jvmargs=-Xmx2g\r\n`,
  `org.gradle.jvmargs=-Xmx2g \\\n    -Djavax.net.ssl.trustStore=/cont.jks \\\n\t-Dfile.encoding=UTF-8\n`,
  `${TS}=/caf\\u00e9.jks\nkey\\ with\\ space=v\\=1:#!\n`,
  `# comment ends in a backslash \\\n${TS}=/after-comment.jks\n`,
  `${TS}=/odd\\\\\n${TS}2=/even.jks\n`,
];

/** Every key and value a real JVM's Properties.load reads from `text`, as a Map. */
function javaKeys(texts: readonly string[]): Array<Map<string, string>> {
  const probe = join(dir, 'PropsProbe.java');
  writeFileSync(
    probe,
    `import java.io.*; import java.util.*;
public class PropsProbe { public static void main(String[] a) throws Exception {
  for (String f : a) { Properties p = new Properties(); try (InputStream in = new FileInputStream(f)) { p.load(in); }
    for (String k : new TreeSet<>(p.stringPropertyNames())) System.out.println(f + "\\t" + esc(k) + "\\t" + esc(p.getProperty(k))); } }
  static String esc(String s) { StringBuilder b = new StringBuilder(); for (char c : s.toCharArray())
    b.append(c < 0x20 || c > 0x7e || c == '\\\\' ? String.format("\\\\u%04x", (int) c) : String.valueOf(c)); return b.toString(); } }
`,
  );
  const files = texts.map((t, i) => {
    const f = join(dir, `case${i}.properties`);
    writeFileSync(f, t, 'latin1');
    return f;
  });
  const r = spawnSync('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', probe, ...files], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const out = files.map(() => new Map<string, string>());
  const unesc = (s: string) =>
    s.replace(/\\u([0-9a-f]{4})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16)));
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [f, k, v] = line.split('\t') as [string, string, string];
    out[files.indexOf(f)]?.set(unesc(k), unesc(v));
  }
  return out;
}

describe('properties dialect', () => {
  it('sets in place, keeps other lines byte for byte, and reverts', () => {
    const old =
      '# mine\r\norg.gradle.jvmargs=-Xmx2g\r\nsystemProp.javax.net.ssl.trustStore = /old.jks\r\nx=1\r\n';
    const { text, edit } = setKey(old, null, TS, '/d/gradle-truststore.jks', properties);
    expect(text).toBe(
      '# mine\r\norg.gradle.jvmargs=-Xmx2g\r\nsystemProp.javax.net.ssl.trustStore = /d/gradle-truststore.jks\r\nx=1\r\n',
    );
    expect(revertKey(text, edit, properties).text).toBe(old);
    const added = setKey('x=1\n', null, TS, 'C:\\d\\gradle-truststore.jks', properties);
    expect(added.text).toBe(`x=1\n${TS}=C:\\\\d\\\\gradle-truststore.jks\n`);
    expect(getKey(added.text, null, TS, properties)).toBe('C:\\d\\gradle-truststore.jks');
    expect(setKey(added.text, null, TS, 'C:\\d\\gradle-truststore.jks', properties).text).toBe(added.text);
    expect(revertKey(added.text, added.edit, properties).text).toBe('x=1\n');
  });

  it('replaces a value continued over several lines as one', () => {
    const old = `${TS}=/a\\\n  /b.jks\nx=1\n`;
    expect(getKey(old, null, TS, properties)).toBe('/a/b.jks');
    const { text, edit } = setKey(old, null, TS, '/ours.jks', properties);
    expect(text).toBe(`${TS}=/ours.jks\nx=1\n`);
    expect(revertKey(text, edit, properties).text).toBe(old);
  });
});

describe.skipIf(lacks('java'))(`properties: our reader and the JVM's ${missing('java')}`, () => {
  it('reads every case as java.util.Properties does', { timeout: 90_000 }, () => {
    const written = setKey('# IT\n', null, TS, '/données/ leading blank\\x.jks', properties).text;
    const texts = [...CASES, written];
    const java = javaKeys(texts);
    texts.forEach((text, i) => {
      const ours = readKeys(text, properties).get(null) ?? new Map();
      expect(Object.fromEntries(ours), JSON.stringify(text)).toEqual(Object.fromEntries(java[i] ?? []));
    });
    expect(java.at(-1)?.get(TS)).toBe('/données/ leading blank\\x.jks');
  });
});
