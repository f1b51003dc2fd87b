/** Building TrustSources: the shared "a variable or key names a CA file" step, with the missing-file rule. */
import { type Dialect, getKey } from '../formats/keyfile.ts';
import { envOf, expand, isDir, isFile, readText } from '../host-files.ts';
import type { Context, TrustSource } from '../types.ts';

type Base = Pick<TrustSource, 'source' | 'via' | 'profile' | 'why'> & Partial<Pick<TrustSource, 'bundled'>>;

/**
 * A store named by `path`. `dirAs` says what the client does with a directory: 'capath' (requests, curl
 * --capath), or 'file' (it is opened as a file and fails). A path that does not exist gives an empty store
 * and a warning: that is how the clients behave (requests raises OSError, curl exits 77, git refuses).
 */
export async function pathSource(
  path: string,
  base: Base,
  dirAs: 'capath' | 'file' = 'file',
  failure?: string,
): Promise<TrustSource> {
  if (await isFile(path)) return { ...base, path, files: [path], dirs: [] };
  if (dirAs === 'capath' && (await isDir(path))) return { ...base, path, files: [], dirs: [path] };
  const what = (await isDir(path)) ? 'is a directory, not a CA file' : 'does not exist';
  return {
    ...base,
    path,
    files: [],
    dirs: [],
    warnings: [
      `${base.via ?? 'the configured CA file'} points to ${path}, which ${what}${failure ? `: ${failure}` : ''}`,
    ],
  };
}

/** `host`, or `host:port` when the port is not HTTPS's default: how clients print the URL's authority. */
export function authority(host: string, port?: number): string {
  return port === undefined || port === 443 ? host : `${host}:${port}`;
}

/** Append files/dirs of `extra` to `s` (stores that add to each other: truststore + --cert, node + extra). */
export function merge(s: TrustSource, extra: TrustSource | null): TrustSource {
  if (!extra) return s;
  const warnings = [...(s.warnings ?? []), ...(extra.warnings ?? [])];
  return {
    ...s,
    files: [...s.files, ...extra.files.filter((f) => !s.files.includes(f))],
    dirs: [...s.dirs, ...extra.dirs.filter((d) => !s.dirs.includes(d))],
    ...(warnings.length ? { warnings } : {}),
  };
}

/** A key found in a config file: the file, the key as the tool names it, and its value (expanded). */
export interface KeyHit {
  file: string;
  key: string;
  value: string;
  /** How the store names the setting, when not "`file` `key`" (pdm: `pypi.ca_certs`). */
  via?: string;
}

/** What a CA-path setting may add: `dirAs` as in `pathSource`, the sentence, the client's missing-file error. */
interface SettingOptions {
  dirAs?: 'capath' | 'file';
  /** Replaces the default "X is set." / "FILE sets KEY." sentence; a function gets the via it explains. */
  why?: string | ((via: string) => string);
  /** What the client does when the file is missing (curl: exits 77), added to the warning. */
  failure?: string;
}

/**
 * One way a client can be told its CAs: an environment variable or a key read from its config files (`read`)
 * naming a CA file, or, for a setting that is more than one path (curl's capath, searched with its default
 * file), `store`, which builds the whole store itself and returns null when the setting is absent.
 */
export type CaSetting =
  | ({ env: string } & SettingOptions)
  | ({ read: (ctx: Context) => Promise<KeyHit | null> } & SettingOptions)
  | { store: (ctx: Context) => Promise<TrustSource | null> };

const sentence = (why: SettingOptions['why'], via: string, otherwise: string) =>
  typeof why === 'function' ? why(via) : (why ?? otherwise);

/**
 * The store of a client whose CA settings each REPLACE its defaults: the first setting that is set, in the
 * client's own order of precedence, else `otherwise()` (its default store).
 */
export async function firstSetting(
  ctx: Context,
  profile: TrustSource['profile'],
  settings: readonly CaSetting[],
  otherwise: () => Promise<TrustSource> | TrustSource,
): Promise<TrustSource> {
  for (const s of settings) {
    if ('store' in s) {
      const found = await s.store(ctx);
      if (found) return found;
      continue;
    }
    if ('env' in s) {
      const value = envOf(ctx, s.env);
      if (value) {
        const why = sentence(s.why, s.env, `${s.env} is set.`);
        return pathSource(value, { source: 'env', via: s.env, profile, why }, s.dirAs, s.failure);
      }
      continue;
    }
    const hit = await s.read(ctx);
    if (hit) {
      const via = hit.via ?? `${hit.file} ${hit.key}`;
      const why = sentence(s.why, via, `${hit.file} sets ${hit.key}.`);
      return pathSource(hit.value, { source: 'config', via, profile, why }, s.dirAs, s.failure);
    }
  }
  return otherwise();
}

/** `key` in `section` of the first file of `files` (most important first) that sets it, `~`/`$VAR` expanded. */
export async function keyIn(
  ctx: Pick<Context, 'env' | 'home'>,
  files: readonly string[],
  dialect: Dialect,
  section: string | null,
  key: string,
): Promise<KeyHit | null> {
  for (const file of files) {
    const text = await readText(expand(file, ctx));
    const value = text === null ? null : getKey(text, section, key, dialect);
    if (value) return { file, key: section ? `[${section}] ${key}` : key, value: expand(value, ctx) };
  }
  return null;
}
