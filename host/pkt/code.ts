// `%{ python }%` blocks: the small subset of Python that packetdrill scripts use to check
// the socket's tcp_info: statements `assert EXPR[, MESSAGE]`, `print(...)`, `NAME = EXPR`
// and `NAME op= EXPR`, split by newlines or `;` (a `\` ends a line early, `#` starts a
// comment); expressions of integers, strings, names, + - * / // % ** << >> & | ^, unary
// - + ~ not, comparisons (chained as in Python), and/or, and parentheses. packetdrill runs
// every block at the script's end, each after assignments of the tcpi_* values read when
// its line ran, in one Python process, so names assigned by one block are seen by later
// ones; here each block runs when its line runs, with the same effect. Anything outside
// the subset is an error (the script fails); nothing is skipped.

export class CodeError extends Error {}

/** Names, kept from block to block. */
export type CodeScope = Map<string, Value>;
type Value = number | string | boolean | undefined;

type Tok = { kind: 'num' | 'str' | 'name' | 'op' | 'end'; text: string; value?: Value };

const OPS = ['**=', '//=', '>>=', '<<=', '**', '//', '==', '!=', '<=', '>=', '<<', '>>', '+=', '-=', '*=', '/=', '%=',
  '&=', '|=', '^=', '+', '-', '*', '/', '%', '<', '>', '(', ')', ',', '=', '&', '|', '^', '~'];

function lex(code: string): Tok[] {
  const out: Tok[] = [];
  let depth = 0;
  for (let i = 0; i < code.length;) {
    const c = code[i];
    if (c === '\\' && code[i + 1] === '\n') { i += 2; continue; }
    if (c === '#') { while (i < code.length && code[i] !== '\n') i++; continue; }
    if (c === '\n' || c === ';') {
      if (depth === 0 || c === ';') out.push({ kind: 'end', text: c });
      i++;
      continue;
    }
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)/.exec(code.slice(i));
    if (num) {
      const t = num[0];
      const value = /^0[xob]/i.test(t) ? Number(t.toLowerCase()) : Number(t);
      out.push({ kind: 'num', text: t, value });
      i += t.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i));
    if (name) { out.push({ kind: 'name', text: name[0] }); i += name[0].length; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      for (; j < code.length && code[j] !== c; j++) s += code[j] === '\\' ? code[++j] : code[j];
      if (j >= code.length) throw new CodeError('unterminated string');
      out.push({ kind: 'str', text: code.slice(i, j + 1), value: s });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => code.startsWith(o, i));
    if (!op) throw new CodeError(`unsupported character '${c}'`);
    if (op === '(') depth++;
    if (op === ')') depth--;
    out.push({ kind: 'op', text: op });
    i += op.length;
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

/** Runs one block in `scope`; throws CodeError when an assert fails or the code is
 * outside the subset. `print` output goes to `print`. */
export function runCode(code: string, scope: CodeScope, print: (line: string) => void = () => {}): void {
  const toks = lex(code);
  let pos = 0;
  const peek = () => toks[pos];
  const isOp = (text: string) => peek().kind === 'op' && peek().text === text;
  const isName = (text: string) => peek().kind === 'name' && peek().text === text;
  const expect = (text: string) => {
    if (!isOp(text)) throw new CodeError(`expected '${text}', got '${peek().text || 'end'}'`);
    pos++;
  };

  const num = (v: Value, op: string): number => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v !== 'number') throw new CodeError(`'${op}' needs numbers, got ${JSON.stringify(v)}`);
    return v;
  };
  const truthy = (v: Value) => (typeof v === 'string' ? v.length > 0 : Boolean(v));

  function primary(): Value {
    const t = peek();
    if (t.kind === 'num' || t.kind === 'str') { pos++; return t.value; }
    if (t.kind === 'name') {
      pos++;
      if (t.text === 'True') return true;
      if (t.text === 'False') return false;
      if (t.text === 'None') return undefined;
      if (isOp('(')) throw new CodeError(`function ${t.text}() is not supported`);
      if (!scope.has(t.text)) throw new CodeError(`name '${t.text}' is not defined${t.text.startsWith('tcpi_') ? ' (slotcp has no such tcp_info value)' : ''}`);
      return scope.get(t.text);
    }
    if (isOp('(')) {
      pos++;
      const v = expression();
      expect(')');
      return v;
    }
    throw new CodeError(`unexpected '${t.text || 'end of block'}'`);
  }
  function power(): Value {
    const base = primary();
    if (!isOp('**')) return base;
    pos++;
    return num(base, '**') ** num(unary(), '**');
  }
  function unary(): Value {
    if (isOp('-')) { pos++; return -num(unary(), '-'); }
    if (isOp('+')) { pos++; return +num(unary(), '+'); }
    if (isOp('~')) { pos++; return ~num(unary(), '~'); }
    return power();
  }
  function term(): Value {
    let v = unary();
    for (;;) {
      const op = peek().text;
      if (peek().kind !== 'op' || !['*', '/', '//', '%'].includes(op)) return v;
      pos++;
      const r = unary();
      if (op === '%' && typeof v === 'string') { v = format(v, r); continue; }
      const a = num(v, op);
      const b = num(r, op);
      if (op !== '*' && b === 0) throw new CodeError('division by zero');
      v = op === '*' ? a * b : op === '/' ? a / b : op === '//' ? Math.floor(a / b) : a - b * Math.floor(a / b);
    }
  }
  function arith(): Value {
    let v = term();
    while (isOp('+') || isOp('-')) {
      const op = toks[pos++].text;
      const r = term();
      if (op === '+' && typeof v === 'string' && typeof r === 'string') v += r;
      else v = op === '+' ? num(v, op) + num(r, op) : num(v, op) - num(r, op);
    }
    return v;
  }
  function shift(): Value {
    let v = arith();
    while (isOp('<<') || isOp('>>')) {
      const op = toks[pos++].text;
      const a = num(v, op);
      const b = num(arith(), op);
      v = op === '<<' ? a * 2 ** b : Math.floor(a / 2 ** b);
    }
    return v;
  }
  function bits(): Value {
    let v = shift();
    while (isOp('&') || isOp('^') || isOp('|')) {
      const op = toks[pos++].text;
      const a = BigInt(num(v, op));
      const b = BigInt(num(shift(), op));
      v = Number(op === '&' ? a & b : op === '^' ? a ^ b : a | b);
    }
    return v;
  }
  const COMPARE = ['==', '!=', '<', '<=', '>', '>='];
  function comparison(): Value {
    let left = bits();
    let result: Value = true;
    let chained = false;
    while (peek().kind === 'op' && COMPARE.includes(peek().text)) {
      const op = toks[pos++].text;
      const right = bits();
      let ok: boolean;
      if (op === '==') ok = left === right || (typeof left !== 'string' && typeof right !== 'string' && num(left, op) === num(right, op));
      else if (op === '!=') ok = !(left === right || (typeof left !== 'string' && typeof right !== 'string' && num(left, op) === num(right, op)));
      else {
        const a = num(left, op);
        const b = num(right, op);
        ok = op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      }
      result = result && ok;
      chained = true;
      left = right;
    }
    return chained ? result : left;
  }
  function not(): Value {
    if (isName('not')) { pos++; return !truthy(not()); }
    return comparison();
  }
  function and(): Value {
    let v = not();
    while (isName('and')) { pos++; const r = not(); v = truthy(v) ? r : v; }
    return v;
  }
  function expression(): Value {
    let v = and();
    while (isName('or')) { pos++; const r = and(); v = truthy(v) ? v : r; }
    return v;
  }

  function statement(): void {
    if (isName('assert')) {
      pos++;
      const ok = truthy(expression());
      let message: Value;
      if (isOp(',')) { pos++; message = expression(); }
      if (!ok) throw new CodeError(`assertion failed${message !== undefined ? `: ${show(message)}` : ''}`);
      return;
    }
    if (isName('print')) {
      pos++;
      expect('(');
      const parts: Value[] = [];
      if (!isOp(')')) {
        parts.push(expression());
        while (isOp(',')) { pos++; parts.push(expression()); }
      }
      expect(')');
      print(parts.map(show).join(' '));
      return;
    }
    if (isName('pass')) { pos++; return; }
    const t = peek();
    const next = toks[pos + 1];
    if (t.kind === 'name' && next.kind === 'op' && /^(\*\*|\/\/|>>|<<|[-+*/%&|^])?=$/.test(next.text)) {
      pos += 2;
      const value = expression();
      if (next.text === '=') scope.set(t.text, value);
      else {
        if (!scope.has(t.text)) throw new CodeError(`name '${t.text}' is not defined`);
        const op = next.text.slice(0, -1);
        const a = num(scope.get(t.text), op);
        const b = num(value, op);
        const result: Record<string, () => number> = {
          '+': () => a + b, '-': () => a - b, '*': () => a * b, '/': () => a / b, '//': () => Math.floor(a / b),
          '%': () => a - b * Math.floor(a / b), '**': () => a ** b, '<<': () => a * 2 ** b, '>>': () => Math.floor(a / 2 ** b),
          '&': () => Number(BigInt(a) & BigInt(b)), '|': () => Number(BigInt(a) | BigInt(b)), '^': () => Number(BigInt(a) ^ BigInt(b)),
        };
        scope.set(t.text, result[op]());
      }
      return;
    }
    if (t.kind === 'name' && ['import', 'if', 'for', 'while', 'def', 'from', 'lambda', 'with', 'try'].includes(t.text)) {
      throw new CodeError(`'${t.text}' is outside the Python subset slotcp's runner evaluates`);
    }
    expression();
  }

  for (;;) {
    while (peek().kind === 'end' && peek().text !== '') pos++;
    if (peek().kind === 'end') return;
    statement();
    if (peek().kind !== 'end') throw new CodeError(`unexpected '${peek().text}'`);
  }
}

function show(v: Value): string {
  if (v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** `'cwnd=%d' % x`: printf-style with one value. */
function format(template: string, value: Value): string {
  return template.replace(/%[-+ 0#]*\d*(?:\.\d+)?([disxXfr%])/g, (m, conv: string) => {
    if (conv === '%') return '%';
    if (conv === 'x') return Math.trunc(Number(value)).toString(16);
    if (conv === 'X') return Math.trunc(Number(value)).toString(16).toUpperCase();
    if (conv === 'd' || conv === 'i') return String(Math.trunc(Number(value)));
    return show(value);
  });
}
