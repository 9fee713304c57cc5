// The packetdrill parser on its own: every construct of the subset, the seed script event by
// event, lines in the style of google/packetdrill's gtests/net/tcp scripts, and syntax
// errors with their line and column.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventTime, PacketEvent, ScriptEvent, SyscallEvent } from '../host/pkt/ast';
import { PktSyntaxError, parseScript } from '../host/pkt/parse';

const seedFile = path.join(__dirname, '..', '..', 'host-test', 'pkt', 'close', 'seed-server-active-close.pkt');

const abs = (usecs: number): EventTime => ({ kind: 'absolute', usecs });
const rel = (usecs: number): EventTime => ({ kind: 'relative', usecs });

/** The only event of a one-line script. */
function one(line: string): ScriptEvent {
  const { events } = parseScript(line, 't.pkt');
  assert.equal(events.length, 1);
  return events[0];
}

function packet(line: string): PacketEvent {
  const event = one(line);
  assert.equal(event.type, 'packet');
  return event;
}

function syscall(line: string): SyscallEvent {
  const event = one(line);
  assert.equal(event.type, 'syscall');
  return event;
}

/** Asserts that parsing fails at line:column with a message containing `detail`. */
function rejects(text: string, line: number, column: number, detail: string): void {
  assert.throws(() => parseScript(text, 'bad.pkt'), (err: unknown) => {
    assert.ok(err instanceof PktSyntaxError, String(err));
    assert.ok(err.message.startsWith(`bad.pkt:${line}: syntax error: `), err.message);
    assert.ok(err.detail.includes(detail), err.message);
    assert.deepEqual([err.line, err.column], [line, column], err.message);
    return true;
  });
}

describe('packetdrill parser: the seed script', () => {
  const text = readFileSync(seedFile, 'utf8');
  const lines = text.split('\n');
  const script = parseScript(text, seedFile);
  const at = (line: number) => ({ line, text: lines[line - 1] });

  it('reads its option and its 13 events, each exactly', () => {
    assert.deepEqual(script.options, { tolerance_usecs: '1000000' });
    assert.deepEqual(script.events, [
      { type: 'syscall', name: 'socket', args: [{ kind: 'ellipsis' }, { kind: 'identifier', name: 'SOCK_STREAM' },
        { kind: 'identifier', name: 'IPPROTO_TCP' }], result: { value: 3 }, time: abs(0), ...at(5) },
      { type: 'syscall', name: 'bind', args: [{ kind: 'integer', value: 3 }, { kind: 'ellipsis' }, { kind: 'ellipsis' }],
        result: { value: 0 }, time: rel(0), ...at(6) },
      { type: 'syscall', name: 'listen', args: [{ kind: 'integer', value: 3 }, { kind: 'integer', value: 1 }],
        result: { value: 0 }, time: rel(0), ...at(7) },
      { type: 'packet', direction: 'in', flags: 'S', seqStart: 0, seqEnd: 0, payloadLength: 0, window: 65535,
        options: [{ kind: 'mss', value: 100 }], time: rel(0), ...at(9) },
      { type: 'packet', direction: 'out', flags: 'S.', seqStart: 0, seqEnd: 0, payloadLength: 0, ack: 1,
        options: 'any', time: rel(0), ...at(10) },
      { type: 'packet', direction: 'in', flags: '.', seqStart: 1, seqEnd: 1, payloadLength: 0, ack: 1, window: 65535,
        time: abs(100000), ...at(11) },
      { type: 'syscall', name: 'accept', args: [{ kind: 'integer', value: 3 }, { kind: 'ellipsis' }, { kind: 'ellipsis' }],
        result: { value: 4 }, time: rel(100000), ...at(13) },
      { type: 'syscall', name: 'close', args: [{ kind: 'integer', value: 4 }], result: { value: 0 }, time: rel(100000), ...at(16) },
      { type: 'packet', direction: 'out', flags: 'F.', seqStart: 1, seqEnd: 1, payloadLength: 0, ack: 1,
        options: 'any', time: rel(0), ...at(17) },
      { type: 'packet', direction: 'in', flags: '.', seqStart: 1, seqEnd: 1, payloadLength: 0, ack: 2, window: 257,
        time: rel(100000), ...at(20) },
      { type: 'packet', direction: 'in', flags: 'F.', seqStart: 1, seqEnd: 1, payloadLength: 0, window: 65535,
        options: [{ kind: 'mss', value: 100 }], time: rel(100000), ...at(23) },
      { type: 'packet', direction: 'out', flags: '.', seqStart: 2, seqEnd: 2, payloadLength: 0, ack: 2,
        options: 'any', time: rel(0), ...at(26) },
      { type: 'command', command: 'sleep 1000000', time: rel(0), ...at(28) },
    ]);
  });

  it('keeps each event line as written', () => {
    assert.equal(script.events[3].text, '+0  < S 0:0(0) win 65535  <mss 100>');
    assert.equal(script.events[10].text, '+.1 < F. 1:1(0) win 65535  <mss 100>');
  });

  it('leaves absent fields out rather than undefined (the FIN carries no ack)', () => {
    const fin = script.events[10];
    assert.ok(fin.type === 'packet');
    assert.deepEqual(['ack' in fin, 'window' in fin, 'options' in fin, 'urg' in fin], [false, true, true, false]);
    const synAck = script.events[4];
    assert.ok(synAck.type === 'packet');
    assert.equal('window' in synAck, false);
  });
});

describe('packetdrill parser: layout', () => {
  it('skips // and multi-line /* */ comments and blank lines, keeping line numbers', () => {
    const script = parseScript([
      '// header',
      '/* a comment',
      '   over two lines */ 0 close(3) = 0  // trailing',
      '',
      '/* inline */ +1 close(4) = 0',
    ].join('\n'));
    assert.deepEqual(script.events.map((e) => [e.line, e.text]), [
      [3, '   over two lines */ 0 close(3) = 0  // trailing'],
      [5, '/* inline */ +1 close(4) = 0'],
    ]);
  });

  it('does not take // inside a command or a string for a comment', () => {
    const script = parseScript('0 `echo a//b`\n+0 open("/tmp//x", O_RDONLY) = 3');
    assert.deepEqual(script.events[0].type === 'command' && script.events[0].command, 'echo a//b');
    assert.deepEqual(script.events[1].type === 'syscall' && script.events[1].args[0], { kind: 'string', value: '/tmp//x' });
  });

  it('lets an event span lines, as packetdrill does, and reports it from its time', () => {
    const script = parseScript('0 setsockopt(4, SOL_SOCKET, SO_LINGER,\n             {onoff=1, linger=0}, 8) = 0\n+0 close(4) = 0');
    assert.deepEqual(script.events.map((e) => e.line), [1, 3]);
    assert.equal(script.events[0].text, '0 setsockopt(4, SOL_SOCKET, SO_LINGER,\n             {onoff=1, linger=0}, 8) = 0');
  });

  it('reads CRLF line ends', () => {
    const script = parseScript('--tolerance_usecs=5\r\n0 close(3) = 0\r\n');
    assert.deepEqual(script.options, { tolerance_usecs: '5' });
    assert.equal(script.events[0].text, '0 close(3) = 0');
  });
});

describe('packetdrill parser: options and untimed commands', () => {
  it('collects --name=value and --name before the first event', () => {
    const script = parseScript([
      '--tolerance_usecs=1000000',
      '--strict_segments',
      '--local_ip=192.168.0.1 --remote_ip=fd::1',
      '--define=CC="reno"',
      '--cmd="a b"',
      '0 close(3) = 0',
    ].join('\n'));
    assert.deepEqual(script.options, {
      tolerance_usecs: '1000000', strict_segments: '', local_ip: '192.168.0.1', remote_ip: 'fd::1', define: 'CC="reno"', cmd: 'a b',
    });
  });

  it('reads the init command before the events and the cleanup command after them', () => {
    const script = parseScript('--mss=1000\n`../common/defaults.sh`\n0 close(3) = 0\n`echo done`\n');
    assert.deepEqual(script.initCommand, { line: 2, text: '`../common/defaults.sh`', command: '../common/defaults.sh' });
    assert.deepEqual(script.cleanupCommand, { line: 4, text: '`echo done`', command: 'echo done' });
    assert.equal(script.events.length, 1);
  });

  it('accepts a script without events', () => {
    assert.deepEqual(parseScript('// nothing\n'), { options: {}, events: [] });
  });
});

describe('packetdrill parser: times', () => {
  for (const [written, time] of [
    ['0', abs(0)],
    ['.1', abs(100000)],
    ['1.5', abs(1500000)],
    ['0.100', abs(100000)],
    ['4.35', abs(4350000)], // 4.35 * 1e6 is 4349999.999... in floating point
    ['1.0000009', abs(1000000)], // below a microsecond: cut, as packetdrill does
    ['+0', rel(0)],
    ['+.01', rel(10000)],
    ['+ 2', rel(2000000)],
    ['*', { kind: 'any', usecs: 0 }],
    ['0.1~0.2', { kind: 'absolute', usecs: 100000, end: { kind: 'absolute', usecs: 200000 } }],
    ['+.3~+.310', { kind: 'relative', usecs: 300000, end: { kind: 'relative', usecs: 310000 } }],
  ] as const) {
    it(`reads ${written}`, () => {
      assert.deepEqual(one(`${written} > . 1:1(0) ack 1`).time, time);
    });
  }

  it('reads blocking calls: T1...T2 with the end read like the start', () => {
    assert.deepEqual(one('+0...0.100 read(4, ..., 2000) = 2000').time, { kind: 'relative', usecs: 0, end: { kind: 'relative', usecs: 100000 } });
    assert.deepEqual(one('+.1...0.200 accept(3, ..., ...) = 4').time, { kind: 'relative', usecs: 100000, end: { kind: 'relative', usecs: 200000 } });
    assert.deepEqual(one('+0 ...0.010 close(4) = 0').time, { kind: 'relative', usecs: 0, end: { kind: 'relative', usecs: 10000 } });
    assert.deepEqual(one('0.5...1 accept(3, ..., ...) = 4').time, { kind: 'absolute', usecs: 500000, end: { kind: 'absolute', usecs: 1000000 } });
  });

  it('also reads +T1...+T2', () => {
    const event = syscall('+0...+2 read(4, ..., 100) = 100');
    assert.deepEqual(event.time, { kind: 'relative', usecs: 0, end: { kind: 'relative', usecs: 2000000 } });
    assert.equal(event.name, 'read');
  });
});

describe('packetdrill parser: packets', () => {
  it('reads flags into canonical order', () => {
    for (const [written, flags] of [['S', 'S'], ['S.', 'S.'], ['.', '.'], ['-', ''], ['PF.', 'FP.'], ['R.', 'R.'],
      ['SEW', 'SEW'], ['U.', '.U'], ['R', 'R'], ['FF.', 'F.']] as const) {
      assert.equal(packet(`0 < ${written} 0:0(0) win 1`).flags, flags, written);
    }
  });

  it('reads data segments and sequence numbers up to 2^32-1, wrapping the end', () => {
    assert.deepEqual(packet('+0 > P. 1:1001(1000) ack 1').payloadLength, 1000);
    const wrap = packet('+0 < P. 4294967251:57(102) ack 4294967295 win 65535');
    assert.deepEqual([wrap.seqStart, wrap.seqEnd, wrap.payloadLength, wrap.ack], [4294967251, 57, 102, 4294967295]);
  });

  it('reads nested arguments: struct msghdr with iovecs and cmsgs, poll\'s pollfds', () => {
    const call = (text: string) => { const e = parseScript(text).events[0]; assert.equal(e.type, 'syscall'); return e; };
    const msg = call('0 recvmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 100}, {..., 50}], msg_flags=0, '
      + 'msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=8000}]}, 0) = 150');
    assert.deepEqual(msg.args[1], { kind: 'nested', value: { positional: [], fields: {
      msg_name: null, msg_iov: [{ fields: {}, positional: [null, 100] }, { fields: {}, positional: [null, 50] }], msg_flags: 0,
      msg_control: [{ fields: { cmsg_level: 'SOL_TCP', cmsg_type: 'TCP_CM_INQ', cmsg_data: 8000 }, positional: [] }],
    } } });
    const poll = call('0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1');
    assert.deepEqual(poll.args[0], { kind: 'nested', value: [{ fields: { fd: 4, events: 'POLLIN|POLLOUT', revents: 'POLLOUT' }, positional: [] }] });
    // flat ones keep their simple forms
    assert.deepEqual(call('0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0').args[3], { kind: 'struct', fields: { onoff: 1, linger: 0 } });
    assert.deepEqual(call('0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0').args[3], { kind: 'array', items: [65536] });
  });

  it('reads (tos 0xNN) and (ttl N), or in [ ], before the flags', () => {
    const tos = packet('+0 < (tos 0x28) S 0:0(0) win 1');
    assert.deepEqual([tos.tos, tos.ttl, tos.flags], [0x28, undefined, 'S']);
    assert.deepEqual([packet('+0 > [ttl 4] R. 0:0(0) ack 1').ttl, packet('+0 > . 1:1(0)').tos], [4, undefined]);
    assert.ok(!('tos' in packet('+0 > . 1:1(0)')));
  });

  it("reads start:end(length)! as absolute sequence numbers (nplab packetdrill's form)", () => {
    const rst = packet('+0 > (ttl 4) R. 0:0(0)! ack 1 win 0');
    assert.deepEqual([rst.absoluteSeq, rst.seqStart, rst.ack, rst.ttl], [true, 0, 1, 4]);
    assert.ok(!('absoluteSeq' in packet('+0 > R. 0:0(0) ack 1')));
  });

  it('records which of ack, win, urg and options are written', () => {
    const bare = packet('+0 > . 1:1(0)');
    assert.deepEqual(['ack', 'window', 'urg', 'options'].filter((k) => k in bare), []);
    const full = packet('+0 < U. 1:101(100) ack 1 win 257 urg 100 <nop,nop,TS val 2 ecr 10000>');
    assert.deepEqual([full.ack, full.window, full.urg], [1, 257, 100]);
  });

  for (const [line, options] of [
    ['+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>',
      [{ kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }]],
    ['+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>',
      [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'timestamp', val: 100, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 8 }]],
    ['+0 < . 1:1(0) ack 1 win 257 <sack 5001:6001 7001:8001,nop,nop>',
      [{ kind: 'sack', blocks: [[5001, 6001], [7001, 8001]] }, { kind: 'nop' }, { kind: 'nop' }]],
    ['+0 > . 1001:1001(0) ack 1 <nop, nop, sack 0:1>', [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[0, 1]] }]],
    ['+0 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 4294967295 ecr 700>',
      [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: 4294967295, ecr: 700 }]],
    ['+0 < S 0:0(0) win 0 <wscale 14,eol>', [{ kind: 'wscale', value: 14 }, { kind: 'eol' }]],
    ['+0 > S. 0:0(0) ack 1 <...>', 'any'],
  ] as const) {
    it(`reads options: ${line}`, () => {
      assert.deepEqual(packet(line).options, options);
    });
  }
});

describe('packetdrill parser: system calls', () => {
  const int = (value: number) => ({ kind: 'integer', value });
  const id = (name: string) => ({ kind: 'identifier', name });
  const ellipsis = { kind: 'ellipsis' };

  for (const [line, name, args, result] of [
    ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', 'socket', [ellipsis, id('SOCK_STREAM'), id('IPPROTO_TCP')], { value: 3 }],
    ['+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0', 'setsockopt',
      [int(3), id('SOL_SOCKET'), id('SO_REUSEADDR'), { kind: 'array', items: [1] }, int(4)], { value: 0 }],
    ['+0 bind(3, ..., ...) = 0', 'bind', [int(3), ellipsis, ellipsis], { value: 0 }],
    ['+0 listen(3, 1) = 0', 'listen', [int(3), int(1)], { value: 0 }],
    ['+.1 accept(3, ..., ...) = 4', 'accept', [int(3), ellipsis, ellipsis], { value: 4 }],
    ['+0 write(4, ..., 1000) = 1000', 'write', [int(4), ellipsis, int(1000)], { value: 1000 }],
    ['+0 read(4, ..., 100) = 100', 'read', [int(4), ellipsis, int(100)], { value: 100 }],
    ['+0 close(4) = 0', 'close', [int(4)], { value: 0 }],
    ['+0 shutdown(4, SHUT_WR) = 0', 'shutdown', [int(4), id('SHUT_WR')], { value: 0 }],
    ['+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0', 'setsockopt',
      [int(4), id('SOL_SOCKET'), id('SO_LINGER'), { kind: 'struct', fields: { onoff: 1, linger: 0 } }, int(8)], { value: 0 }],
    ['+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0', 'setsockopt',
      [int(4), id('SOL_SOCKET'), id('SO_LINGER'), { kind: 'struct', fields: { l_onoff: 1, l_linger: 0 } }, int(8)], { value: 0 }],
    ['+0 setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [7200], 4) = 0', 'setsockopt',
      [int(3), id('IPPROTO_TCP'), id('TCP_KEEPIDLE'), { kind: 'array', items: [7200] }, int(4)], { value: 0 }],
    ['+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0', 'getsockopt',
      [int(3), id('SOL_SOCKET'), id('SO_ERROR'), { kind: 'array', items: [0] }, { kind: 'array', items: [4] }], { value: 0 }],
    ['+0 write(4, ..., 10) = -1 EPIPE (Broken pipe)', 'write', [int(4), ellipsis, int(10)], { value: -1, errno: 'EPIPE' }],
    ['+0 write(4, ..., 100) = -1 EPIPE(Broken Pipe)', 'write', [int(4), ellipsis, int(100)], { value: -1, errno: 'EPIPE' }],
    ['+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)', 'read', [int(4), ellipsis, int(1000)],
      { value: -1, errno: 'EAGAIN' }],
    ['+0 read(4, ..., 1000) = -1 ECONNRESET', 'read', [int(4), ellipsis, int(1000)], { value: -1, errno: 'ECONNRESET' }],
    ['+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)', 'fcntl', [int(3), id('F_GETFL')], { value: 2 }],
    ['+0 open("/dev/null", 0x0) = 5', 'open', [{ kind: 'string', value: '/dev/null' }, int(0)], { value: 5 }],
    ['+0 getpid() = 7', 'getpid', [], { value: 7 }],
    ['+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0', 'fcntl',
      [int(3), id('F_SETFL'), { kind: 'or', terms: ['O_RDWR', 'O_NONBLOCK'] }], { value: 0 }],
    ['+0 fcntl(3, F_SETFL, 0x2|0x800) = 0', 'fcntl', [int(3), id('F_SETFL'), int(0x802)], { value: 0 }],
    ['+0 recv(4, ..., 10, MSG_PEEK) = 3', 'recv', [int(4), ellipsis, int(10), id('MSG_PEEK')], { value: 3 }],
    ['+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [ -1 ], 4) = -1 EINVAL (Invalid argument)', 'setsockopt',
      [int(3), id('SOL_SOCKET'), id('SO_RCVBUF'), { kind: 'array', items: [-1] }, int(4)], { value: -1, errno: 'EINVAL' }],
  ] as const) {
    it(`reads ${line}`, () => {
      const event = syscall(line);
      assert.deepEqual([event.name, event.args, event.result], [name, args, result]);
    });
  }

  it('reads a %{ }% code event, across lines, up to the first }%', () => {
    const script = parseScript('+0 %{ assert tcpi_snd_cwnd == 10, \\\n   tcpi_snd_cwnd }%\n+0 close(3) = 0');
    assert.equal(script.events.length, 2);
    assert.deepEqual(script.events[0], {
      type: 'code', code: ' assert tcpi_snd_cwnd == 10, \\\n   tcpi_snd_cwnd ', line: 1,
      text: '+0 %{ assert tcpi_snd_cwnd == 10, \\\n   tcpi_snd_cwnd }%', time: rel(0),
    });
  });

  it('keeps the #ifdef branches of defined names, blanking the rest (line numbers stay)', () => {
    const text = '0 close(3) = 0\n#ifdef STANDARD\n+0 close(4) = 0\n#else\n+0 close(5) = 0\n#endif\n#ifndef STANDARD\n+0 close(6) = 0\n#endif';
    const lines = (defines: string[]) => parseScript(text, 'x', defines).events.map((e) => `${e.line}:${e.text}`);
    assert.deepEqual(lines(['STANDARD']), ['1:0 close(3) = 0', '3:+0 close(4) = 0']);
    assert.deepEqual(lines([]), ['1:0 close(3) = 0', '5:+0 close(5) = 0', '8:+0 close(6) = 0']);
  });

  it('reads a timed shell command', () => {
    const event = one('+0 `sleep 1`');
    assert.deepEqual(event, { type: 'command', command: 'sleep 1', line: 1, text: '+0 `sleep 1`', time: rel(0) });
  });
});

describe('packetdrill parser: errors', () => {
  it('formats the message like packetdrill, with the line and a caret', () => {
    assert.throws(() => parseScript('0 close(3) = 0\n+0 < SX 0:0(0) win 1', 'x.pkt'), (err: unknown) => {
      assert.ok(err instanceof PktSyntaxError);
      assert.equal(err.message, "x.pkt:2: syntax error: unknown TCP flag 'X'\n  +0 < SX 0:0(0) win 1\n        ^");
      return true;
    });
  });

  for (const [what, text, line, column, detail] of [
    ['an unknown flag letter', '0 close(3) = 0\n\n+0 < SX 0:0(0) win 1', 3, 7, "unknown TCP flag 'X'"],
    ['packetdrill\'s AE flag', '0 < SA 0:0(0) win 1', 1, 6, "unknown TCP flag 'A'"],
    ['no flags', '0 < 0:0(0) win 1', 1, 5, "expected TCP flags (S F R P . E W U, or -), got '0'"],
    ['a missing = result', '0 socket(..., SOCK_STREAM, IPPROTO_TCP)\n+0 close(3) = 0', 1, 40, "missing '= result' after socket()"],
    ['a missing result', '0 close(3) =\n+0 close(4) = 0', 1, 13, 'missing an integer result'],
    ['a result that is no integer', '0 close(3) = ...', 1, 14, "expected an integer result, got '...'"],
    ['an unterminated /*', '// fine\n0 close(3) = 0\n  /* never closed\n+0 close(4) = 0', 3, 3, 'unterminated /* comment'],
    ['an unknown TCP option', '0 < S 0:0(0) win 1 <mss 1, bogus 3>', 1, 28, "unknown TCP option 'bogus 3'"],
    ['a misspelt option', '0 < S 0:0(0) win 1 <nop,nop,TS val 1 ecs 2>', 1, 38, "expected 'ecr', got 'ecs'"],
    ['an empty option list', '0 < S 0:0(0) win 1 <>', 1, 21, "expected a TCP option, got '>'"],
    ['an option value out of range', '0 < S 0:0(0) win 1 <mss 65536>', 1, 25, 'mss value out of range: 65536'],
    ['a missing >', '0 < S 0:0(0) win 1 <mss 100\n+0 close(3) = 0', 1, 28, "missing ',' or '>' in the TCP options"],
    ['options not filling 32-bit words', '0 < S 0:0(0) win 1 <sackOK, wscale 7, eol>', 1, 20, '2 excess bytes'],
    ['too many options', '0 < . 1:1(0) win 1 <sack 1:2 3:4 5:6 7:8,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop>', 1, 20, 'TCP header too large'],
    ['<...> inbound', '0 < S 0:0(0) win 1 <...>', 1, 20, '<...> for TCP options can only be used with outbound packets'],
    ['an inbound packet without a window', '0 < S 0:0(0) <mss 100>', 1, 3, 'window must be specified for inbound packets'],
    ['a window over 16 bits', '0 < S 0:0(0) win 65536', 1, 18, 'TCP window value out of range: 65536'],
    ['fields out of order', '0 > . 1:1(0) win 5 ack 1', 1, 20, "unexpected 'ack' after the event"],
    ['a misspelt field', '0 > . 1:1(0) ack 1 window 5', 1, 20, "unexpected 'window' after the event"],
    ['an inconsistent length', '0 < S 0:5(3) win 1', 1, 7, '0:5(3): end - start must equal the length'],
    ['a sequence number over 32 bits', '0 < S 4294967296:4294967296(0) win 1', 1, 7, 'TCP start sequence number (start:end(length)) out of range'],
    ['a line without a time', '0 close(3) = 0\nclose(4) = 0', 2, 1, 'an event must start with a time'],
    ['a negative time', '-1 close(3) = 0', 1, 1, 'negative time'],
    ['a hex time', '0x10 close(3) = 0', 1, 1, 'an event must start with a time'],
    ['a mixed range', '+1~2 > . 1:1(0) ack 1', 1, 4, 'a relative range is written +T1~+T2'],
    ['a backwards range', '2~1 > . 1:1(0) ack 1', 1, 1, 'time range is backwards'],
    ['a range on an inbound packet', '1~2 < . 1:1(0) win 1', 1, 1, 'event time range can only be used with outbound packets'],
    ['* on a system call', '0 close(3) = 0\n* close(4) = 0', 2, 1, 'event time * can only be used with outbound packets'],
    ['+ on the end of an absolute blocking call', '0...+1 read(4, ..., 1) = 1', 1, 5, "'+' on a blocking call's end needs a relative start"],
    ['a blocking call ending before it starts', '+.2...0.1 read(4, ..., 1) = 1', 1, 4, 'the blocking call returns before it starts'],
    ['an option after an event', '0 close(3) = 0\n--tolerance_usecs=1', 2, 1, 'options must come before the first event'],
    ['an option with spaces', '--tolerance_usecs = 1', 1, 19, 'write the option as --tolerance_usecs=value, without spaces'],
    ['a command without a time mid-script', '0 close(3) = 0\n`echo`\n+0 close(4) = 0', 2, 1, 'a `command` needs a time'],
    ['an unterminated command', '0 `sleep 1\n+0 close(3) = 0', 1, 3, 'unterminated ` command'],
    ['an unterminated string', '0 open("/tmp, 0) = 3', 1, 8, 'unterminated string'],
    ['a | without a right side', '0 fcntl(3, F_SETFL, O_RDWR|) = 0', 1, 28, "expected an integer or a name, got ')'"],
    ['a struct field without a value', '0 recvmsg(4, {msg_flags=}, 0) = 0', 1, 25, "expected an integer or a name, got '}'"],
    ['an unclosed count on a field', '0 recvmsg(4, {msg_iov(1=[]}, 0) = 0', 1, 24, "expected ')' after msg_iov(, got '='"],
    ['a decimal TOS', '0 < (tos 40) S 0:0(0) win 1', 1, 10, "expected a hex TOS value (tos 0xNN), got '40'"],
    ['an ECN annotation', '0 < (ect0) S 0:0(0) win 1', 1, 6, "expected 'tos 0xNN' or 'ttl N'"],
    ['a TTL over 8 bits', '0 < (ttl 256) S 0:0(0) win 1', 1, 10, 'TTL out of range: 256'],
    ['an unclosed IP annotation', '0 < (ttl 3 S 0:0(0) win 1', 1, 12, "expected ')' after the IP header values, got 'S'"],
    ['an #ifdef without #endif', '#ifdef FreeBSD\n0 close(3) = 0', 1, 1, '#ifdef without #endif'],
    ['an #endif without #ifdef', '0 close(3) = 0\n#endif', 2, 1, '#endif without #ifdef'],
    ['an unclosed note', '0 write(4, ..., 1) = -1 EPIPE (Broken pipe\n+0 close(4) = 0', 1, 31, "unclosed '(' after the result"],
  ] as const) {
    it(`rejects ${what}`, () => rejects(text, line, column, detail));
  }
});
