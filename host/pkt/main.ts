// `slotcp pkt FILE...`: runs packetdrill scripts against slotcp's engine and prints a
// packetdrill-style verdict per file. Exit status 0 when all pass, 1 when any fails, 2
// for usage errors.
import { readFileSync } from 'node:fs';
import { UsageError, parseCommandLine } from '../args';
import { PktSyntaxError, parseScript } from './parse';
import { PktFailure, runScript } from './run';

export interface FileVerdict {
  file: string;
  ok: boolean;
  message: string;
  notes: string[];
}

/** Parses and runs one script file. */
export function runFile(file: string): FileVerdict {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, ok: false, message: `${file}: cannot read: ${(err as Error).message}`, notes: [] };
  }
  try {
    const result = runScript(parseScript(text, file), file);
    return { file, ok: true, message: `${file}: pass (${result.events} events)`, notes: result.notes };
  } catch (err) {
    if (err instanceof PktFailure || err instanceof PktSyntaxError) return { file, ok: false, message: err.message, notes: [] };
    throw err;
  }
}

export const usageText = `usage: slotcp pkt FILE.pkt...
runs packetdrill scripts against slotcp's engine on a virtual clock; exit status 0 when
all pass, 1 when any fails`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine(args, {}, { usage: usageText, positionals: true });
  if (parsed.help) {
    console.log(usageText);
    return 0;
  }
  args = parsed.positionals;
  if (args.length === 0) throw new UsageError(`no script given\n${usageText}`);
  let failed = 0;
  for (const file of args) {
    const verdict = runFile(file);
    for (const note of verdict.notes) console.log(`note: ${note}`);
    if (verdict.ok) console.log(verdict.message);
    else {
      failed++;
      console.error(verdict.message);
    }
  }
  if (args.length > 1) console.log(`${args.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}
