// Parses packetdrill scripts (see google/packetdrill's parser.y for the full language;
// this is the subset listed in ast.ts). Line-oriented: comments are blanked first, keeping
// line numbers, then each line is one event or a top-of-file option.
import { EventTime, PacketEvent, Script, ScriptEvent, SyscallArg, SyscallEvent, TcpOption } from './ast';

export class PktSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, detail: string) {
    super(`${file}:${line}: syntax error: ${detail}`);
  }
}

const FLAG_ORDER = 'SFRP.EWU';

/** Replaces comments with spaces, keeping newlines, so positions stay put. */
function blankComments(text: string, file: string): string {
  let out = '';
  let i = 0;
  let inBackticks = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '`') inBackticks = !inBackticks;
    if (c === '\n') inBackticks = false;
    if (!inBackticks && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        const line = text.slice(0, i).split('\n').length;
        throw new PktSyntaxError(file, line, 0, 'unterminated /* comment');
      }
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else if (!inBackticks && c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function parseScript(text: string, file = 'script'): Script {
  const lines = blankComments(text, file).split('\n');
  const original = text.split('\n');
  const script: Script = { options: {}, events: [] };
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const where = { file, line: index + 1, text: original[index] };
    if (line.startsWith('--')) {
      if (script.events.length) throw syntax(where, 'options must come before the first event');
      const option = /^--([A-Za-z0-9_]+)(?:=(\S*))?$/.exec(line);
      if (!option) throw syntax(where, `bad option '${line}'`);
      script.options[option[1]] = option[2] ?? '';
      return;
    }
    script.events.push(parseEvent(line, where));
  });
  return script;
}

interface Where {
  file: string;
  line: number;
  text: string;
}

function syntax(where: Where, detail: string): PktSyntaxError {
  return new PktSyntaxError(where.file, where.line, 0, `${detail}\n  ${where.text.trim()}`);
}

const NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`;
const TIME = new RegExp(String.raw`^(\*|\+?${NUMBER})(?:~(\+?${NUMBER}))?(?:\.\.\.(\+?${NUMBER}))?(?=\s)`);

function parseTime(token: string): { kind: 'absolute' | 'relative'; usecs: number } {
  const relative = token.startsWith('+');
  const seconds = Number(relative ? token.slice(1) : token);
  return { kind: relative ? 'relative' : 'absolute', usecs: Math.round(seconds * 1e6) };
}

function parseEvent(line: string, where: Where): ScriptEvent {
  const m = TIME.exec(line);
  if (!m) throw syntax(where, 'an event must start with a time (T, +T, * or T1~T2)');
  let time: EventTime;
  if (m[1] === '*') time = { kind: 'any', usecs: 0 };
  else time = parseTime(m[1]);
  if (m[2] !== undefined) time.end = parseTime(m[2]);
  if (m[3] !== undefined) time.end = parseTime(m[3]);
  const rest = line.slice(m[0].length).trim();
  const base = { line: where.line, text: where.text, time };
  if (rest.startsWith('<') || rest.startsWith('>')) return parsePacket(rest, base, where);
  if (rest.startsWith('`')) {
    if (!rest.endsWith('`') || rest.length < 2) throw syntax(where, 'unterminated ` command');
    return { type: 'command', command: rest.slice(1, -1), ...base };
  }
  return parseSyscall(rest, base, where);
}

function parseFlags(token: string, where: Where): string {
  if (token === '-') return '';
  for (const c of token) if (!FLAG_ORDER.includes(c)) throw syntax(where, `unknown TCP flag '${c}'`);
  return [...FLAG_ORDER].filter((c) => token.includes(c)).join('');
}

function parseInteger(token: string | undefined, where: Where, what: string): number {
  if (token === undefined || !/^(\d+|0x[0-9a-fA-F]+)$/.test(token)) throw syntax(where, `${what} must be an integer, got '${token ?? ''}'`);
  const n = Number(token);
  if (n > 0xffffffff) throw syntax(where, `${what} out of range: ${token}`);
  return n;
}

function parsePacket(text: string, base: { line: number; text: string; time: EventTime }, where: Where): PacketEvent {
  const direction = text[0] === '<' ? 'in' : 'out';
  let rest = text.slice(1).trim();
  let options: TcpOption[] | 'any' | undefined;
  const optionStart = rest.indexOf('<');
  if (optionStart >= 0) {
    if (!rest.endsWith('>')) throw syntax(where, "TCP options must end with '>'");
    options = parseOptions(rest.slice(optionStart + 1, -1).trim(), where);
    rest = rest.slice(0, optionStart).trim();
  }
  const tokens = rest.split(/\s+/);
  const flags = parseFlags(tokens[0] ?? '', where);
  const seq = /^(\d+):(\d+)\((\d+)\)$/.exec(tokens[1] ?? '');
  if (!seq) throw syntax(where, `expected start:end(length), got '${tokens[1] ?? ''}'`);
  const seqStart = parseInteger(seq[1], where, 'sequence number');
  const seqEnd = parseInteger(seq[2], where, 'sequence number');
  const payloadLength = Number(seq[3]);
  if (((seqEnd - seqStart) >>> 0) !== payloadLength) throw syntax(where, `${tokens[1]}: end - start must equal the length`);
  const event: PacketEvent = { type: 'packet', direction, flags, seqStart, seqEnd, payloadLength, ...base };
  for (let i = 2; i < tokens.length; i += 2) {
    const key = tokens[i];
    const value = tokens[i + 1];
    if (key === 'ack') event.ack = parseInteger(value, where, 'ack');
    else if (key === 'win') event.window = parseInteger(value, where, 'win');
    else if (key === 'urg') parseInteger(value, where, 'urg');
    else throw syntax(where, `unexpected '${key}' in a TCP packet`);
  }
  if (options !== undefined) event.options = options;
  return event;
}

function parseOptions(text: string, where: Where): TcpOption[] | 'any' {
  if (text === '...') return 'any';
  if (!text) return [];
  return text.split(',').map((part): TcpOption => {
    const words = part.trim().split(/\s+/);
    switch (words[0]) {
      case 'nop': return { kind: 'nop' };
      case 'eol': return { kind: 'eol' };
      case 'sackOK': return { kind: 'sackOK' };
      case 'mss': return { kind: 'mss', value: parseInteger(words[1], where, 'mss') };
      case 'wscale': return { kind: 'wscale', value: parseInteger(words[1], where, 'wscale') };
      case 'TS': {
        if (words[1] !== 'val' || words[3] !== 'ecr') throw syntax(where, 'expected TS val X ecr Y');
        return { kind: 'timestamp', val: parseInteger(words[2], where, 'TS val'), ecr: parseInteger(words[4], where, 'TS ecr') };
      }
      case 'sack': {
        const blocks = words.slice(1).map((b): [number, number] => {
          const range = /^(\d+):(\d+)$/.exec(b);
          if (!range) throw syntax(where, `bad sack block '${b}'`);
          return [Number(range[1]), Number(range[2])];
        });
        return { kind: 'sack', blocks };
      }
      default:
        throw syntax(where, `unknown TCP option '${part.trim()}'`);
    }
  });
}

/** Splits at commas that are not inside brackets, braces or quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '[' || c === '{' || c === '(')) depth++;
    if (!quoted && (c === ']' || c === '}' || c === ')')) depth--;
    if (c === ',' && depth === 0 && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function parseValue(text: string): number | string {
  return /^-?(\d+|0x[0-9a-fA-F]+)$/.test(text) ? Number(text) : text;
}

function parseArg(text: string, where: Where): SyscallArg {
  if (text === '...') return { kind: 'ellipsis' };
  if (/^-?(\d+|0x[0-9a-fA-F]+)$/.test(text)) return { kind: 'integer', value: Number(text) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return { kind: 'identifier', name: text };
  if (/^".*"$/.test(text)) return { kind: 'string', value: text.slice(1, -1) };
  if (text.startsWith('[') && text.endsWith(']')) {
    return { kind: 'array', items: splitTopLevel(text.slice(1, -1)).map(parseValue) };
  }
  if (text.startsWith('{') && text.endsWith('}')) {
    const fields: Record<string, number | string> = {};
    for (const field of splitTopLevel(text.slice(1, -1))) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(field);
      if (!m) throw syntax(where, `bad struct field '${field}'`);
      fields[m[1]] = parseValue(m[2].trim());
    }
    return { kind: 'struct', fields };
  }
  throw syntax(where, `cannot read argument '${text}'`);
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function parseSyscall(text: string, base: { line: number; text: string; time: EventTime }, where: Where): SyscallEvent {
  const name = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(text);
  const close = name ? closingParen(text, name[0].length - 1) : -1;
  if (!name || close < 0) throw syntax(where, 'expected a packet (< or >), a `command` or a system call name(args) = result');
  const after = /^\s*=\s*(.*)$/.exec(text.slice(close + 1));
  if (!after) throw syntax(where, `missing '= result' after ${name[1]}()`);
  // A result: a number, or -1 and an errno name, optionally followed by its text in ().
  const result = /^(-?\d+)(?:\s+([A-Z][A-Z0-9_]*))?(?:\s*\(.*\))?$/.exec(after[1].trim());
  if (!result) throw syntax(where, `bad result '${after[1].trim()}'`);
  const event: SyscallEvent = {
    type: 'syscall', name: name[1], args: splitTopLevel(text.slice(name[0].length, close)).map((a) => parseArg(a, where)),
    result: { value: Number(result[1]) }, ...base,
  };
  if (result[2]) event.result.errno = result[2];
  return event;
}
