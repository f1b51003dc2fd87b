import { CertifixError } from '../core/errors.ts';
import type { Io } from './io.ts';

export async function explainCommand(_argv: string[], _io: Io): Promise<number> {
  throw new CertifixError('UNSUPPORTED', 'explain is not available yet');
}
