/**
 * A reader for Apple's XML property lists (the DTD at http://www.apple.com/DTDs/PropertyList-1.0.dtd): what
 * `security trust-settings-export` writes (CFPropertyListCreateXMLData in Apple's TrustSettings.cpp,
 * https://github.com/apple-oss-distributions/Security, OSX/libsecurity_keychain/lib/TrustSettings.cpp). Only
 * the XML form: binary plists (`bplist00`) are refused, as nothing certifix runs writes them.
 * Bounded: the caller reads the file with a size limit; nesting is limited here.
 */

export type PlistValue =
  | string
  | number
  | boolean
  | Date
  | Buffer
  | PlistValue[]
  | { [key: string]: PlistValue };

const MAX_DEPTH = 32;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return ENTITIES[e] ?? m;
  });
}

/** Parse the text of an XML plist; throws on anything that is not one. */
export function parsePlist(text: string): PlistValue {
  if (text.startsWith('bplist')) throw new Error('binary property lists are not read');
  // Tags and the text between them; the prolog, DOCTYPE and comments are skipped.
  const tokens =
    text.replace(/<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '').match(/<[^>]+>|[^<]+/g) ?? [];
  let i = 0;
  const next = (): string => {
    while (i < tokens.length && /^\s*$/.test(tokens[i] as string)) i++;
    const t = tokens[i++];
    if (t === undefined) throw new Error('property list ends early');
    return t;
  };
  /** The text up to `</name>`, which it consumes. */
  const textUntil = (name: string): string => {
    let out = '';
    for (let t = tokens[i++]; t !== `</${name}>`; t = tokens[i++]) {
      if (t === undefined || t.startsWith('<')) throw new Error(`<${name}> holds markup`);
      out += t;
    }
    return decodeEntities(out);
  };
  const value = (tag: string, depth: number): PlistValue => {
    if (depth > MAX_DEPTH) throw new Error('property list nested too deeply');
    switch (tag) {
      case '<dict>': {
        const out: { [key: string]: PlistValue } = {};
        for (let t = next(); t !== '</dict>'; t = next()) {
          if (t !== '<key>') throw new Error(`expected <key> in <dict>, got ${t.slice(0, 20)}`);
          out[textUntil('key')] = value(next(), depth + 1);
        }
        return out;
      }
      case '<array>': {
        const out: PlistValue[] = [];
        for (let t = next(); t !== '</array>'; t = next()) out.push(value(t, depth + 1));
        return out;
      }
      case '<dict/>':
        return {};
      case '<array/>':
        return [];
      case '<string/>':
        return '';
      case '<true/>':
        return true;
      case '<false/>':
        return false;
      case '<string>':
        return textUntil('string');
      case '<integer>':
      case '<real>': {
        const n = Number(textUntil(tag.slice(1, -1)).trim());
        if (!Number.isFinite(n)) throw new Error(`not a number in ${tag}`);
        return n;
      }
      case '<date>':
        return new Date(textUntil('date').trim());
      case '<data>':
        return Buffer.from(textUntil('data').replace(/\s+/g, ''), 'base64');
      default:
        throw new Error(`unexpected ${tag.slice(0, 20)} in property list`);
    }
  };
  if (!/^<plist(\s[^>]*)?>$/.test(next())) throw new Error('not an XML property list');
  const root = value(next(), 0);
  if (next() !== '</plist>') throw new Error('property list has more than one root');
  return root;
}
