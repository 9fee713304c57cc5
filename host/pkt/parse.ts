// Parses packetdrill scripts into the events of ast.ts, following google/packetdrill's
// gtests/net/packetdrill/lexer.l and parser.y: tokens are cut by flex's longest-match rule,
// whitespace (newlines included) only separates them, and an event's line is the line of
// its time. packetdrill's semantic checks that need no executor are made here too.
import {
  EventTime, Nested, NestedStruct, PacketEvent, Script, ScriptCommand, ScriptEvent, SyscallArg, SyscallEvent, TcpOption, TimeKind, TimePoint,
} from './ast';

export class PktSyntaxError extends Error {
  override name = 'PktSyntaxError';

  /** `line` and `column` are 1-based; `source` is the line's text, shown with a caret. */
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly detail: string, source = '') {
    super(`${file}:${line}: syntax error: ${detail}${source && `\n  ${source}\n  ${caret(source, column)}`}`);
  }
}

function caret(source: string, column: number): string {
  return `${source.slice(0, column - 1).replace(/[^\t]/g, ' ')}^`;
}

/** `defines`: names that `#ifdef NAME` lines test (see preprocess()). */
export function parseScript(text: string, fileName = 'script', defines: readonly string[] = []): Script {
  const source = preprocess(text, fileName, defines);
  return new Parser(tokenize(source), source.split(/\r?\n/), fileName).script();
}

/** `#ifdef NAME` / `#ifndef NAME` / `#else` / `#endif` lines, as the C preprocessor that
 * freebsd-net/tcp-testsuite runs its scripts through: lines not taken become empty, so
 * line numbers stay those of the file. Other `#` lines are left to the lexer (an error). */
function preprocess(text: string, file: string, defines: readonly string[]): string {
  if (!/^[ \t]*#/m.test(text)) return text;
  const lines = text.split('\n');
  const stack: { taking: boolean; elsed: boolean; line: number }[] = [];
  const taking = () => stack.every((f) => f.taking);
  lines.forEach((raw, i) => {
    const m = /^[ \t]*#[ \t]*(ifdef|ifndef|else|endif)\b[ \t]*(\w*)/.exec(raw);
    if (!m) {
      if (!taking()) lines[i] = '';
      return;
    }
    const [, directive, name] = m;
    if (directive === 'ifdef' || directive === 'ifndef') {
      if (!name) throw new PktSyntaxError(file, i + 1, 1, `#${directive} needs a name`, raw);
      stack.push({ taking: defines.includes(name) === (directive === 'ifdef'), elsed: false, line: i + 1 });
    } else {
      const top = stack.at(-1);
      if (!top) throw new PktSyntaxError(file, i + 1, 1, `#${directive} without #ifdef`, raw);
      if (directive === 'else') {
        if (top.elsed) throw new PktSyntaxError(file, i + 1, 1, 'a second #else', raw);
        top.taking = !top.taking;
        top.elsed = true;
      } else stack.pop();
    }
    lines[i] = '';
  });
  const open = stack.at(-1);
  if (open) throw new PktSyntaxError(file, open.line, 1, '#ifdef without #endif');
  return lines.join('\n');
}

// ---- Tokens ----

type TokenKind = 'int' | 'hex' | 'float' | 'word' | 'string' | 'backquoted' | 'code' | 'ellipsis' | 'option' | 'punct' | 'error' | 'eof';

interface Position {
  line: number;
  column: number;
}

interface Token extends Position {
  kind: TokenKind;
  /** As written; for 'error', the message. */
  text: string;
  /** Just past the token's last character. */
  endLine: number;
  endColumn: number;
}

// Tried at each position: the longest match wins and ties go to the earlier pattern, as in
// flex. So `0x1f` is hex, `12` an integer, `1e5` a word, `.1` a time and `...` an ellipsis.
const PATTERNS: [TokenKind, RegExp][] = [
  ['ellipsis', /\.\.\./y],
  ['option', /--[A-Za-z0-9_]+(?:=(?:"(?:\\.|[^"\\\n])*"|[^\s"]\S*))?/y],
  ['float', /-?[0-9]*\.[0-9]+/y],
  ['int', /-?[0-9]+/y],
  ['hex', /0x[0-9a-fA-F]+/y],
  ['word', /[A-Za-z0-9_]+/y],
  ['string', /"(?:\\[\s\S]|[^"\\])*"/y],
  ['backquoted', /`(?:\\[\s\S]|[^`\\])*`/y],
  // lexer.l's code snippet: %{ up to the first }%.
  ['code', /%\{(?:[^}]|\}(?!%))*\}%/y],
];
const SPACE_AND_COMMENTS = /(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/y;

function longestMatch(source: string, pos: number): [TokenKind, number] | undefined {
  let best: [TokenKind, number] | undefined;
  for (const [kind, pattern] of PATTERNS) {
    pattern.lastIndex = pos;
    const length = pattern.exec(source)?.[0].length ?? 0;
    if (length > (best?.[1] ?? 0)) best = [kind, length];
  }
  return best;
}

/** The whole script's tokens. A lexical error ends the list as an 'error' token, which the
 * parser reports when it reaches it, so errors come out in file order. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Position => ({ line, column: pos - lineStart + 1 });
  const advance = (end: number) => {
    for (; pos < end; pos++) {
      if (source[pos] === '\n') {
        line++;
        lineStart = pos + 1;
      }
    }
  };
  const push = (kind: TokenKind, length: number) => {
    const start = here();
    const from = pos;
    advance(pos + length);
    tokens.push({ kind, text: source.slice(from, pos), ...start, endLine: line, endColumn: pos - lineStart + 1 });
  };
  const fail = (message: string) => {
    const at = here();
    tokens.push({ kind: 'error', text: message, ...at, endLine: at.line, endColumn: at.column });
    return tokens;
  };
  for (;;) {
    SPACE_AND_COMMENTS.lastIndex = pos;
    SPACE_AND_COMMENTS.exec(source);
    advance(SPACE_AND_COMMENTS.lastIndex);
    if (pos >= source.length) {
      push('eof', 0);
      return tokens;
    }
    const match = longestMatch(source, pos);
    const c = source[pos];
    if (match) push(...match);
    else if (source.startsWith('/*', pos)) return fail('unterminated /* comment');
    else if (c === '"') return fail('unterminated string');
    else if (c === '`') return fail('unterminated ` command');
    else push('punct', 1);
  }
}

// ---- Grammar ----

const FLAG_ORDER = 'SFRP.EWU';
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;
const MAX_OPTION_BYTES = 40;

function isPunct(token: Token, c: string): boolean {
  return token.kind === 'punct' && token.text === c;
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text === word;
}

/** Seconds as written (`1`, `.1`, `1.5`) to µs, exactly; digits past µs are cut, as packetdrill does. */
function usecs(seconds: string): number {
  const [whole, fraction = ''] = seconds.split('.');
  return Number(whole || '0') * 1e6 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** Bytes a TCP option takes on the wire. */
function optionBytes(option: TcpOption): number {
  switch (option.kind) {
    case 'nop': case 'eol': return 1;
    case 'sackOK': return 2;
    case 'wscale': return 3;
    case 'mss': return 4;
    case 'timestamp': return 10;
    case 'sack': return 2 + 8 * option.blocks.length;
  }
}

/** What every event has, filled in before its kind is known. */
type EventBase = Pick<ScriptEvent, 'line' | 'text' | 'time'>;

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[], private readonly lines: string[], private readonly file: string) {}

  script(): Script {
    const script: Script = { options: {}, events: [] };
    while (this.peek().kind === 'option') this.option(script.options);
    if (this.peek().kind === 'backquoted') script.initCommand = this.scriptCommand();
    while (this.peek().kind !== 'eof') {
      const token = this.peek();
      if (token.kind === 'option') this.fail(token, 'options must come before the first event');
      if (token.kind === 'backquoted' && script.events.length > 0) {
        script.cleanupCommand = this.scriptCommand();
        if (this.peek().kind !== 'eof') this.fail(token, 'a `command` needs a time unless it is the first or last statement');
      } else {
        script.events.push(this.event());
      }
    }
    return script;
  }

  // ---- token access ----

  private peek(): Token {
    const token = this.tokens[this.pos];
    if (token.kind === 'error') this.fail(token, token.text);
    return token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private previous(): Token {
    return this.tokens[this.pos - 1];
  }

  private acceptPunct(c: string): Token | undefined {
    return isPunct(this.peek(), c) ? this.take() : undefined;
  }

  private acceptWord(word: string): boolean {
    if (!isWord(this.peek(), word)) return false;
    this.take();
    return true;
  }

  private expectPunct(c: string, what = `'${c}'`): void {
    if (!this.acceptPunct(c)) this.expected(what);
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.expected(`'${word}'`);
  }

  /** Fails on the next token; when it is on a later line, the thing is missing at the end of this one. */
  private expected(what: string): never {
    const token = this.peek();
    const previous = this.pos > 0 ? this.previous() : undefined;
    if (previous && (token.kind === 'eof' || token.line > previous.endLine)) {
      this.fail({ line: previous.endLine, column: previous.endColumn }, `missing ${what}`);
    }
    this.fail(token, token.kind === 'eof' ? `missing ${what}` : `expected ${what}, got '${token.text}'`);
  }

  private fail(at: Position, detail: string): never {
    throw new PktSyntaxError(this.file, at.line, at.column, detail, (this.lines[at.line - 1] ?? '').trimEnd());
  }

  private sourceLines(first: number, last: number): string {
    return this.lines.slice(first - 1, last).join('\n');
  }

  // ---- numbers ----

  /** A decimal integer in 0..max (packetdrill's INTEGER where it wants one). */
  private unsigned(max: number, what: string): number {
    const token = this.peek();
    if (token.kind !== 'int') this.expected(what);
    const value = Number(token.text);
    if (value < 0 || value > max) this.fail(token, `${what} out of range: ${token.text}`);
    this.take();
    return value;
  }

  /** A decimal or hex integer, maybe negative (system call arguments and results). */
  private integer(what: string): number {
    const token = this.peek();
    if (token.kind !== 'int' && token.kind !== 'hex') this.expected(what);
    const value = Number(token.text);
    if (!Number.isSafeInteger(value)) this.fail(token, `integer out of range: ${token.text}`);
    this.take();
    return value;
  }

  private seconds(what: string): number {
    const token = this.peek();
    if (token.kind !== 'int' && token.kind !== 'float') this.expected(what);
    if (token.text.startsWith('-')) this.fail(token, 'negative time');
    const value = usecs(token.text);
    if (!Number.isSafeInteger(value)) this.fail(token, `time out of range: ${token.text}`);
    this.take();
    return value;
  }

  // ---- top level ----

  private option(options: Record<string, string>): void {
    const text = this.take().text;
    const equals = text.includes('=') ? text.indexOf('=') : text.length;
    const name = text.slice(2, equals);
    const value = text.slice(equals + 1);
    if (isPunct(this.peek(), '=')) this.fail(this.peek(), `write the option as --${name}=value, without spaces`);
    options[name] = value.startsWith('"') ? value.slice(1, -1) : value;
  }

  private scriptCommand(): ScriptCommand {
    const token = this.take();
    return { line: token.line, text: this.sourceLines(token.line, token.endLine), command: token.text.slice(1, -1) };
  }

  private event(): ScriptEvent {
    const first = this.peek();
    const time = this.eventTime();
    const action = this.peek();
    if ((time.kind === 'any' || time.end) && !isPunct(action, '>')) {
      this.fail(first, `event time ${time.end ? 'range' : '*'} can only be used with outbound packets`);
    }
    const base = { line: first.line, text: '', time };
    const event = this.action(action, base);
    event.text = this.sourceLines(first.line, this.previous().endLine);
    return event;
  }

  private action(action: Token, base: EventBase): ScriptEvent {
    if (isPunct(action, '<') || isPunct(action, '>')) return this.packet(base);
    if (action.kind === 'word' || action.kind === 'ellipsis') return this.syscall(base);
    if (action.kind === 'backquoted') return { type: 'command', command: this.take().text.slice(1, -1), ...base };
    if (action.kind === 'code') return { type: 'code', code: this.take().text.slice(2, -2), ...base };
    this.expected('a packet (< or >), a system call or a `command` after the time');
  }

  // ---- times ----

  /** `T`, `+T`, `*`, `T1~T2` or `+T1~+T2`. */
  private eventTime(): EventTime {
    const first = this.peek();
    if (this.acceptPunct('*')) return { kind: 'any', usecs: 0 };
    const relative = this.acceptPunct('+') !== undefined;
    if (!relative && first.kind !== 'int' && first.kind !== 'float') {
      const sameLine = this.pos > 0 && this.previous().endLine === first.line;
      this.fail(first, sameLine ? `unexpected '${first.text}' after the event` : 'an event must start with a time (T, +T, * or T1~T2)');
    }
    const kind: TimeKind = relative ? 'relative' : 'absolute';
    const time: EventTime = { kind, usecs: this.seconds('a time in seconds after +') };
    if (this.acceptPunct('~')) {
      const plus = this.acceptPunct('+');
      if (relative !== (plus !== undefined)) this.fail(plus ?? this.peek(), `a ${kind} range is written ${relative ? '+T1~+T2' : 'T1~T2'}`);
      time.end = { kind, usecs: this.seconds('the end of the time range') };
      if (time.end.usecs < time.usecs) this.fail(first, 'time range is backwards');
    }
    return time;
  }

  /** After `T1...`: packetdrill writes the end bare and reads it like the start; `+T2` is
   * accepted after a relative start too. */
  private blockingEnd(start: EventTime, at: Token): TimePoint {
    const kind: TimeKind = start.kind === 'relative' ? 'relative' : 'absolute';
    const plus = this.acceptPunct('+');
    if (plus && kind === 'absolute') this.fail(plus, "'+' on a blocking call's end needs a relative start (+T1...+T2)");
    const end = { kind, usecs: this.seconds('the time the blocking call returns') };
    if (end.usecs < start.usecs) this.fail(at, 'the blocking call returns before it starts');
    return end;
  }

  // ---- packets ----

  private packet(base: EventBase): PacketEvent {
    const arrow = this.take();
    const direction = arrow.text === '<' ? 'in' : 'out';
    const ip = this.ipInfo();
    const flags = this.flags();
    const event: PacketEvent = { type: 'packet', direction, flags, ...this.sequence(), ...ip, ...base };
    if (this.acceptWord('ack')) event.ack = this.unsigned(U32, 'TCP ack sequence number');
    if (this.acceptWord('win')) event.window = this.unsigned(U16, 'TCP window value');
    if (this.acceptWord('urg')) event.urg = this.unsigned(U16, 'urg_ptr value');
    const open = this.acceptPunct('<');
    if (open) event.options = this.tcpOptions(open, direction);
    if (direction === 'in' && event.window === undefined) this.fail(arrow, 'window must be specified for inbound packets (win N)');
    return event;
  }

  /** `(tos 0xNN)` or `(ttl N)` (or in [ ]) after the direction: parser.y's ip_info, of
   *  which the ECN forms and flow labels are not supported. */
  private ipInfo(): { tos?: number; ttl?: number } {
    const open = this.acceptPunct('(') ?? this.acceptPunct('[');
    if (!open) return {};
    const close = open.text === '(' ? ')' : ']';
    let info: { tos?: number; ttl?: number };
    if (this.acceptWord('tos')) {
      const token = this.peek();
      if (token.kind !== 'hex') this.expected('a hex TOS value (tos 0xNN)');
      info = { tos: this.integer('TOS') };
      if (info.tos! > U8) this.fail(token, 'tos out of range for 8 bits');
    } else if (this.acceptWord('ttl')) {
      info = { ttl: this.unsigned(U8, 'TTL') };
    } else {
      this.expected("'tos 0xNN' or 'ttl N' (slotcp's runner has no ECN or flow label forms)");
    }
    this.expectPunct(close, `'${close}' after the IP header values`);
    return info;
  }

  /** Letters, optionally followed by `.` (ACK); `.` alone; or `-` for none. */
  private flags(): string {
    const token = this.peek();
    if (this.acceptPunct('-')) return '';
    if (this.acceptPunct('.')) return '.';
    if (token.kind !== 'word') this.expected('TCP flags (S F R P . E W U, or -)');
    this.take();
    [...token.text].forEach((c, i) => {
      if (!FLAG_ORDER.includes(c)) this.fail({ line: token.line, column: token.column + i }, `unknown TCP flag '${c}'`);
    });
    const letters = this.acceptPunct('.') ? `${token.text}.` : token.text;
    return [...FLAG_ORDER].filter((c) => letters.includes(c)).join('');
  }

  /** `start:end(length)`, or `start:end(length)!` for numbers not relative to the ISN
   *  (nplab packetdrill's form); end wraps modulo 2^32 (packetdrill forbids wrapping). */
  private sequence(): { seqStart: number; seqEnd: number; payloadLength: number; absoluteSeq?: true } {
    const first = this.peek();
    const seqStart = this.unsigned(U32, 'TCP start sequence number (start:end(length))');
    this.expectPunct(':');
    const seqEnd = this.unsigned(U32, 'TCP end sequence number');
    this.expectPunct('(');
    const payloadLength = this.unsigned(U16, 'TCP payload size');
    this.expectPunct(')');
    if ((seqStart + payloadLength) % 2 ** 32 !== seqEnd) {
      this.fail(first, `${seqStart}:${seqEnd}(${payloadLength}): end - start must equal the length`);
    }
    return this.acceptPunct('!') ? { seqStart, seqEnd, payloadLength, absoluteSeq: true } : { seqStart, seqEnd, payloadLength };
  }

  /** After `<`: `...>` or a comma-separated list whose bytes fill whole 32-bit words. */
  private tcpOptions(open: Token, direction: 'in' | 'out'): TcpOption[] | 'any' {
    if (this.peek().kind === 'ellipsis') {
      this.take();
      this.expectPunct('>');
      if (direction === 'in') this.fail(open, '<...> for TCP options can only be used with outbound packets');
      return 'any';
    }
    const options = [this.tcpOption()];
    while (this.acceptPunct(',')) options.push(this.tcpOption());
    this.expectPunct('>', "',' or '>' in the TCP options");
    const bytes = options.reduce((sum, o) => sum + optionBytes(o), 0);
    if (bytes % 4) {
      this.fail(open, `TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: ${bytes % 4} excess bytes`);
    }
    if (bytes > MAX_OPTION_BYTES) this.fail(open, `TCP header too large: ${bytes} bytes of options, at most ${MAX_OPTION_BYTES}`);
    return options;
  }

  private tcpOption(): TcpOption {
    const token = this.peek();
    if (token.kind !== 'word' && token.kind !== 'int') this.expected('a TCP option');
    this.take();
    switch (token.text) {
      case 'nop': return { kind: 'nop' };
      case 'eol': return { kind: 'eol' };
      case 'sackOK': return { kind: 'sackOK' };
      case 'mss': return { kind: 'mss', value: this.unsigned(U16, 'mss value') };
      case 'wscale': return { kind: 'wscale', value: this.unsigned(U8, 'window scale shift count') };
      case 'TS': return this.timestamp();
      case 'sack': return this.sack();
      default: {
        const written = /^[^,>\n]*/.exec(this.lines[token.line - 1].slice(token.column - 1))?.[0].trim();
        this.fail(token, `unknown TCP option '${written}'`);
      }
    }
  }

  private timestamp(): TcpOption {
    this.expectWord('val');
    const val = this.unsigned(U32, 'ts val');
    this.expectWord('ecr');
    return { kind: 'timestamp', val, ecr: this.unsigned(U32, 'ecr val') };
  }

  /** `sack A:B C:D ...`: blocks separated by spaces. */
  private sack(): TcpOption {
    const blocks: [number, number][] = [];
    do {
      const left = this.unsigned(U32, 'TCP SACK left sequence number');
      this.expectPunct(':');
      blocks.push([left, this.unsigned(U32, 'TCP SACK right sequence number')]);
    } while (this.peek().kind === 'int');
    return { kind: 'sack', blocks };
  }

  // ---- system calls ----

  /** `[...T2] name(args) = result [ERRNO] [(note)]`. */
  private syscall(base: EventBase): SyscallEvent {
    const ellipsis = this.peek().kind === 'ellipsis' ? this.take() : undefined;
    if (ellipsis) base.time.end = this.blockingEnd(base.time, ellipsis);
    const name = this.peek();
    if (name.kind !== 'word') this.expected('a system call name after ...');
    this.take();
    this.expectPunct('(', `'(' after ${name.text}`);
    const args = this.acceptPunct(')') ? [] : this.list(')', () => this.arg());
    this.expectPunct('=', `'= result' after ${name.text}()`);
    const event: SyscallEvent = { type: 'syscall', name: name.text, args, result: { value: this.integer('an integer result') }, ...base };
    if (this.onSameLine('word')) event.result.errno = this.take().text;
    if (this.onSameLine('punct', '(')) this.note();
    return event;
  }

  /** Whether the next token continues the previous one's line: an errno or note on the next
   * line is far likelier a line that lacks its time. */
  private onSameLine(kind: TokenKind, text?: string): boolean {
    const token = this.peek();
    return token.kind === kind && (text === undefined || token.text === text) && token.line === this.previous().endLine;
  }

  /** Comma-separated items up to `close`, which is consumed. */
  private list<T>(close: string, item: () => T): T[] {
    const items = [item()];
    while (this.acceptPunct(',')) items.push(item());
    this.expectPunct(close, `',' or '${close}'`);
    return items;
  }

  private arg(): SyscallArg {
    const token = this.peek();
    switch (token.kind) {
      case 'ellipsis': this.take(); return { kind: 'ellipsis' };
      case 'int': case 'hex': case 'word': return this.orExpression();
      case 'string': this.take(); return { kind: 'string', value: token.text.slice(1, -1) };
    }
    if (isPunct(token, '[') || isPunct(token, '{')) {
      const value = this.nested();
      // Flat ones keep their simple forms: [1], {onoff=1, linger=0}.
      const flat = (v: Nested) => typeof v === 'number' || typeof v === 'string';
      if (Array.isArray(value) && value.every(flat)) return { kind: 'array', items: value as (number | string)[] };
      if (value && typeof value === 'object' && !Array.isArray(value) && value.positional.length === 0
        && Object.values(value.fields).every(flat)) {
        return { kind: 'struct', fields: value.fields as Record<string, number | string> };
      }
      return { kind: 'nested', value };
    }
    this.expected('a system call argument');
  }

  /** A value inside [ ] or { }, which may nest (parser.y's msghdr, iovec, cmsg, pollfd). */
  private nested(): Nested {
    if (this.peek().kind === 'ellipsis') {
      this.take();
      return null;
    }
    if (this.acceptPunct('[')) return this.acceptPunct(']') ? [] : this.list(']', () => this.nested());
    if (this.acceptPunct('{')) {
      const struct: NestedStruct = { fields: {}, positional: [] };
      this.list('}', () => {
        const next = this.tokens[this.pos + 1];
        if (this.peek().kind === 'word' && next && (isPunct(next, '=') || isPunct(next, '('))) {
          const name = this.take().text;
          if (this.acceptPunct('(')) {
            if (this.peek().kind === 'ellipsis') this.take();
            else this.integer(`a count after ${name}(`);
            this.expectPunct(')', `')' after ${name}(`);
          }
          this.expectPunct('=', `'=' after ${name}`);
          struct.fields[name] = this.nested();
        } else {
          struct.positional.push(this.nested());
        }
      });
      return struct;
    }
    const terms = [this.scalar()];
    while (this.acceptPunct('|')) terms.push(this.scalar());
    return terms.length === 1 ? terms[0] : terms.join('|');
  }

  /** An integer or a name, or several joined by `|` (parser.y's binary_expression). */
  private orExpression(): SyscallArg {
    const terms = [this.scalar()];
    while (this.acceptPunct('|')) terms.push(this.scalar());
    if (terms.length === 1) return typeof terms[0] === 'number' ? { kind: 'integer', value: terms[0] } : { kind: 'identifier', name: terms[0] };
    if (terms.every((t) => typeof t === 'number')) return { kind: 'integer', value: terms.reduce((a, b) => Number(BigInt(a) | BigInt(b)), 0) };
    return { kind: 'or', terms };
  }

  /** Inside [ ] and { }: an integer, or a name. */
  private scalar(): number | string {
    const token = this.peek();
    if (token.kind === 'word') return this.take().text;
    if (token.kind === 'int' || token.kind === 'hex') return this.integer('an integer');
    this.expected('an integer or a name');
  }

  /** `(Broken pipe)`: a comment on the result, on one line. */
  private note(): void {
    const open = this.take();
    while (!this.acceptPunct(')')) {
      if (this.peek().kind === 'eof' || this.peek().line !== open.line) this.fail(open, "unclosed '(' after the result");
      this.take();
    }
  }
}
