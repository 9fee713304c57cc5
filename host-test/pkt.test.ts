// The packetdrill corpus (host-test/pkt/**/*.pkt) runs against the engine and must pass;
// the deliberately wrong scripts in host-test/pkt-fail/ must fail, each with the message
// its first line names. Also the CLI's exit status (the parser has pkt-parse.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runFile } from '../host/pkt/main';

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

// The same scripts with an idle connection in the first slot: the script's connection is
// then in another row of the slot table (a row computed wrongly for slot 1 and up shows).
describe('packetdrill corpus beside an idle connection', () => {
  const { parseScript } = require('../host/pkt/parse') as typeof import('../host/pkt/parse');
  const { runScript } = require('../host/pkt/run') as typeof import('../host/pkt/run');
  for (const file of scripts(corpus)) {
    it(`passes ${path.relative(corpus, file)} in the second slot`, () => {
      runScript(parseScript(readFileSync(file, 'utf8'), file), file, { bystander: true });
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

describe('packetdrill runner: packetdrill-mode checks and peer differences', () => {
  // The peer suites' scripts are data in ../shared/peer-pkt (npm run peer); these checks
  // need none of them.
  const { parseScript } = require('../host/pkt/parse') as typeof import('../host/pkt/parse');
  const { runScript } = require('../host/pkt/run') as typeof import('../host/pkt/run');
  const { differences, peerRunOptions } = require('../host/pkt/peer') as typeof import('../host/pkt/peer');
  const handshake = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
`;

  it('lists every neutralized difference with what, why and an RFC', () => {
    assert.ok(differences.length >= 8);
    for (const d of differences) assert.ok(d.what && d.why && d.rfc && d.suites.length, JSON.stringify(d));
    for (const d of differences) if (d.scripts) assert.ok(d.label && d.scripts.length, JSON.stringify(d));
  });

  it('names n/a scripts that exist in the suites, once each (when ../shared/peer-pkt is here)', function () {
    const { existsSync } = require('node:fs') as typeof import('node:fs');
    const { peerRoot } = require('../host/pkt/peer') as typeof import('../host/pkt/peer');
    const listed = differences.flatMap((d) => d.scripts ?? []);
    assert.equal(new Set(listed).size, listed.length);
    if (!existsSync(peerRoot())) this.skip();
    for (const script of listed) assert.ok(existsSync(path.join(peerRoot(), script)), script);
  });

  it('checks nothing after the last line in packetdrill mode, as packetdrill', () => {
    const script = parseScript(`${handshake}+0 < P. 1:11(10) ack 1 win 257\n`);
    assert.throws(() => runScript(parseScript(`--mss=1460\n${handshake}`), 'x', { packetdrillChecks: false }), /unknown|options/);
    assert.doesNotThrow(() => runScript(script, 'x', peerRunOptions('linux')));
    assert.throws(() => runScript(script, 'x', { config: peerRunOptions('linux').config }), /options|unexpected/);
  });

  it("tolerates as packetdrill does: the larger of --tolerance_usecs and --tolerance_percent (12.5% by default) of the time since the previous event", () => {
    // The delayed ACK goes 40 ms after the data (the peer run's delayedAckMs); the script
    // says 45 ms: 5 ms early, past the 4 ms tolerance but within 12.5% of 45 ms (5.6 ms).
    const late = parseScript(`${handshake}+0 < P. 1:2(1) ack 1 win 257\n+.045 > . 1:1(0) ack 2\n`);
    assert.doesNotThrow(() => runScript(late, 'x', peerRunOptions('freebsd')));
    assert.throws(() => runScript(parseScript(`--tolerance_percent=0\n${handshake}+0 < P. 1:2(1) ack 1 win 257\n+.045 > . 1:1(0) ack 2\n`), 'x',
      peerRunOptions('freebsd')), /timing error: expected packet at 0\.145000 sec but happened at 0\.140000 sec; tolerance 0\.004000 sec/);
    // 12.5% of 46 ms is 5.75 ms: 6 ms early fails.
    assert.throws(() => runScript(parseScript(`${handshake}+0 < P. 1:2(1) ack 1 win 257\n+.046 > . 1:1(0) ack 2\n`), 'x',
      peerRunOptions('freebsd')), /tolerance 0\.005750 sec/);
    // slotcp's own mode: no share of the gap unless the script asks.
    assert.throws(() => runScript(late, 'x', { ...peerRunOptions('freebsd'), packetdrillChecks: false }), /tolerance 0\.004000 sec/);
    // A blocking call's return: a share of its own span (T2 - T1), not of the gap before it.
    const opened = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0 bind(3, ..., ...) = 0\n0 listen(3, 1) = 0\n'
      + '.1 < S 0:0(0) win 65535 <mss 536>\n.1 > S. 0:0(0) ack 1 <...>\n.2 < . 1:1(0) ack 1 win 65535\n.2 accept(3, ..., ...) = 4\n';
    const blocking = (call: string, data: string) => parseScript(`${opened}${call} read(4, ..., 100) = 10\n${data} < P. 1:11(10) ack 1 win 65535\n`);
    // 100 ms early in a 1 s span (125 ms allowed) passes; 490 ms late after a 10 ms span fails.
    assert.doesNotThrow(() => runScript(blocking('.2...1.2', '1.1'), 'x', { packetdrillChecks: true }));
    assert.throws(() => runScript(blocking('10...10.01', '10.5'), 'x', { packetdrillChecks: true }), /:8: read\(\) blocked past 10\.010000 sec/);
  });

  it("lets slotcp scale peer scripts' inbound windows itself, SYN-ACK options written or <...> (257 << 7 fits 5840 bytes)", () => {
    for (const text of [handshake, handshake.replace('<mss 1460,nop,nop,sackOK,nop,wscale 8>', '<...>')]) {
      const script = parseScript(`${text}+0 write(4, ..., 5840) = 5840\n+0 > . 1:4381(4380) ack 1\n`);
      assert.doesNotThrow(() => runScript(script, 'x', peerRunOptions('linux')));
    }
  });

  it('compares whether the SYN-ACK carries Window Scale for peer scripts, not its shift', () => {
    const without = parseScript(handshake.replace(',nop,wscale 8>', '>'));
    assert.throws(() => runScript(without, 'x', peerRunOptions('linux')), /:5: bad outbound packet: options \[2 4 5 180 1 1 4 2 1 3 3 0\] lack or add MSS, SACK-permitted or Window Scale/);
    const offeredNone = parseScript(handshake.replace(',nop,nop,nop,wscale 7>', ',nop,nop>'));
    assert.throws(() => runScript(offeredNone, 'x', peerRunOptions('linux')), /:5: bad outbound packet: options \[2 4 5 180 1 1 4 2\] lack or add/);
  });

  it("compares every flag but PSH for Linux's scripts (PSH placement follows Linux's buffer layout)", () => {
    const script = parseScript(`${handshake}+0 write(4, ..., 1000) = 1000\n+0 > . 1:1001(1000) ack 1\n`);
    assert.doesNotThrow(() => runScript(script, 'x', peerRunOptions('linux')));
    assert.throws(() => runScript(script, 'x', peerRunOptions('freebsd')), /flags P\. instead of \./);
    const fin = parseScript(`${handshake}+0 write(4, ..., 1000) = 1000\n+0 > F. 1:1001(1000) ack 1\n`);
    assert.throws(() => runScript(fin, 'x', peerRunOptions('linux')), /flags P\. instead of F\./);
  });

  it("offers a non-blocking write just the bytes a Linux script expects it to take (its stack's buffer policy), and no others", () => {
    const nonBlocking = `${handshake}+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n`;
    const partial = parseScript(`${nonBlocking}+0 write(4, ..., 5000) = 1000\n+0 > P. 1:1001(1000) ack 1\n`);
    assert.doesNotThrow(() => runScript(partial, 'x', peerRunOptions('linux')));
    assert.throws(() => runScript(partial, 'x', peerRunOptions('freebsd')), /write\(\) returned 5000 instead of 1000/);
    const blocking = parseScript(`${handshake}+0 write(4, ..., 5000) = 1000\n`);
    assert.throws(() => runScript(blocking, 'x', peerRunOptions('linux')), /write\(\) returned 5000 instead of 1000/);
    const tooMuch = parseScript(`${nonBlocking}+0 write(4, ..., 2000000) = 1500000\n`);
    assert.throws(() => runScript(tooMuch, 'x', peerRunOptions('linux')), /write\(\) returned 1048576 instead of 1500000/);
  });

  it('a write the runner cuts short for a Linux script ends no record (MSG_EOR needs every byte taken)', () => {
    const script = parseScript(`--tolerance_usecs=0
--established
--tx=4000
+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 write(4, ..., 10) = 10
+0 > P. 1:11(10) ack 1 win 1072
+0 send(4, ..., 300, MSG_EOR) = 200
+0 write(4, ..., 100) = 100
+.01 < . 1:1(0) ack 11 win 65535
+0 > P. 11:311(300) ack 1 win 1072
+.01 < . 1:1(0) ack 311 win 65535
`);
    // The 200 bytes taken and the next write's 100 go in one segment: no mark between them.
    assert.doesNotThrow(() => runScript(script, 'x', { neutralize: new Set(['partial-writes']) }));
  });

  it("ignores TOS and TTL only on a RST while a socket is bound and none listens, for FreeBSD's scripts", () => {
    const bound = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, IPPROTO_IP, IP_TTL, [4], 4) = 0
+0 bind(3, ..., ...) = 0
+0 < S 0:0(0) win 65535 <mss 1460>
+0 > (ttl 4) R. 0:0(0)! ack 1 win 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460>
+0 > (ttl 5) S. 0:0(0) ack 1 <...>
`;
    const upToReset = parseScript(bound.split('\n').slice(0, 5).join('\n'));
    assert.doesNotThrow(() => runScript(upToReset, 'x', peerRunOptions('freebsd')));
    assert.throws(() => runScript(upToReset, 'x', peerRunOptions('linux')), /ttl 64 instead of 4/);
    assert.throws(() => runScript(parseScript(bound), 'x', peerRunOptions('freebsd')), /:8: bad outbound packet: ttl 4 instead of 5/);
  });

  it("takes a listener's reset for a SYN-ACK out of what FreeBSD's scripts see, and nothing else", () => {
    const synAck = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S. 17:20(3) ack 34 win 32767
+1 < S 0:0(0) win 32767 <mss 1460>
+0 > S. 0:0(0) ack 1 win 1072 <mss 1460>
`;
    assert.doesNotThrow(() => runScript(parseScript(synAck), 'x', peerRunOptions('freebsd')));
    // Without it the reset is the first segment the script's SYN-ACK line meets.
    assert.throws(() => runScript(parseScript(synAck), 'x', { packetdrillChecks: true, config: peerRunOptions('freebsd').config }),
      /:7: timing error: expected packet at 1\.000000 sec but happened at 0\.000000 sec[^]*actual: R 34:34\(0\)/);
    // With no listener (closed), the reset for no socket is compared as written.
    const closed = synAck.replace('+0 listen(3, 1) = 0\n', '+0 listen(3, 1) = 0\n+0 close(3) = 0\n').replace(/\+1 < S [^]*$/, '+0 > R 34:34(0) win 0\n');
    assert.doesNotThrow(() => runScript(parseScript(closed), 'x', peerRunOptions('freebsd')));
    // A plain ACK at the listener is still answered, and compared.
    const ack = synAck.replace('< S. 17:20(3) ack 34', '< . 17:20(3) ack 34');
    assert.throws(() => runScript(parseScript(ack), 'x', peerRunOptions('freebsd')), /:7: timing error: [^]*actual: R 34:34\(0\)/);
  });
});
