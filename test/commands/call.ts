/**
 * Calls one command function of src/commands/ the way a library user does — with its options and no
 * Context, so the default (this process: its environment, HOME, real programs) is used — and prints the
 * result as `--json` would. Run inside a laptop by library-vs-cli.test.ts:
 *   node --import tsx test/commands/call.ts fix '[{"dryRun":true}]'
 */
import * as commands from '../../src/commands/index.ts';

const [name = '', args = '[]'] = process.argv.slice(2);
const fn = (commands as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
if (typeof fn !== 'function') throw new Error(`no command function ${name}`);
const result = await fn(...(JSON.parse(args) as unknown[]));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
