// The app-side API of Stack (stack.ts) on its own: what each call gives for a live and a
// dead handle, the arguments it refuses and its message, which calls read the clock,
// accept()'s order, and info() field by field. Wire behaviour is in host-test/pkt/.
import assert from 'node:assert/strict';
import { ConfigError, defaultConfig, makeConfig } from '../firmware/tcp/config';
import { TcpInfo, WriteFlag } from '../firmware/tcp/stack';
import { ACK, PSH, SYN, flagLetters } from '../firmware/tcp/wire';
import { Bench, CLIENT, Client, established } from './support/net';

/** Asserts that `call` throws a ConfigError with this message (a plain check: the XS
 *  harness's assert.throws takes no validation function). */
function throwsConfigError(call: () => unknown, message: string): void {
  try {
    call();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal((err as Error).message, message);
    return;
  }
  assert.fail(`no ConfigError: ${message}`);
}
const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);
const noEvents = { acceptable() {}, readable() {}, writable() {}, ended() {}, error() {} };

/** A stack listening on port 80 with `ports.length` connections, accepted in order; the
 *  first is in slot 0, the next in slot 1 and so on. */
function connected(ports: number[], options = {}) {
  const bench = new Bench();
  bench.stack.listen(80, options);
  bench.stack.setEvents(noEvents);
  const clients = ports.map((port) => {
    const c = new Client(bench, 80, port);
    c.connect();
    return c;
  });
  const handles = clients.map(() => bench.stack.accept(0));
  return { bench, stack: bench.stack, clients, handles };
}

/** Counts the stack's clock reads. */
function countClockReads(bench: Bench): { reads: number } {
  const counter = { reads: 0 };
  const now = bench.clock.now.bind(bench.clock);
  bench.clock.now = () => {
    counter.reads++;
    return now();
  };
  return counter;
}

describe('the config', () => {
  it('holds the fields set as its own, inherits the rest from the defaults, and is read-only', () => {
    const config = makeConfig({ localAddr: 1, slots: 6, mss: 1000, sack: undefined });
    // halfOpenLimit is set from slots when not given; undefined leaves the default.
    assert.deepEqual(Object.keys(config).sort(), ['halfOpenLimit', 'localAddr', 'mss', 'slots']);
    assert.deepEqual([config.slots, config.mss, config.halfOpenLimit], [6, 1000, 3]);
    assert.deepEqual([config.sack, config.rxBytes, config.congestion], [defaultConfig.sack, defaultConfig.rxBytes, 'reno']);
    assert.equal(Object.getPrototypeOf(config), defaultConfig);
    assert.throws(() => { (config as { mss: number }).mss = 536; }, TypeError);
    assert.throws(() => { (config as { ttl: number }).ttl = 1; }, TypeError);
  });

  it('refuses a congestion control or window update rule it does not know, by name', () => {
    throwsConfigError(() => makeConfig({ localAddr: 1, congestion: 'bbr' as 'reno' }), "slotcp config: congestion must be 'reno' or 'cubic', got bbr");
    throwsConfigError(() => makeConfig({ localAddr: 1, windowUpdates: 'eager' as 'linux' }), "slotcp config: windowUpdates must be 'linux' or 'freebsd', got eager");
  });
});

describe('Stack app API: handles, arguments, clock, info', () => {
  it('accepts the oldest waiting connection first, whatever slot it is in, then -1', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    bench.stack.setEvents(noEvents);
    assert.equal(bench.stack.accept(0), -1, 'nothing waiting');
    // Three connections fill slots 0, 1, 2 and are accepted; freeing slot 2, then 1, then
    // 0 and a new connection into each leaves the oldest waiting in slot 2, the newest in
    // slot 0.
    for (const port of [40000, 40001, 40002]) new Client(bench, 80, port).connect();
    const first = [0, 1, 2].map(() => bench.stack.accept(0));
    for (const [k, port] of [[2, 40010], [1, 40011], [0, 40012]]) {
      bench.stack.abort(first[k]);
      bench.take();
      new Client(bench, 80, port).connect();
    }
    const order: [number, number][] = [];
    for (let h = bench.stack.accept(0); h >= 0; h = bench.stack.accept(0)) order.push([h & 0xff, bench.stack.remotePort(h)]);
    assert.deepEqual(order, [[2, 40010], [1, 40011], [0, 40012]]);
    assert.equal(bench.stack.accept(0), -1);
  });

  it('answers a dead handle: -1, true, undefined, CLOSED, false; and sends nothing for it', () => {
    // Slot 0 closed by abort(), slot 1 live beside it and left as it was.
    const { bench, stack, handles, clients } = connected([40000, 40001]);
    const [dead, live] = handles;
    clients[1].write('hello');
    stack.abort(dead);
    bench.take();
    const deadline = stack.nextDeadline(); // the live connection's delayed ACK
    const info = { state: 'untouched' } as TcpInfo;
    assert.deepEqual([
      stack.available(dead), stack.ended(dead), stack.peerClosed(dead), stack.writable(dead), stack.readBuffer(dead, 10), stack.read(dead, bytes(4)),
      stack.write(dead, bytes(4)), stack.remoteAddress(dead), stack.remotePort(dead), stack.state(dead), stack.info(dead, info),
    ], [-1, true, true, -1, undefined, -1, -1, -1, -1, 'CLOSED', false]);
    assert.deepEqual(info, { state: 'untouched' });
    stack.setKeepalive(dead, 1000, 1000, 1);
    stack.setNoDelay(dead, true);
    stack.setCork(dead, true);
    stack.setCork(dead, false);
    stack.shutdown(dead);
    stack.closeWithin(dead, 1000);
    stack.setUserTimeout(dead, 1000);
    stack.setNotsentLowat(dead, 1000);
    stack.setTos(dead, 0x20);
    stack.setTtl(dead, 9);
    stack.close(dead);
    stack.abort(dead);
    assert.deepEqual(bench.take(), []);
    assert.deepEqual(stack.usage(), { slotsInUse: 1, timeWait: 0 });
    assert.equal(stack.nextDeadline(), deadline, 'no timer armed for the dead handle');
    assert.deepEqual([stack.state(live), stack.available(live), stack.remoteAddress(live), stack.remotePort(live)],
      ['ESTABLISHED', 5, CLIENT >>> 0, 40001]);
  });

  it('ends only once the peer has closed and every byte is read; peerClosed as soon as its FIN is in', () => {
    const { stack, handles: [h], clients: [c] } = connected([40000]);
    assert.equal(stack.ended(h), false, 'open, nothing waiting');
    c.write('abc');
    assert.equal(stack.peerClosed(h), false, 'data, no FIN');
    c.fin();
    assert.equal(stack.ended(h), false, 'FIN in, 3 bytes unread');
    assert.equal(stack.peerClosed(h), true, 'FIN in, 3 bytes unread');
    assert.equal(stack.read(h, bytes(2)), 2);
    assert.equal(stack.ended(h), false, '1 byte unread');
    assert.equal(stack.read(h, bytes(2)), 1);
    assert.equal(stack.ended(h), true);
    assert.equal(stack.peerClosed(h), true);
  });

  it('readBuffer: a length of 0 gives undefined, Infinity everything; a negative or fractional length throws', () => {
    const { stack, handles: [h], clients: [c] } = connected([40000]);
    c.write('abcdef');
    assert.equal(stack.readBuffer(h, 0), undefined);
    assert.equal(stack.available(h), 6);
    for (const length of [-1, 1.5, NaN]) {
      assert.throws(() => stack.readBuffer(h, length), {
        name: 'RangeError', message: `slotcp readBuffer: length ${length} is not a whole number of bytes`,
      });
    }
    assert.deepEqual([...new Uint8Array(stack.readBuffer(h, Infinity)!)], [...new TextEncoder().encode('abcdef')]);
    assert.equal(stack.readBuffer(h, Infinity), undefined, 'nothing left');
  });

  it('readBuffer on the second slot returns the bytes in order when they wrap around the ring', () => {
    const bench = new Bench({ rxBytes: 1024 });
    bench.stack.listen(80);
    bench.stack.setEvents(noEvents);
    const clients = [40000, 40001].map((port) => new Client(bench, 80, port));
    for (const c of clients) c.connect();
    const h = [bench.stack.accept(0), bench.stack.accept(0)][1];
    const c = clients[1];
    const sent = Uint8Array.from({ length: 1200 }, (_, k) => k & 0xff);
    c.write(sent.subarray(0, 800));
    assert.deepEqual([...new Uint8Array(bench.stack.readBuffer(h, 800)!)], [...sent.subarray(0, 800)]);
    c.write(sent.subarray(800)); // 224 bytes to the ring's end, then 176 from its start
    assert.deepEqual([...new Uint8Array(bench.stack.readBuffer(h, Infinity)!)], [...sent.subarray(800)]);
  });

  it('write and read with an offset and no length take the rest of the array', () => {
    const { bench, stack, handles: [h], clients: [c] } = connected([40000], { noDelay: true });
    const from = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(stack.write(h, from, 5), 3);
    assert.deepEqual(bench.take().map((s) => [flagLetters(s.flags), [...s.payload]]), [['P.', [6, 7, 8]]]);
    c.write(Uint8Array.from([9, 10, 11]));
    const into = bytes(6, 0);
    assert.equal(stack.read(h, into, 4), 2);
    assert.deepEqual([...into], [0, 0, 0, 0, 9, 10]);
  });

  it('setKeepalive refuses what is not whole ms up to 2^30, an interval under 1 or a count outside 1..255 (unless off)', () => {
    const { stack, handles: [h] } = connected([40000]);
    const message = 'slotcp setKeepalive: whole idleMs and intervalMs up to 2^30 (interval at least 1), count 1..255';
    const refused: [number, number, number][] = [
      [-1, 1000, 3], [1.5, 1000, 3], [0x40000000, 1000, 3], [NaN, 1000, 3],
      [1000, -1, 3], [1000, 1.5, 3], [1000, 0x40000000, 3], [0, -1, 0], [0, 0x40000000, 0],
      [1000, 0, 3], [1000, 1000, 0], [1000, 1000, 256], [1000, 1000, 1.5],
    ];
    for (const [idle, interval, count] of refused) {
      assert.throws(() => stack.setKeepalive(h, idle, interval, count), { name: 'RangeError', message }, `${idle} ${interval} ${count}`);
    }
    const taken: [number, number, number][] = [[0, 0, 0], [0x3fffffff, 0x3fffffff, 255], [1, 1, 1], [0, 5, 300]];
    for (const [idle, interval, count] of taken) stack.setKeepalive(h, idle, interval, count);
  });

  it('setKeepalive on the second slot times its first probe from the clock at the call', () => {
    const { bench, stack, handles, clients } = connected([40000, 40001]);
    bench.clock.time += 5000; // no poll: the stack has not read the clock since
    stack.setKeepalive(handles[1], 10000, 1000, 2);
    assert.equal(stack.nextDeadline(), 15000);
    const probes = bench.advance(10000);
    assert.deepEqual(probes.map((s) => [flagLetters(s.flags), s.dstPort, clients[1].rel(s.seq)]), [['.', 40001, 0]]);
  });

  it('setNoDelay(false) turns Nagle on for a connection accepted without it, and true off again', () => {
    const { bench, stack, handles: [h] } = connected([40000], { noDelay: true });
    stack.setNoDelay(h, false);
    stack.write(h, bytes(10));
    stack.write(h, bytes(10));
    assert.deepEqual(bench.take().map((s) => s.payload.length), [10], 'the second write waits for the ACK');
    stack.setNoDelay(h, true);
    assert.deepEqual(bench.take().map((s) => s.payload.length), [10], 'what Nagle held goes at once (as setting TCP_NODELAY in Linux)');
    stack.write(h, bytes(10));
    assert.deepEqual(bench.take().map((s) => s.payload.length), [10], 'no longer held');
  });

  it('closeWithin refuses a linger that is not whole ms from 0 to 2^30', () => {
    const { stack, handles: [h] } = connected([40000]);
    for (const linger of [-1, 1.5, 0x40000000, NaN]) {
      assert.throws(() => stack.closeWithin(h, linger), {
        name: 'RangeError', message: `slotcp closeWithin: lingerMs must be a whole number of ms up to 2^30, got ${linger}`,
      });
    }
    assert.equal(stack.state(h), 'ESTABLISHED');
    stack.closeWithin(h, 0x3fffffff);
    assert.equal(stack.state(h), 'CLOSED', 'the handle is let go');
  });

  it('setUserTimeout refuses what is not whole ms up to 2^30, and info() tells the setting', () => {
    const { stack, handles: [h] } = connected([40000], { userTimeoutMs: 5000 });
    const info = {} as TcpInfo;
    stack.info(h, info);
    assert.deepEqual([info.userTimeout, info.advMss], [5000, 536], 'from the listener');
    for (const ms of [-1, 1.5, 0x40000000, NaN]) {
      assert.throws(() => stack.setUserTimeout(h, ms), {
        name: 'RangeError', message: `slotcp setUserTimeout: userTimeoutMs must be a whole number of ms up to 2^30, got ${ms}`,
      });
    }
    stack.setUserTimeout(h, 0x3fffffff);
    stack.info(h, info);
    assert.equal(info.userTimeout, 0x3fffffff);
    stack.setUserTimeout(h, 0);
    stack.info(h, info);
    assert.equal(info.userTimeout, 0, 'back to maxRetries');
  });

  it('setNotsentLowat refuses what is not a whole number of bytes up to 2^30, and info() tells the setting', () => {
    const { stack, handles: [h] } = connected([40000]);
    const info = {} as TcpInfo;
    for (const bytes of [-1, 1.5, 0x40000000, NaN]) {
      assert.throws(() => stack.setNotsentLowat(h, bytes), {
        name: 'RangeError', message: `slotcp setNotsentLowat: bytes must be a whole number up to 2^30, got ${bytes}`,
      });
    }
    stack.setNotsentLowat(h, 0x3fffffff);
    stack.info(h, info);
    assert.equal(info.notsentLowat, 0x3fffffff);
    stack.setNotsentLowat(h, 0);
    stack.info(h, info);
    assert.equal(info.notsentLowat, 0, 'back to config.notsentLowat');
  });

  it('setNotsentLowat tells a writer held by the mark that it may write once the mark is raised', () => {
    // Linux's setsockopt(TCP_NOTSENT_LOWAT) wakes the socket's writers likewise.
    const bench = new Bench({ txBytes: 4096 });
    const events: string[] = [];
    bench.stack.listen(80, {});
    bench.stack.setEvents({ acceptable() {}, readable() {}, writable(_h: number, n: number) { events.push(`writable ${n}`); }, ended() {}, error() {} });
    const c = new Client(bench, 80, 40000);
    c.window = 536;
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.setNotsentLowat(h, 500);
    assert.equal(bench.stack.write(h, new Uint8Array(2000)), 2000);
    bench.take();
    bench.stack.poll();
    assert.equal(bench.stack.writable(h), 0, 'more unsent than the mark');
    assert.deepEqual(events, []);
    bench.stack.setNotsentLowat(h, 3000);
    assert.ok(bench.stack.writable(h) > 0);
    bench.stack.poll();
    assert.deepEqual(events, [`writable ${bench.stack.writable(h)}`]);
    bench.stack.setNotsentLowat(h, 3000);
    bench.stack.poll();
    assert.equal(events.length, 1, 'no second event: it was not held');
  });

  it('write refuses flags that are not WriteFlag bits, queueing nothing', () => {
    const { stack, handles: [h] } = connected([40000]);
    const before = stack.writable(h);
    for (const flags of [4, -1, 1.5, 3 | 8, NaN]) {
      assert.throws(() => stack.write(h, new Uint8Array(10), 0, 10, flags), {
        name: 'RangeError', message: `slotcp write: flags must be WriteFlag bits (More 1, EndOfRecord 2), got ${flags}`,
      });
    }
    assert.equal(stack.writable(h), before, 'nothing queued');
    assert.equal(stack.write(h, new Uint8Array(10), 0, 10, WriteFlag.More | WriteFlag.EndOfRecord), 10);
  });

  it('setTos and setTtl refuse what is not a whole 0..255 (TTL 1..255), clear the ECN bits, change only their own byte', () => {
    const { bench, stack, handles: [h], clients: [c] } = connected([40000], { tos: 0x28, ttl: 7 });
    const info = {} as TcpInfo;
    stack.info(h, info);
    assert.deepEqual([info.tos, info.ttl], [0x28, 7], 'from the listener');
    for (const tos of [-1, 256, 1.5, NaN]) {
      assert.throws(() => stack.setTos(h, tos), { name: 'RangeError', message: `slotcp setTos: tos must be a whole number from 0 to 255, got ${tos}` });
    }
    for (const ttl of [0, 256, 1.5, NaN]) {
      assert.throws(() => stack.setTtl(h, ttl), { name: 'RangeError', message: `slotcp setTtl: ttl must be a whole number from 1 to 255, got ${ttl}` });
    }
    stack.setTos(h, 0xbb);
    stack.info(h, info);
    assert.deepEqual([info.tos, info.ttl], [0xb8, 7], 'ECN bits cleared (RFC 3168 §5), TTL kept');
    stack.setTtl(h, 255);
    stack.info(h, info);
    assert.deepEqual([info.tos, info.ttl], [0xb8, 255], 'TOS kept');
    stack.write(h, bytes(3));
    const [sent] = bench.take().filter((x) => x.dstPort === c.port);
    assert.deepEqual([sent.tos, sent.ttl, sent.payload.length], [0xb8, 255, 3]);
  });

  it('listen and setListenOptions refuse a bad tos or ttl with a ConfigError; absent ones stay', () => {
    const bench = new Bench({ listeners: 2, ttl: 50 });
    const stack = bench.stack;
    throwsConfigError(() => stack.listen(80, { tos: 256 }), 'slotcp listen: tos must be a whole number from 0 to 255, got 256');
    throwsConfigError(() => stack.listen(80, { ttl: 0 }), 'slotcp listen: ttl must be a whole number from 1 to 255, got 0');
    const l = stack.listen(80);
    throwsConfigError(() => stack.setListenOptions(l, { ttl: 1.5 }), 'slotcp setListenOptions: ttl must be a whole number from 1 to 255, got 1.5');
    throwsConfigError(() => stack.setListenOptions(l, { tos: -1 }), 'slotcp setListenOptions: tos must be a whole number from 0 to 255, got -1');
    const synAck = () => {
      const [s] = bench.send({ dstPort: 80, srcPort: 41000 + bench.stack.usage().slotsInUse, seq: 1, flags: SYN });
      return [s.tos, s.ttl];
    };
    assert.deepEqual(synAck(), [0, 50], "none set: TOS 0 and the stack's config.ttl");
    stack.setListenOptions(l, { tos: 0x2b });
    assert.deepEqual(synAck(), [0x28, 50], 'TTL stays');
    stack.setListenOptions(l, { ttl: 3 });
    assert.deepEqual(synAck(), [0x28, 3], 'TOS stays');
    stack.setListenOptions(l, { mss: 500 });
    assert.deepEqual(synAck(), [0x28, 3], 'another option leaves both');
  });

  it('setListenOptions changes only the options given, of that listener, for connections it opens next', () => {
    const bench = new Bench({ listeners: 2, sack: true, mss: 1000, slots: 8 });
    const stack = bench.stack;
    stack.setEvents(noEvents);
    assert.equal(stack.listen(80, { mss: 600, userTimeoutMs: 5000, noOptions: true }), 0);
    assert.equal(stack.listen(81), 1);
    const SACK_PERMITTED = [1, 1, 4, 2];
    let port = 40000;
    /** A new connection's settings on `serverPort`: advertised MSS, user timeout, SACK
     *  agreed, and the SYN-ACK's option bytes. */
    const open = (serverPort: number) => {
      const c = new Client(bench, serverPort, port++);
      const synAck = c.connect(1460, SACK_PERMITTED);
      const info = {} as TcpInfo;
      assert.ok(stack.info(stack.accept(serverPort - 80), info));
      return [info.advMss, info.userTimeout, info.sackOk, synAck.options.length > 0];
    };
    assert.deepEqual(open(81), [1000, 0, true, true]);
    stack.setListenOptions(1, { mss: 500 });
    assert.deepEqual(open(81), [500, 0, true, true]);
    stack.setListenOptions(1, { userTimeoutMs: 3000 });
    assert.deepEqual(open(81), [500, 3000, true, true]);
    stack.setListenOptions(1, { noOptions: true });
    assert.deepEqual(open(81), [500, 3000, false, false]);
    stack.setListenOptions(1, { mss: 400 });
    assert.deepEqual(open(81), [400, 3000, false, false]);
    stack.setListenOptions(1, { noOptions: false, userTimeoutMs: 0 });
    assert.deepEqual(open(81), [400, 0, true, true]);
    assert.deepEqual(open(80), [600, 5000, false, false], 'listener 0 keeps its own');
  });

  it('reads the clock only for calls that change a connection', () => {
    const { bench, stack, handles: [h], clients: [c] } = connected([40000]);
    c.write('abc');
    const counter = countClockReads(bench);
    const info = {} as TcpInfo;
    stack.available(h); stack.ended(h); stack.peerClosed(h); stack.writable(h); stack.state(h); stack.info(h, info);
    stack.remoteAddress(h); stack.remotePort(h); stack.setNoDelay(h, true); stack.accept(0); stack.acceptable(0);
    stack.read(h, bytes(1)); // 1 byte read opens no window worth announcing
    stack.readBuffer(h, 1);
    stack.write(h, bytes(0));
    stack.usage();
    assert.equal(counter.reads, 0);
  });

  it('shutdown and closeWithin time what they arm from the clock at the call', () => {
    for (const call of ['shutdown', 'closeWithin'] as const) {
      const { bench, stack, handles: [h] } = connected([40000]);
      bench.clock.time += 5000; // no poll: the stack has not read the clock since
      if (call === 'shutdown') stack.shutdown(h); // the FIN's retransmission timer: the RTO, 1 s
      else stack.closeWithin(h, 300); // the linger timer, before the FIN's retransmission
      assert.equal(stack.nextDeadline(), call === 'shutdown' ? 6000 : 5300, call);
    }
  });

  it('info() on the second slot: RTT, retransmissions, windows and queues', () => {
    const { bench, stack, handles, clients } = connected([40000, 40001]);
    const [, h] = handles;
    const c = clients[1];
    c.write('abcd');
    stack.write(h, bytes(100));
    bench.advance(100);
    c.segment(ACK, { ack: (c.serverIsn + 101) >>> 0, window: 30000 }); // an RTT sample of 100 ms after the handshake's 0
    stack.write(h, bytes(50));
    bench.advance(1000); // the retransmission timeout (its 1 s floor)
    const info = {} as TcpInfo;
    assert.equal(stack.info(h, info), true);
    assert.deepEqual(info, {
      state: 'ESTABLISHED', rto: 2000, srtt: 13, rttvar: 25, cwnd: 536, ssthresh: 1072, unacked: 50, retransmits: 1, probes: 0,
      mss: 536, advMss: 536, sackOk: false, sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 64, sndWnd: 30000, recovery: false, afterTimeout: true, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 3, rxQueued: 4, txQueued: 50,
    });
  });

  it('info() tells fast recovery', () => {
    const { bench, stack, handles: [h], clients: [c] } = connected([40000], { noDelay: true });
    for (let k = 0; k < 5; k++) stack.write(h, bytes(100));
    bench.take();
    const info = {} as TcpInfo;
    for (let k = 0; k < 4; k++) {
      stack.info(h, info);
      assert.equal(info.recovery, false, `the ACK and ${k - 1} duplicates`);
      c.segment(ACK, { ack: (c.serverIsn + 101) >>> 0 });
    }
    stack.info(h, info);
    assert.deepEqual([info.recovery, info.dupAcks, info.unacked], [true, 3, 400]);
  });
});
