// Keepalive (RFC 1122 §4.2.3.6) and the platform's timer contract (nextDeadline/poll).
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { ACK } from '../firmware/tcp/wire';
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
