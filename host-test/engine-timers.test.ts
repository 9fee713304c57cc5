// Keepalive (RFC 1122 §4.2.3.6) and the platform's timer contract (nextDeadline/poll)
// beyond what a script shows (host-test/pkt/timers/ pins the wire of one connection):
// counters, events, listeners reused or gone, and timers of several connections at once.
import assert from 'node:assert/strict';
import { StackConfig } from '../firmware/tcp/config';
import { ConnectionError } from '../firmware/tcp/core';
import { ACK } from '../firmware/tcp/wire';
import { Bench, Client, established, flagString, sentMs, wires } from './support/net';

describe('keepalive', () => {
  function setup() {
    const bench = new Bench();
    bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    const errors: number[] = [];
    bench.stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended() {}, error: (_h, e) => errors.push(e) });
    return { bench, c, h, errors };
  }

  it('reclaims the slot of a dead peer after `count` unanswered probes and tells the app', () => {
    const { bench, c, errors } = setup();
    const out = bench.advance(20000);
    assert.deepEqual(out.map(sentMs), [10000, 11000, 12000, 13000]);
    assert.deepEqual(wires(c, out.slice(3)), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.deepEqual(errors, [ConnectionError.TimedOut]);
    assert.equal(bench.stack.usage().slotsInUse, 0);
    assert.equal(bench.stack.counters.keepaliveTimeouts, 1);
  });

  it('counts zero-window probes apart from keepalive probes: unanswered keepalives do not cut persist short', () => {
    const bench = new Bench({ maxRetries: 3 });
    bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 5 } });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    c.window = 0;
    assert.deepEqual(c.segment(ACK), [], 'the peer closes its window');
    assert.deepEqual(bench.advance(11500).map(sentMs), [10000, 11000], 'two keepalive probes unanswered');
    assert.equal(bench.stack.write(h, new Uint8Array(10)), 10);
    assert.deepEqual(bench.take(), [], 'the window is closed');
    const out = bench.advance(30000);
    // Persist probes back off from the RTO (1 s): maxRetries (3) of them, then the reset.
    assert.deepEqual(out.map(sentMs), [12500, 14500, 18500, 26500]);
    assert.deepEqual(wires(c, out).map((w) => w.flags), ['.', '.', '.', 'R.']);
    assert.equal(bench.stack.counters.zeroWindowProbes, 3);
    assert.equal(bench.stack.counters.keepaliveProbes, 2);
  });

  it('keeps the keepalive it was accepted with when its listener index is reused', () => {
    const bench = new Bench();
    const a = bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(a);
    bench.stack.unlisten(a);
    const b = bench.stack.listen(81, { keepalive: { idleMs: 3000, intervalMs: 500, count: 1 } });
    assert.equal(b, a, 'the index is reused');
    assert.deepEqual(c.segment(ACK), [], 'activity restarts the idle time: still port 80\'s');
    const out = bench.advance(20000);
    assert.deepEqual(out.map(sentMs), [10000, 11000, 12000, 13000]);
    assert.deepEqual(wires(c, out), [
      { flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      { flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      { flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      { flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 },
    ]);
    assert.equal(bench.stack.state(h), 'CLOSED');
  });

  it('keeps its keepalive when its listener goes away: an accepted connection is the app\'s', () => {
    const bench = new Bench();
    const a = bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 1 } });
    new Client(bench, 80).connect();
    bench.stack.accept(a);
    bench.stack.unlisten(a);
    bench.stack.listen(81); // keepalive off, at the same index
    assert.deepEqual(bench.advance(20000).map(sentMs), [10000, 11000]);
  });

  it('is off by default: an idle connection stays quiet and open', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    new Client(bench, 80).connect();
    assert.equal(bench.stack.nextDeadline(), -1);
    assert.deepEqual(bench.advance(10 * 3600 * 1000), []);
    assert.equal(bench.stack.usage().slotsInUse, 1);
  });
});

// Every timer path again, on a connection in the second slot beside an idle one in the
// first (a connection alone in slot 0 would not show a row computed wrongly), and one
// connection's timer falling due must run no other timer early.
describe('timers of a connection beside another', () => {
  function beside(config: Partial<StackConfig> = {}, keepalive = false) {
    const bench = new Bench(config);
    bench.stack.listen(81);
    bench.stack.listen(80, keepalive ? { keepalive: { idleMs: 10000, intervalMs: 1000, count: 2 } } : {});
    const idle = new Client(bench, 81, 40000);
    idle.connect();
    const first = bench.stack.accept(0);
    const c = new Client(bench, 80, 40001, 5000);
    c.connect();
    const h = bench.stack.accept(1);
    assert.equal(bench.stack.connections().findIndex((row) => row.remotePort === 40001), 1, 'the second slot');
    return { bench, c, h, idle, first };
  }

  it('retransmits with backoff, then resets after maxRetries', () => {
    const { bench, c, h } = beside({ maxRetries: 2 });
    bench.stack.write(h, new Uint8Array(10));
    assert.equal(bench.take().length, 1);
    const out = bench.advance(10000);
    assert.deepEqual(out.map(sentMs), [1000, 3000, 7000]);
    assert.deepEqual(wires(c, out), [
      { flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 },
      { flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 },
      { flags: 'R.', seq: 11, ack: 1, len: 0, win: 0 },
    ]);
    assert.equal(bench.stack.counters.retransmittedSegments, 2);
    assert.equal(bench.stack.counters.retransmitTimerExpiries, 2);
    assert.deepEqual(bench.stack.connections().map((row) => row.remotePort), [40000]);
  });

  it('probes a zero window with backoff, then resets', () => {
    const { bench, c, h } = beside({ maxRetries: 2 });
    c.window = 0;
    c.segment(ACK);
    bench.stack.write(h, new Uint8Array(10));
    const out = bench.advance(10000);
    assert.deepEqual(out.map(sentMs), [1000, 3000, 7000]);
    assert.deepEqual(wires(c, out), [
      { flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      { flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      { flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 },
    ]);
    assert.equal(bench.stack.counters.retransmitTimeouts, 1);
    assert.deepEqual(bench.stack.connections().map((row) => row.remotePort), [40000], 'the slot is freed');
  });

  it('sends keepalive probes, then resets', () => {
    const { bench, c } = beside({}, true);
    const out = bench.advance(20000);
    assert.deepEqual(out.map(sentMs), [10000, 11000, 12000]);
    assert.deepEqual(wires(c, out).map((w) => [w.flags, w.seq]), [['.', 0], ['.', 0], ['R.', 1]]);
  });

  it('resets an orphaned FIN-WAIT-2 after finWait2TimeoutMs', () => {
    const { bench, c, h } = beside({ finWait2TimeoutMs: 5000 });
    bench.stack.close(h);
    assert.equal(bench.take().length, 1);
    c.ack = (c.ack + 1) >>> 0;
    c.segment(ACK);
    const out = bench.advance(10000);
    assert.deepEqual(out.map(sentMs), [5000]);
    assert.deepEqual(wires(c, out), [{ flags: 'R.', seq: 2, ack: 1, len: 0, win: 0 }]);
    assert.equal(bench.stack.counters.finWait2Timeouts, 1);
  });

  it('ends the TIME-WAIT a held half-closed connection spends in its slot after 2MSL', () => {
    const { bench, c, h } = beside({ mslMs: 1000 });
    bench.stack.shutdown(h);
    bench.take();
    c.ack = (c.ack + 1) >>> 0;
    c.fin();
    bench.take();
    assert.equal(bench.stack.state(h), 'TIME-WAIT');
    bench.advance(1999);
    assert.equal(bench.stack.state(h), 'TIME-WAIT');
    bench.advance(1);
    assert.equal(bench.stack.state(h), 'CLOSED');
    assert.equal(bench.stack.counters.timeWaitExpired, 1);
    assert.equal(bench.stack.nextDeadline(), -1, 'no timer left running');
  });

  it('runs only the timers that are due: another connection\'s delayed ACK fires no keepalive, FIN-WAIT-2 or loss probe early', () => {
    const { bench, c, idle, first } = beside({ finWait2TimeoutMs: 30000 }, true);
    // The idle connection (slot 0) sends data and gets its ACK: a tail loss probe would be
    // due 200 ms + 2 SRTT later only if the peer took SACK; the keepalive of slot 1 at
    // 10 s; an orphaned FIN-WAIT-2 of slot 0 at 30 s.
    bench.stack.write(first, new Uint8Array(5));
    bench.take();
    idle.ack = (idle.ack + 5) >>> 0;
    bench.stack.close(first);
    bench.take();
    idle.ack = (idle.ack + 1) >>> 0;
    assert.deepEqual(idle.segment(ACK), []);
    // Slot 1 gets data: its delayed ACK falls due at 200 ms.
    c.write('x');
    const out = bench.advance(9999);
    assert.deepEqual(out.map((s) => [s.dstPort, sentMs(s)]), [[40001, 200]], 'only the delayed ACK');
    assert.deepEqual(wires(c, out), [{ flags: '.', seq: 1, ack: 2, len: 0, win: 1071 }]);
    assert.deepEqual(bench.advance(1).map((s) => [s.dstPort, sentMs(s)]), [[40001, 10000]], 'the keepalive probe on time');
    assert.equal(bench.stack.counters.delayedAcks, 1);
  });

  it('sends no tail loss probe early when another connection\'s timer falls due', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const a = new Client(bench, 80, 40000);
    a.syn(1460, [1, 1, 4, 2]);
    bench.advance(50);
    assert.deepEqual(a.segment(ACK), []);
    const ha = bench.stack.accept(0);
    const b = new Client(bench, 80, 40001);
    b.connect();
    bench.stack.accept(0);
    bench.stack.write(ha, new Uint8Array(10));
    assert.equal(bench.take().length, 1, 'data out on the SACK connection at 50 ms');
    b.write('x');
    // The probe is due at 350 ms (2 SRTT + 200 ms after the send); the ACK at 250 ms.
    const out = bench.advance(400);
    assert.deepEqual(out.map((s) => [s.dstPort, s.payload.length, sentMs(s)]), [[40001, 0, 250], [40000, 10, 350]]);
  });

  it('retransmits an unanswered SYN-ACK from the second slot, with backoff, and counts it', () => {
    const bench = new Bench({ synAckRetries: 2 });
    bench.stack.listen(80);
    new Client(bench, 80, 40000).connect();
    const c = new Client(bench, 80, 40001, 5000);
    c.syn();
    const out = bench.advance(10000);
    assert.deepEqual(out.map((s) => [flagString(s.flags), s.dstPort, sentMs(s)]), [['S.', 40001, 1000], ['S.', 40001, 3000]]);
    assert.equal(bench.stack.counters.retransmittedSegments, 2);
    assert.equal(bench.stack.usage().slotsInUse, 1, 'dropped after synAckRetries');
  });
});

describe('keepalive outside the idle ESTABLISHED case', () => {
  function setup() {
    const bench = new Bench();
    bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    const c = new Client(bench, 80);
    c.connect();
    return { bench, c, h: bench.stack.accept(0) };
  }

  it('does not probe in FIN-WAIT-2, and stops its timer there', () => {
    const { bench, c, h } = setup();
    bench.stack.shutdown(h);
    assert.equal(bench.take().length, 1);
    c.ack = (c.ack + 1) >>> 0;
    c.segment(ACK);
    assert.equal(bench.stack.state(h), 'FIN-WAIT-2');
    assert.deepEqual(bench.advance(30000), []);
    assert.equal(bench.stack.nextDeadline(), -1);
  });

  it('lets its keepalive lapse in FIN-WAIT-1: no probe, and no timer left due, while the FIN goes unanswered', () => {
    const bench = new Bench({ maxRetries: 5 });
    bench.stack.listen(80, { keepalive: { idleMs: 2000, intervalMs: 1000, count: 3 } });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.shutdown(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
    assert.equal(bench.stack.state(h), 'FIN-WAIT-1');
    // The keepalive, armed while ESTABLISHED, comes due at 2000 and does nothing: only the
    // FIN's retransmissions go out, and the next deadline is the retransmission timer's.
    assert.deepEqual(wires(c, bench.advance(3500)).map((w) => w.flags), ['F.', 'F.']);
    assert.equal(bench.stack.nextDeadline(), 7000);
    assert.equal(bench.stack.counters.keepaliveProbes, 0);
  });
});

describe('nextDeadline when polled late', () => {
  it('is now, not in the past, while a timer is overdue', () => {
    const bench = new Bench();
    bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    new Client(bench, 80).connect();
    assert.equal(bench.stack.nextDeadline(), 10000);
    bench.clock.time = 25000;
    assert.equal(bench.stack.nextDeadline(), 25000);
  });
});

describe('a local link that refuses packets (PacketPort.send answers false)', () => {
  const info = () => ({ state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false,
    sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0, sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0,
    reordering: 0, rxQueued: 0, txQueued: 0 });

  it('keeps refused new data unsent, retries it every 500 ms after the RTO, and gives up after maxRetries tries', () => {
    const { bench, h, errors } = established({ maxRetries: 3 });
    const out0 = bench.stack.counters.segmentsOut;
    bench.refusing = true;
    assert.equal(bench.stack.write(h, new Uint8Array(10)), 10);
    assert.equal(bench.stack.counters.linkRefused, 1);
    assert.equal(bench.stack.counters.segmentsOut, out0, 'a refused packet is not counted as sent');
    const i = info();
    bench.stack.info(h, i);
    assert.equal(i.unacked, 0, 'nothing in flight');
    assert.equal(bench.stack.nextDeadline(), bench.clock.time + 1000, 'the persist timer, at the RTO');
    bench.advance(2000);
    bench.stack.info(h, i);
    assert.deepEqual([i.probes, i.unacked, i.retransmits], [3, 0, 0], 'tries at 1, 1.5 and 2 s refused');
    assert.deepEqual(errors, []);
    bench.advance(500);
    assert.deepEqual(errors, [ConnectionError.TimedOut], 'the fourth expiry finds maxRetries (3) tries refused');
    assert.equal(bench.stack.counters.linkRefused, 5, 'the write, three tries and the RST');
    assert.equal(bench.stack.counters.retransmittedSegments, 0);
  });

  it('with data in flight, sends refused new data once an ACK comes and the link takes it', () => {
    const { bench, c, h } = established();
    bench.stack.setNoDelay(h, true);
    assert.equal(bench.stack.write(h, new Uint8Array(10)), 10);
    assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 10]]);
    bench.refusing = true;
    assert.equal(bench.stack.write(h, new Uint8Array(5)), 5);
    assert.equal(bench.stack.counters.linkRefused, 1);
    assert.equal(bench.stack.nextDeadline(), bench.clock.time + 1000, 'the retransmission timer only (no persist)');
    bench.refusing = false;
    c.ack = (c.serverIsn + 11) >>> 0;
    assert.deepEqual(wires(c, c.segment(ACK)).map((w) => [w.flags, w.seq, w.len]), [['P.', 11, 5]], 'the ACK restarts sending');
  });
});
