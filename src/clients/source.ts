/** Building TrustSources: the shared "a variable or key names a CA file" step, with the missing-file rule. */
import { isDir, isFile } from '../host-files.ts';
import type { TrustSource } from '../types.ts';

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
