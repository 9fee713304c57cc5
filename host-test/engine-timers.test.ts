// Keepalive (RFC 1122 §4.2.3.6) and the platform's timer contract (nextDeadline/poll).
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { ACK, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client, wires } from './support/net';

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

  it('probes after the idle time with <SEQ=SND.NXT-1>, and an answer restarts the idle time', () => {
    const { bench, c } = setup();
    assert.deepEqual(bench.advance(9999), []);
    const probe = bench.advance(1);
    assert.deepEqual(wires(c, probe), [{ flags: '.', seq: 0, ack: 1, len: 0, win: 1072 }]);
    assert.deepEqual(c.segment(ACK), []);
    assert.deepEqual(bench.advance(9999), []);
    assert.equal(bench.advance(1).length, 1);
  });

  it('reclaims the slot of a dead peer after `count` unanswered probes and tells the app', () => {
    const { bench, c, errors } = setup();
    const out = bench.advance(20000);
    assert.deepEqual(out.map((s) => s.at), [10000, 11000, 12000, 13000]);
    assert.deepEqual(wires(c, out.slice(3)), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.deepEqual(errors, [ConnectionError.TimedOut]);
    assert.equal(bench.stack.usage().slotsInUse, 0);
    assert.equal(bench.stack.counters.keepaliveTimeouts, 1);
  });

  it('is restarted only by acceptable segments: out-of-window ones, RSTs and SYNs leave it running', () => {
    const { bench, c, errors } = setup();
    bench.advance(5000);
    assert.deepEqual(c.segment(RST, { seq: (c.seq + 5000) >>> 0 }), [], 'out-of-window RST: dropped');
    assert.equal(c.segment(ACK, { seq: (c.seq + 5000) >>> 0, data: 'far' }).length, 1, 'out-of-window data: ACKed, dropped');
    assert.equal(c.segment(RST, { seq: (c.seq + 10) >>> 0 }).length, 1, 'in-window RST: challenged');
    assert.equal(c.segment(SYN, { seq: (c.seq + 10) >>> 0 }).length, 1, 'SYN: challenged');
    const probes = bench.advance(5500);
    assert.deepEqual(probes.map((s) => s.at), [10000], 'the first probe when the last acceptable segment says');
    assert.equal(c.segment(ACK, { seq: (c.seq - 1) >>> 0 }).length, 1, 'the peer\'s own keepalive probe: ACKed, not an answer');
    const out = bench.advance(10000);
    assert.deepEqual(out.map((s) => s.at), [11000, 12000, 13000], 'unanswered probes still counted: reset at 13000');
    assert.deepEqual(wires(c, out.slice(2)), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.deepEqual(errors, [ConnectionError.TimedOut]);
  });

  it('counts zero-window probes apart from keepalive probes: unanswered keepalives do not cut persist short', () => {
    const bench = new Bench({ maxRetries: 3 });
    bench.stack.listen(80, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 5 } });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    c.window = 0;
    assert.deepEqual(c.segment(ACK), [], 'the peer closes its window');
    assert.deepEqual(bench.advance(11500).map((s) => s.at), [10000, 11000], 'two keepalive probes unanswered');
    assert.equal(bench.stack.write(h, new Uint8Array(10)), 10);
    assert.deepEqual(bench.take(), [], 'the window is closed');
    const out = bench.advance(30000);
    // Persist probes back off from the RTO (1 s): maxRetries (3) of them, then the reset.
    assert.deepEqual(out.map((s) => s.at), [12500, 14500, 18500, 26500]);
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
    assert.deepEqual(out.map((s) => s.at), [10000, 11000, 12000, 13000]);
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
    assert.deepEqual(bench.advance(20000).map((s) => s.at), [10000, 11000]);
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
