import { isAbsolute, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CLIENT_IDS } from '../clients/ids.ts';
import { CertifixError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with certifix's conventions: strict, usage errors as CertifixError('USAGE'). */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    const msg =
      cause instanceof Error ? cause.message.replace(/\. To specify a positional.*$/s, '') : String(cause);
    throw new CertifixError('USAGE', msg, { cause, hint: 'see --help' });
  }
}

/**
 * Every `--client` id (clients/ids.ts, which the registry is kept equal to, without loading any adapter), as
 * help lines indented to the option's description column.
 */
export function clientIdsHelp(indent: number, width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (const id of CLIENT_IDS) {
    const next = line ? `${line}, ${id}` : id;
    if (indent + next.length + 1 > width && line) {
      lines.push(`${line},`);
      line = id;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

/** Split comma-separated and repeated values: `--client pip,git --client node`. */
export function list(values: string | string[] | undefined): string[] {
  if (values === undefined) return [];
  return (Array.isArray(values) ? values : [values])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The options every command that connects shares. Spread into `parse` options. */
export const NETWORK_OPTIONS = {
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** `--proxy`/`--no-proxy`/`--timeout` as the library takes them (null proxy = connect directly). */
export function networkOptions(values: { proxy?: string; 'no-proxy'?: boolean; timeout?: string }): {
  proxy: string | null | undefined;
  timeoutMs: number;
} {
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new CertifixError('USAGE', '--timeout must be a positive number of seconds');
  }
  return { proxy: values['no-proxy'] ? null : values.proxy, timeoutMs: timeout * 1000 };
}

/** `--python PATH` (repeatable): interpreters to look at besides the environments found (python-envs.ts). */
export const PYTHON_OPTION = { python: { type: 'string', multiple: true } } as const;

/** The context with `--python` paths, made absolute against its cwd. */
export function withPythons<C extends { cwd: string; pythons?: readonly string[] | undefined }>(
  ctx: C,
  paths: readonly string[] | undefined,
): C {
  if (!paths?.length) return ctx;
  return { ...ctx, pythons: paths.map((p) => (isAbsolute(p) ? p : resolve(ctx.cwd, p))) };
}
