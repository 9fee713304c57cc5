// The packetdrill corpus (host-test/pkt/**/*.pkt) runs against the engine and must pass;
// the deliberately wrong scripts in host-test/pkt-fail/ must fail, each with the message
// its first line names. Also the parser on its own, and the CLI's exit status.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runFile } from '../host/pkt/main';
import { PktSyntaxError, parseScript } from '../host/pkt/parse';

const root = path.join(__dirname, '..', '..');
const corpus = path.join(root, 'host-test', 'pkt');
const failing = path.join(root, 'host-test', 'pkt-fail');
const seed = path.join(corpus, 'close', 'seed-server-active-close.pkt');

function scripts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pkt')).sort().map((f) => path.join(dir, f));
}

describe('packetdrill corpus', () => {
  const files = scripts(corpus);

  it('has at least 60 scripts, each naming what it follows in a comment', () => {
    assert.ok(files.length >= 60, `${files.length} scripts`);
    for (const f of files) assert.match(readFileSync(f, 'utf8'), /^\/\//, `${f} starts with a comment`);
  });

  for (const file of files) {
    it(`passes ${path.relative(corpus, file)}`, () => {
      const verdict = runFile(file);
      assert.ok(verdict.ok, verdict.message);
    });
  }
});

describe('packetdrill runner catches wrong scripts', () => {
  for (const file of scripts(failing)) {
    it(`fails ${path.basename(file)}`, () => {
      const expected = /^\/\/ expect-failure: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
      assert.ok(expected, 'the script names its expected failure');
      const verdict = runFile(file);
      assert.equal(verdict.ok, false);
      assert.ok(verdict.message.includes(expected), `message: ${verdict.message}`);
    });
  }
});

describe('packetdrill parser', () => {
  it('reads the seed script into its events', () => {
    const script = parseScript(readFileSync(seed, 'utf8'), 'seed');
    assert.deepEqual(script.options, { tolerance_usecs: '1000000' });
    assert.deepEqual(script.events.map((e) => e.type), ['syscall', 'syscall', 'syscall', 'packet', 'packet', 'packet',
      'syscall', 'syscall', 'packet', 'packet', 'packet', 'packet', 'command']);
    const [syn, synAck, ack] = script.events.slice(3, 6);
    assert.deepEqual(syn, {
      type: 'packet', direction: 'in', flags: 'S', seqStart: 0, seqEnd: 0, payloadLength: 0, window: 65535,
      options: [{ kind: 'mss', value: 100 }], line: syn.line, text: syn.text, time: { kind: 'relative', usecs: 0 },
    });
    assert.equal(synAck.type === 'packet' && synAck.options, 'any');
    assert.deepEqual(ack.time, { kind: 'absolute', usecs: 100000 });
    const command = script.events[12];
    assert.equal(command.type === 'command' && command.command, 'sleep 1000000');
  });

  it('reads times, ranges, blocking calls, errno results and option lists', () => {
    const script = parseScript([
      '/* a block',
      '   comment */ --tolerance_usecs=5000',
      '* > . 1:1(0) ack 1',
      '1.5~2 > P. 1:11(10) ack 1 win 100 <nop,nop,TS val 1 ecr 2>',
      '+0...+2.5 read(4, ..., 100) = 100',
      '+0 write(4, ..., 10) = -1 EPIPE (Broken pipe)',
      '+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0',
      '+0 < - 5:5(0) win 0 <nop, nop, sackOK, nop, wscale 7>',
    ].join('\n'), 't');
    const [any, range, blocking, epipe, linger, none] = script.events;
    assert.equal(any.time.kind, 'any');
    assert.deepEqual(range.time, { kind: 'absolute', usecs: 1500000, end: { kind: 'absolute', usecs: 2000000 } });
    assert.ok(range.type === 'packet');
    assert.deepEqual(range.options, [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', val: 1, ecr: 2 }]);
    assert.deepEqual(blocking.time, { kind: 'relative', usecs: 0, end: { kind: 'relative', usecs: 2500000 } });
    assert.deepEqual(epipe.type === 'syscall' && epipe.result, { value: -1, errno: 'EPIPE' });
    assert.deepEqual(linger.type === 'syscall' && linger.args[3], { kind: 'struct', fields: { onoff: 1, linger: 0 } });
    assert.equal(none.type === 'packet' && none.flags, '');
    assert.equal(script.options.tolerance_usecs, '5000');
  });

  for (const [text, line, message] of [
    ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < X 0:0(0) win 1', 2, "unknown TCP flag 'X'"],
    ['0 socket(..., SOCK_STREAM, IPPROTO_TCP)', 1, "missing '= result'"],
    ['// fine\n/* never closed\n0 close(3) = 0', 2, 'unterminated /* comment'],
    ['0 < S 0:0(0) win 1 <mss 1, bogus 3>', 1, "unknown TCP option 'bogus 3'"],
    ['0 < S 0:5(3) win 1', 1, 'end - start must equal the length'],
    ['close(3) = 0', 1, 'an event must start with a time'],
  ] as const) {
    it(`rejects with a line number: ${message}`, () => {
      assert.throws(() => parseScript(text, 'bad.pkt'), (err: unknown) => {
        assert.ok(err instanceof PktSyntaxError);
        assert.equal(err.line, line);
        assert.ok(err.message.startsWith(`bad.pkt:${line}: syntax error: `), err.message);
        assert.ok(err.message.includes(message), err.message);
        return true;
      });
    });
  }
});

describe('slotcp pkt (CLI)', () => {
  const cli = path.join(root, 'bin', 'slotcp.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'pkt', ...args], { encoding: 'utf8' });

  it('exits 0 on the seed script', () => {
    const r = run(seed);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /seed-server-active-close\.pkt: pass \(13 events\)/);
  });

  it('exits 1 with packetdrill-style detail on a wrong script', () => {
    const r = run(path.join(failing, 'wrong-ack.pkt'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /wrong-ack\.pkt:27: bad outbound packet: ack 2 instead of 3\n {2}script: \+0 > \. 2:2\(0\) ack 3 <\.\.\.>\n {2}actual: \. 2:2\(0\) ack 2 win 1072/);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(run().status, 2);
    assert.equal(run('--bogus').status, 2);
  });
});
