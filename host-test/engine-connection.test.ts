// The state machine of connection.ts where the wire alone cannot show it: the edge table
// and its strict switch, which connection a segment belongs to, who hears of a reset,
// the counters each close path keeps, the accept queue, and the timers a transition
// leaves running (nextDeadline). What goes on the wire at close, abort and linger is
// pinned by the scripts in host-test/pkt/close/ and timewait/.
import assert from 'node:assert/strict';
import { Core } from '../firmware/tcp/core';
import { setState, strictTransitions } from '../firmware/tcp/connection';
import { State, stateNames } from '../firmware/tcp/slots';
import { ACK, RST, SYN } from '../firmware/tcp/wire';
import { StackConfig } from '../firmware/tcp/config';
import { ListenOptions } from '../firmware/tcp/stack';
import { Bench, CLIENT, Client, established, sentMs, wires } from './support/net';

const coreOf = (bench: Bench) => (bench.stack as unknown as { core: Core }).core;
const slotOf = (handle: number) => handle & 0xff;

/** A connection on port 80 accepted in the second slot, beside an idle one on port 81
 *  in the first: row arithmetic that is wrong only for slots past 0 shows here. */
function secondSlot(config: Partial<StackConfig> = {}, options: ListenOptions = {}) {
  const bench = new Bench(config);
  bench.stack.listen(81);
  bench.stack.listen(80, options);
  new Client(bench, 81, 40000).connect();
  bench.stack.accept(0);
  const c = new Client(bench, 80, 40001, 5000);
  c.connect();
  const h = bench.stack.accept(1);
  assert.equal(slotOf(h), 1, 'the second slot');
  const errors: number[] = [];
  bench.stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended() {}, error: (_h, e) => errors.push(e) });
  return { bench, c, h, stack: bench.stack, errors };
}

/** shutdown(), our FIN ACKed, the peer's FIN: TIME-WAIT in the slot, the app holding it. */
function heldTimeWait(config: Partial<StackConfig> = {}) {
  const t = secondSlot(config);
  t.stack.shutdown(t.h);
  assert.deepEqual(wires(t.c, t.bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
  t.c.ack = (t.c.ack + 1) >>> 0;
  assert.deepEqual(wires(t.c, t.c.fin()), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
  assert.equal(t.stack.state(t.h), 'TIME-WAIT');
  return t;
}

describe('connection state machine (connection.ts)', () => {
  // RFC 9293's diagram for a passive opener; FREE is LISTEN and the end of every path,
  // CLOSED is "dead, the app still holds the handle".
  const LEGAL: Record<string, string[]> = {
    'FREE': ['SYN-RECEIVED'],
    'SYN-RECEIVED': ['ESTABLISHED', 'FREE'],
    'ESTABLISHED': ['FIN-WAIT-1', 'CLOSE-WAIT', 'FREE'],
    'CLOSE-WAIT': ['LAST-ACK', 'FREE'],
    'LAST-ACK': ['CLOSED', 'FREE'],
    'FIN-WAIT-1': ['FIN-WAIT-2', 'CLOSING', 'FREE'],
    'FIN-WAIT-2': ['TIME-WAIT', 'FREE'],
    'CLOSING': ['TIME-WAIT', 'FREE'],
    'TIME-WAIT': ['CLOSED', 'FREE'],
    'CLOSED': ['FREE'],
  };

  it('allows exactly the edges of the RFC 9293 diagram: any other throws under strictTransitions(true), naming both states', () => {
    const bench = new Bench();
    const core = coreOf(bench);
    const tcb = core.slots.tcb;
    let illegal = 0;
    for (let from = 0; from < stateNames.length; from++) {
      for (let to = 0; to < stateNames.length; to++) {
        tcb[0] = from; // Tcb.state of slot 0, written behind setState's back to set up the edge
        const legal = LEGAL[stateNames[from]].includes(stateNames[to]);
        if (legal) {
          setState(core, 0, to as State);
          assert.equal(tcb[0], to);
        } else {
          illegal++;
          assert.throws(() => setState(core, 0, to as State),
            { message: `slotcp: illegal state transition ${stateNames[from]} -> ${stateNames[to]}` });
          assert.equal(tcb[0], from, 'not taken');
        }
      }
    }
    assert.equal(illegal, 100 - 20);
    assert.equal(bench.stack.counters.illegalTransitions, illegal, 'each counted, strict or not');
    tcb[0] = State.Free;
  });

  it('takes and counts an illegal edge under strictTransitions(false), as in production', () => {
    const { bench, h, stack } = established();
    try {
      strictTransitions(false);
      setState(coreOf(bench), slotOf(h), State.SynReceived);
    } finally {
      strictTransitions(true);
    }
    assert.equal(stack.state(h), 'SYN-RECEIVED');
    assert.equal(stack.counters.illegalTransitions, 1);
    setState(coreOf(bench), slotOf(h), State.Established);
    assert.equal(stack.counters.illegalTransitions, 1, 'a legal edge counts nothing');
  });

  it('finds a segment\'s connection by the whole 4-tuple: same client port to two local ports, same port from two addresses', () => {
    const bench = new Bench();
    const { stack } = bench;
    stack.listen(80);
    stack.listen(81);
    new Client(bench, 80, 40000).connect();
    new Client(bench, 81, 40000).connect(); // a SYN-ACK, not a challenge ACK from the port-80 connection
    const other = 0x0a000001; // 10.0.0.1
    const replies = bench.send({ src: other, srcPort: 40000, dstPort: 80, seq: 7000, flags: SYN, mss: 1460 });
    assert.deepEqual(replies.map((r) => [r.flags, r.dstAddr, r.ack >>> 0]), [[SYN | ACK, other >>> 0, 7001]], 'a new connection');
    assert.deepEqual(stack.connections().map((r) => [r.state, r.remoteAddr === CLIENT, r.localPort]),
      [['ESTABLISHED', true, 80], ['ESTABLISHED', true, 81], ['SYN-RECEIVED', false, 80]]);
  });

  it('queues for accept only established connections: a half-open one is not acceptable', () => {
    const bench = new Bench();
    const l = bench.stack.listen(80);
    new Client(bench, 80, 40000).syn();
    assert.equal(bench.stack.acceptable(l), 0);
    assert.equal(bench.stack.accept(l), -1);
    new Client(bench, 80, 40001).connect();
    assert.equal(bench.stack.acceptable(l), 1);
  });

  /** Two handshakes on port 80, the one in slot 1 completed first (the accept counter
   *  started at `counter`). */
  function secondSlotFirst(counter: number): Bench {
    const bench = new Bench();
    bench.stack.listen(80);
    coreOf(bench).acceptCounter = counter;
    const first = new Client(bench, 80, 40000);
    const second = new Client(bench, 80, 40001, 5000);
    first.syn(); // slot 0
    second.syn(); // slot 1
    assert.deepEqual(second.segment(ACK), []);
    assert.deepEqual(first.segment(ACK), []);
    return bench;
  }

  it('accepts in the order the handshakes completed, not in slot order', () => {
    const bench = secondSlotFirst(0);
    const h = bench.stack.accept(0);
    assert.equal(slotOf(h), 1);
    assert.equal(bench.stack.remotePort(h), 40001);
    assert.equal(bench.stack.remotePort(bench.stack.accept(0)), 40000);
  });

  it('keeps the accept order across the 32-bit wrap of its counter', () => {
    // 2^31 - 1, then -2^31: compared wrapping, they still say which handshake completed first.
    const bench = secondSlotFirst(0x7fffffff);
    assert.equal(coreOf(bench).acceptCounter, -0x7fffffff, 'wrapped');
    assert.equal(bench.stack.remotePort(bench.stack.accept(0)), 40001);
    assert.equal(bench.stack.remotePort(bench.stack.accept(0)), 40000);
  });

  it('starts an established connection with no retransmission counted from the handshake', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.syn();
    assert.deepEqual(wires(c, bench.advance(1000)).map((w) => w.flags), ['S.'], 'the SYN-ACK again');
    assert.deepEqual(c.segment(ACK), []);
    const h = bench.stack.accept(0);
    const info = { state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: -1, probes: -1, mss: 0, advMss: 0, sackOk: false, sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0, sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0 };
    assert.equal(bench.stack.info(h, info), true);
    assert.equal(info.retransmits, 0);
    assert.equal(info.probes, 0);
  });

  it('tells the app of a reset only while it holds the connection, and counts resets by where they land', () => {
    // Held: the app hears Reset (1).
    const held = secondSlot();
    held.c.segment(RST | ACK);
    assert.deepEqual(held.errors, [1]);
    assert.equal(held.stack.counters.resetsReceived, 1);
    // Established, not yet accepted: freed, nobody told.
    const bench = new Bench();
    bench.stack.listen(80);
    const errors: number[] = [];
    bench.stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended() {}, error: (_h, e) => errors.push(e) });
    const c = new Client(bench, 80);
    c.connect();
    c.segment(RST | ACK);
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 0 });
    assert.deepEqual(errors, []);
    // Closed by the app (FIN-WAIT-1): freed, nobody told.
    const closed = secondSlot();
    closed.stack.close(closed.h);
    closed.bench.take();
    closed.c.segment(RST | ACK);
    assert.equal(closed.stack.usage().slotsInUse, 1);
    assert.deepEqual(closed.errors, []);
  });

  it('sends a SYN-RECEIVED connection back to LISTEN on a RST without counting a reset', () => {
    const { bench, stack } = secondSlot();
    const c = new Client(bench, 80, 40002, 9000);
    c.syn();
    assert.equal(stack.usage().slotsInUse, 3);
    assert.deepEqual(c.segment(RST | ACK), []);
    assert.equal(stack.usage().slotsInUse, 2);
    assert.equal(stack.counters.resetsReceived, 0);
  });

  it('ignores a RST in a TIME-WAIT the app still holds (RFC 1337): no error, state kept, the drop counted', () => {
    const { c, h, stack, errors } = heldTimeWait();
    assert.deepEqual(c.segment(RST | ACK), []);
    assert.equal(stack.state(h), 'TIME-WAIT');
    assert.deepEqual(errors, []);
    assert.equal(stack.counters.droppedResets, 1);
    assert.equal(stack.counters.resetsReceived, 0);
  });

  it('runs no timer on an established connection without keepalive', () => {
    const { bench, c, stack } = established();
    assert.equal(stack.nextDeadline(), -1, 'after the handshake');
    c.write('hi');
    bench.advance(200);
    assert.equal(stack.nextDeadline(), -1, 'after data and its delayed ACK');
  });

  it('restarts keepalive on a segment in CLOSE-WAIT', () => {
    const { bench, c, h, stack } = established({}, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    c.fin();
    bench.advance(5000);
    assert.equal(stack.write(h, new Uint8Array(3)), 3);
    assert.equal(bench.take().length, 1);
    c.ack = (c.ack + 3) >>> 0;
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(stack.nextDeadline(), 15000);
    const probe = bench.advance(10000);
    assert.deepEqual(wires(c, probe), [{ flags: '.', seq: 3, ack: 2, len: 0, win: 1072 }]);
    assert.equal(sentMs(probe[0]), 15000);
  });

  it('stops the keepalive timer when setKeepalive turns it off', () => {
    const { bench, h, stack } = established({}, { keepalive: { idleMs: 10000, intervalMs: 1000, count: 3 } });
    assert.equal(stack.nextDeadline(), 10000);
    stack.setKeepalive(h, 0, 0, 0);
    assert.equal(stack.nextDeadline(), -1);
    assert.deepEqual(bench.advance(20000), []);
  });

  it('aborts a TIME-WAIT or CLOSED connection the app holds without a RST, counting no abort', () => {
    const tw = heldTimeWait();
    tw.stack.abort(tw.h);
    assert.deepEqual(tw.bench.take(), []);
    assert.equal(tw.stack.counters.resetsOnAbort, 0);
    assert.deepEqual(tw.stack.usage(), { slotsInUse: 1, timeWait: 0 });

    const closed = secondSlot();
    closed.c.fin();
    closed.stack.shutdown(closed.h);
    closed.bench.take();
    closed.c.ack = (closed.c.ack + 1) >>> 0;
    closed.c.segment(ACK);
    assert.equal(closed.stack.state(closed.h), 'CLOSED');
    closed.stack.abort(closed.h);
    assert.deepEqual(closed.bench.take(), []);
    assert.equal(closed.stack.counters.resetsOnAbort, 0);
    assert.equal(closed.stack.usage().slotsInUse, 1);

    const open = secondSlot();
    open.stack.abort(open.h);
    assert.deepEqual(wires(open.c, open.bench.take()), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.equal(open.stack.counters.resetsOnAbort, 1);
  });

  it('unlisten resets established connections not yet accepted, drops half-open ones silently, and leaves free slots alone', () => {
    const bench = new Bench();
    const { stack } = bench;
    const l = stack.listen(80);
    const pending = new Client(bench, 80, 40000);
    pending.connect();
    const half = new Client(bench, 80, 40001, 5000);
    half.syn();
    assert.deepEqual(stack.usage(), { slotsInUse: 2, timeWait: 0 });
    stack.unlisten(l);
    assert.deepEqual(bench.take().map((s) => [s.flags, s.dstPort]), [[RST | ACK, 40000]]);
    assert.equal(stack.counters.resetsOnAbort, 1);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 0 });
    stack.listen(80);
    stack.unlisten(l); // nothing but free slots
    assert.deepEqual(bench.take(), []);
  });

  it('arms no close timer when closing in CLOSE-WAIT: the next deadline is the FIN\'s retransmission', () => {
    const { bench, c, h, stack } = established({ finWait2TimeoutMs: 100 });
    c.fin();
    bench.advance(10);
    stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 2, len: 0, win: 1072 }]);
    assert.equal(stack.nextDeadline(), 1010, 'the FIN\'s retransmission, no close timer');
  });

  it('arms the linger timer only while the close is under way: not after a close that freed the slot or left it in FIN-WAIT-2', () => {
    const freed = secondSlot();
    freed.c.write('unread');
    freed.stack.closeWithin(freed.h, 500);
    assert.deepEqual(wires(freed.c, freed.bench.take()).map((w) => w.flags), ['R.']);
    assert.equal(freed.stack.nextDeadline(), -1);
    assert.deepEqual(freed.bench.advance(1000), []);

    const fw2 = secondSlot();
    fw2.stack.shutdown(fw2.h);
    fw2.bench.take();
    fw2.c.ack = (fw2.c.ack + 1) >>> 0;
    fw2.c.segment(ACK);
    fw2.stack.closeWithin(fw2.h, 500);
    assert.equal(fw2.stack.nextDeadline(), 60000, 'the FIN-WAIT-2 timeout only');
  });

  it('sends nothing for a read that finds nothing', () => {
    const { bench, h, stack } = established();
    assert.equal(stack.read(h, new Uint8Array(10)), 0);
    assert.deepEqual(bench.take(), []);
  });
});

describe('the send queue when our FIN is acknowledged', () => {
  it('counts the FIN out of the bytes an ACK drops: nothing queued after one ACK for data and FIN, in slot 1', () => {
    const bench = new Bench({ slots: 2 });
    bench.stack.listen(80);
    new Client(bench, 80, 40001).connect();
    bench.stack.accept(0);
    const c = new Client(bench, 80, 40002);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(10));
    bench.stack.shutdown(h);
    assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 10], ['F.', 11, 0]]);
    assert.deepEqual(c.segment(ACK, { ack: (c.serverIsn + 12) >>> 0 }), []);
    assert.equal(bench.stack.state(h), 'FIN-WAIT-2');
    const row = bench.stack.connections().find((r) => r.remotePort === 40002);
    assert.deepEqual([row?.state, row?.txQueued], ['FIN-WAIT-2', 0]);
  });
});
