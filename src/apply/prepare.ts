/**
 * Plans → per-file work: gather every change by the file it really lands in (symlinks resolved), fold all
 * `env` changes into one managed block per shell startup file, and compute each file's new bytes. Reads
 * files, writes nothing: `--dry-run` is this plus a diff.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { CertifixError } from '../core/errors.ts';
import type { Plan } from '../core/plan.ts';
import { asText, decode, type Encoding, encode } from '../formats/text.ts';
import type { Context, Runner } from '../types.ts';
import { readMaybe } from './atomic.ts';
import { assertEnvName, shadowing } from './block.ts';
import { cacertsRefusal, cacertsWork } from './cacerts.ts';
import { applyOp, type FileOp } from './edits.ts';
import { writeTarget } from './guard.ts';
import type { EditRecord } from './journal.ts';
import { buildKeystore, listingOf } from './keystore.ts';
import { type EnvTargetId, envTargets } from './shells.ts';

export interface FileWork {
  /** The path as planned, and the file actually written (they differ for a symlink). */
  planned: string;
  target: string;
  ops: FileOp[];
  kinds: string[];
  owners: string[];
  before: Buffer | null;
  /** Permission bits of the existing file, or null. */
  mode: number | null;
  after: Buffer;
  beforeText: string | null;
  afterText: string;
  records: EditRecord[];
  /** Mode for a file that does not exist yet. */
  newMode: number;
}

interface Prepared {
  work: FileWork[];
  env: Record<string, string>;
  warnings: string[];
}

type Planned = { planned: string; ops: FileOp[]; kinds: Set<string>; owners: Set<string> };

/** A file rewritten as a whole by a tool (a keystore), not by line edits. */
function whole(f: Planned, w: Omit<FileWork, 'planned' | 'ops' | 'kinds' | 'owners' | 'newMode'>): FileWork {
  return { ...f, ...w, kinds: [...f.kinds], owners: [...f.owners], newMode: 0o644 };
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & { run?: Runner };

/** Values inserted into a file that is edited as latin1 must be its UTF-8 bytes, one char per byte. */
function inEncoding(op: FileOp, enc: Encoding): FileOp {
  if (enc === 'utf8') return op;
  if (op.kind === 'file' || op.kind === 'keystore' || op.kind === 'cacerts') return op;
  if (op.kind === 'block') {
    const vars = Object.fromEntries(Object.entries(op.vars).map(([k, v]) => [k, asText(v, enc)]));
    return { ...op, vars };
  }
  return { ...op, value: asText(op.value, enc) };
}

function toOp(change: Exclude<Plan['changes'][number], { kind: 'env' }>): FileOp {
  switch (change.kind) {
    case 'file':
      return change.mode === undefined
        ? { kind: 'file', content: change.content }
        : { kind: 'file', content: change.content, mode: change.mode };
    case 'ini':
      return { kind: 'ini', section: change.section, key: change.key, value: change.value };
    case 'npmrc':
    case 'gitconfig':
      return { kind: change.kind, key: change.key, value: change.value };
    case 'keyfile':
      return {
        kind: 'keyfile',
        format: change.format,
        section: change.section,
        key: change.key,
        value: change.value,
      };
    case 'cacerts':
      return {
        kind: 'cacerts',
        from: change.from,
        keytool: change.keytool,
        ...(change.password !== undefined ? { password: change.password } : {}),
      };
    case 'keystore':
      return {
        kind: 'keystore',
        from: change.from,
        ...(change.password !== undefined ? { password: change.password } : {}),
        ...(change.keytool !== undefined ? { keytool: change.keytool } : {}),
      };
  }
}

export async function prepare(
  plans: readonly Plan[],
  ctx: Ctx,
  only?: readonly EnvTargetId[],
  /** Windows: the Documents folder holding the PowerShell profiles (powershell-profile.ts). */
  documents?: string,
): Promise<Prepared> {
  const warnings: string[] = [];
  const env = new Map<string, { value: string; owner: string }>();
  const files = new Map<string, Planned>();
  const add = async (path: string, op: FileOp, kind: string, owner: string) => {
    if (!isAbsolute(path)) throw new CertifixError('USAGE', `plan paths must be absolute: ${path}`);
    const target = await writeTarget(path, ctx);
    const f = files.get(target) ?? { planned: path, ops: [], kinds: new Set(), owners: new Set() };
    f.ops.push(op);
    f.kinds.add(kind);
    f.owners.add(owner);
    files.set(target, f);
  };

  for (const plan of plans) {
    for (const change of plan.changes) {
      if (change.kind === 'cacerts') {
        // Said before the generic rules for a symlink's target: which user the keystore must belong to, and how.
        const refusal = await cacertsRefusal(change.path, ctx);
        if (refusal) throw refusal;
      }
      if (change.kind !== 'env') {
        await add(change.path, toOp(change), change.kind, plan.owner);
        continue;
      }
      assertEnvName(change.name);
      const prev = env.get(change.name);
      if (prev && prev.value !== change.value) {
        warnings.push(
          `${change.name}: ${prev.owner} wants ${prev.value}, ${plan.owner} wants ${change.value}; using ${change.value}`,
        );
      }
      env.set(change.name, { value: change.value, owner: plan.owner });
    }
  }

  const vars = Object.fromEntries([...env].map(([k, v]) => [k, v.value]));
  if (env.size > 0) {
    const targets = envTargets({ ...ctx, documents }, only);
    // Windows keeps them in the registry instead (registry.ts), applied by the executor.
    if (targets.length === 0 && ctx.platform !== 'win32') {
      warnings.push(
        `environment variables are not persisted on ${ctx.platform} yet: ${Object.keys(vars).join(', ')}`,
      );
    }
    for (const t of targets) {
      await add(t.path, { kind: 'block', syntax: t.syntax, where: t.where, vars }, 'env', 'certifix');
    }
  }

  // Whole files this run writes, by planned path: a keystore built from one reads the new content.
  const pending = new Map<string, string>();
  for (const plan of plans)
    for (const c of plan.changes) if (c.kind === 'file') pending.set(c.path, c.content);

  const work: FileWork[] = [];
  for (const [target, f] of files) {
    const before = await readMaybe(target);
    const mode = before ? (await stat(target)).mode & 0o7777 : null;
    if (f.ops.some((o) => o.kind === 'cacerts')) {
      const done = await cacertsWork({ ...f, target, before }, pending, ctx);
      warnings.push(...done.warnings);
      work.push(
        whole(f, {
          target,
          before,
          mode,
          after: done.after,
          beforeText: done.beforeText,
          afterText: done.afterText,
          records: [done.record],
        }),
      );
      continue;
    }
    const keystores = f.ops.filter((o) => o.kind === 'keystore');
    if (keystores.length > 0) {
      if (keystores.length !== f.ops.length)
        throw new CertifixError('USAGE', `${f.planned}: a keystore cannot be combined with other edits`);
      // Several installations may name the same truststore: it holds every input of every plan.
      const password = keystores.find((o) => o.password !== undefined)?.password;
      const keytool = keystores.find((o) => o.keytool !== undefined)?.keytool;
      const reader =
        keytool && password !== undefined
          ? { keytool, password, env: ctx.env, run: ctx.run ?? (await import('../context.ts')).runProcess }
          : undefined;
      const from = [...new Set(keystores.flatMap((o) => o.from))];
      const built = await buildKeystore(from, pending, password, reader);
      warnings.push(...built.warnings);
      work.push(
        whole(f, {
          target,
          before,
          mode,
          after: built.bytes,
          beforeText: listingOf(before) ?? (before ? decode(before).text : null),
          afterText: built.listing,
          records: [{ kind: 'file' }],
        }),
      );
      continue;
    }
    const { text: beforeText, encoding } = before
      ? decode(before)
      : { text: null, encoding: 'utf8' as const };
    let text = beforeText;
    const records: EditRecord[] = [];
    for (const op of f.ops) {
      const r = applyOp(text, inEncoding(op, encoding), f.planned);
      text = r.text;
      records.push(r.record);
    }
    const afterText = text ?? '';
    const fileOp = f.ops.find((o) => o.kind === 'file');
    const after = encode(afterText, fileOp ? 'utf8' : encoding);
    for (const s of env.size && f.kinds.has('env') ? shadowing(afterText, Object.keys(vars)) : []) {
      warnings.push(
        `${f.planned} line ${s.line} sets ${s.name} after the certifix block, so it overrides it`,
      );
    }
    const newMode =
      fileOp?.kind === 'file' && fileOp.mode !== undefined
        ? fileOp.mode
        : f.kinds.has('npmrc')
          ? 0o600
          : 0o644;
    work.push({
      planned: f.planned,
      target,
      ops: f.ops,
      kinds: [...f.kinds],
      owners: [...f.owners],
      before,
      mode,
      after,
      beforeText,
      afterText,
      records,
      newMode,
    });
  }
  return { work, env: vars, warnings };
}
