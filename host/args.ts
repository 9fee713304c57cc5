// The one command-line parser of the host tools (node:util's parseArgs, then our own
// checks, so every command words its mistakes the same way): `--name value` and
// `--name=value`, `--help`/`-h`, `--` ending the flags, and a "did you mean" for a
// mistyped flag or command. Every mistake is a UsageError (exit status 2).
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export interface FlagSpec {
  type: 'string' | 'boolean';
}

export interface Flag {
  /** Without the dashes: 'slots'. */
  name: string;
  /** As written: '--slots' (or '-h'). */
  raw: string;
  /** The value of a string flag; undefined for a boolean flag. */
  value: string | undefined;
}

export interface ParsedArgs {
  /** --help or -h was given (anywhere): the command prints its help and nothing else. */
  help: boolean;
  /** The flags in the order given (a flag given twice appears twice). */
  flags: Flag[];
  positionals: string[];
}

export interface ParseRules {
  /** The usage text appended to an unknown-flag error. */
  usage: string;
  /** Whether the command takes plain arguments (files); otherwise they are errors. */
  positionals?: boolean;
  /** A command-specific note for an unknown flag (e.g. "tun makes its own link"). */
  hint?: (raw: string) => string | undefined;
}

/** Edit distance: insertions, deletions, substitutions and swaps of two neighbours
 *  (optimal string alignment), so 'tnu' is one edit from 'tun'. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length];
}

/** The candidate closest to `word` when it is close enough to be a typo (at most 2 edits,
 *  fewer than half its length), or undefined. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < word.length ? best : undefined;
}

/** Parses `args` against `specs` (names without dashes; `help` is always known). */
export function parseCommandLine(args: string[], specs: Record<string, FlagSpec>, rules: ParseRules): ParsedArgs {
  const { tokens } = parseArgs({
    args,
    options: { ...specs, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const parsed: ParsedArgs = { help: false, flags: [], positionals: [] };
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help' && (t.rawName === '--help' || t.rawName === '-h'))) {
    parsed.help = true;
    return parsed;
  }
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!rules.positionals) {
        // `npm start --slots 4`: npm takes --slots itself and hands on only the 4.
        const npm = process.env.npm_lifecycle_event ? ' (under npm, flags reach slotcp only after --: npm start -- --slots 4)' : '';
        throw new UsageError(`unexpected argument '${token.value}'${npm}\n${rules.usage}`);
      }
      parsed.positionals.push(token.value);
      continue;
    }
    const raw = token.rawName;
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) && raw.startsWith('--') ? specs[token.name] : undefined;
    if (!spec) {
      const known = [...Object.keys(specs).map((name) => `--${name}`), '--help'];
      const hint = rules.hint?.(raw);
      const guess = hint === undefined ? closest(raw, known) : undefined;
      throw new UsageError(`unknown flag '${raw}'${hint ? ` (${hint})` : guess ? ` (did you mean '${guess}'?)` : ''}\n${rules.usage}`);
    }
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${raw} takes no value, got '${raw}=${token.value}'`);
      parsed.flags.push({ name: token.name, raw, value: undefined });
    } else {
      if (token.value === undefined) throw new UsageError(`${raw} needs a value`);
      parsed.flags.push({ name: token.name, raw, value: token.value });
    }
  }
  return parsed;
}
