// Passive open beyond what a script shows (the wire of every handshake case is pinned by
// host-test/pkt/handshake/ and listener/): accept()'s results and the counters, SYN-ACK
// give-up, segments to a listener, slots and the backlog running out (several clients),
// and a slot's row when it is reused.
import assert from 'node:assert/strict';
import { ACK, FIN, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client, flagString, sentMs, wire, wires } from './support/net';
import { mssOption } from '../host/pkt/segments';
import { Flag, Tcb } from '../firmware/tcp/slots';

describe('passive open', () => {
  it('answers a SYN with a SYN-ACK carrying our MSS and the receive buffer as window', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    const synAck = c.connect(1460);
    assert.deepEqual(wire(c, synAck), { flags: 'S.', seq: 0, ack: 1, len: 0, win: 1072 });
    assert.equal(mssOption(synAck.options), 536);
    assert.deepEqual(synAck.options, [2, 4, 2, 24]);
    assert.equal(synAck.dstPort, 40000);
    assert.equal(synAck.srcPort, 80);
    assert.equal(bench.stack.acceptable(0), 1);
    const h = bench.stack.accept(0);
    assert.ok(h >= 0);
    assert.equal(bench.stack.state(h), 'ESTABLISHED');
    assert.equal(bench.stack.accept(0), -1, 'accept queue now empty');
    assert.equal(bench.stack.counters.passiveOpens, 1);
    assert.equal(bench.stack.counters.established, 1);
  });

  it('retransmits the SYN-ACK with exponential backoff, then drops the half-open connection', () => {
    const bench = new Bench({ synAckRetries: 3, rtoInitialMs: 1000 });
    bench.stack.listen(80);
    const first = bench.send({ dstPort: 80, seq: 7, flags: SYN, mss: 1460 });
    assert.equal(first.length, 1);
    const again = bench.advance(20000);
    assert.deepEqual(again.map(sentMs), [1000, 3000, 7000]);
    for (const s of again) {
      assert.equal(flagString(s.flags), 'S.');
      assert.equal(s.seq, first[0].seq);
      assert.equal(s.ack, 8);
    }
    assert.equal(bench.stack.usage().slotsInUse, 0, 'slot freed after the last retransmission timed out');
    assert.equal(bench.stack.counters.synAckTimeouts, 1);
    // The client's late ACK now meets no connection: RST <SEQ=SEG.ACK>.
    const late = bench.send({ dstPort: 80, seq: 8, ack: (first[0].seq + 1) >>> 0, flags: ACK });
    assert.equal(late.length, 1);
    assert.equal(flagString(late[0].flags), 'R');
    assert.equal(late[0].seq, (first[0].seq + 1) >>> 0);
  });

  it('counts the SYN-ACK sent again for a retransmitted SYN as a retransmitted segment', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    bench.send({ dstPort: 80, seq: 7, flags: SYN });
    assert.equal(bench.stack.counters.retransmittedSegments, 0);
    assert.equal(bench.send({ dstPort: 80, seq: 7, flags: SYN }).length, 1);
    assert.equal(bench.stack.counters.retransmittedSegments, 1);
  });

  it("reports a half-open connection's send window and MSS from its SYN (info() by its connections() handle)", () => {
    const bench = new Bench({ slots: 2 });
    bench.stack.listen(80);
    new Client(bench, 80, 40001).connect(); // slot 0: the half-open one goes in slot 1
    bench.send({ srcPort: 40002, dstPort: 80, seq: 7, flags: SYN, window: 5000, mss: 300 });
    const row = bench.stack.connections().find((r) => r.remotePort === 40002);
    assert.equal(row?.state, 'SYN-RECEIVED');
    const info = { state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false, sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0,
      sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0 };
    assert.ok(bench.stack.info(row.handle, info));
    // unacked: our SYN alone (SND.UNA is the ISN until the ACK of the SYN).
    assert.deepEqual([info.state, info.sndWnd, info.mss, info.unacked], ['SYN-RECEIVED', 5000, 300, 1]);
  });
});

describe('window scaling (RFC 7323 §2)', () => {
  const info = () => ({ state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false,
    sndWscale: 0, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0, sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0,
    lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0 });

  it('answers Window Scale with shift 0 after the MSS (and after SACK-permitted), in the SYN-ACK sent again too', () => {
    const bench = new Bench({ rtoInitialMs: 1000, slots: 6 }); // three half-open: no SYN cookies
    bench.stack.listen(80);
    assert.deepEqual(new Client(bench, 80, 40001).syn(1460, [1, 3, 3, 7]).options, [2, 4, 2, 24, 1, 3, 3, 0]);
    assert.deepEqual(bench.advance(1000).map((s) => s.options), [[2, 4, 2, 24, 1, 3, 3, 0]], 'the retransmitted SYN-ACK');
    assert.deepEqual(new Client(bench, 80, 40002).syn(1460, [4, 2, 1, 1, 1, 3, 3, 2]).options, [2, 4, 2, 24, 1, 1, 4, 2, 1, 3, 3, 0]);
    assert.deepEqual(new Client(bench, 80, 40003).syn(1460, [1, 1, 4, 2]).options, [2, 4, 2, 24, 1, 1, 4, 2], 'none offered, none sent');
  });

  it("reports the peer's shift (-1: none agreed), and scales its windows from the handshake's ACK on, not the SYN's", () => {
    const bench = new Bench({ txBytes: 65536 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.window = 3;
    c.syn(1460, [1, 3, 3, 9]);
    const half = bench.stack.connections()[0];
    const got = info();
    assert.ok(bench.stack.info(half.handle, got));
    assert.deepEqual([got.state, got.sndWnd, got.sndWscale], ['SYN-RECEIVED', 3, 9], 'the SYN\'s window as it is');
    c.segment(ACK);
    const h = bench.stack.accept(0);
    assert.ok(bench.stack.info(h, got));
    assert.deepEqual([got.sndWnd, got.sndWscale], [3 << 9, 9]);
    c.window = 2;
    c.segment(ACK);
    assert.ok(bench.stack.info(h, got));
    assert.equal(got.sndWnd, 2 << 9, 'a window update');
    const plain = new Client(bench, 80, 40001);
    plain.connect();
    assert.ok(bench.stack.info(bench.stack.accept(0), got));
    assert.deepEqual([got.sndWnd, got.sndWscale], [65535, -1]);
  });

  it('scales windows up to 65535 << 14 (below 2^30) and keeps the shift apart from the probe counts in its word', () => {
    const bench = new Bench({ txBytes: 65536 });
    bench.stack.listen(80, { keepalive: { idleMs: 5000, intervalMs: 1000, count: 255 } });
    const c = new Client(bench, 80);
    c.connect(1460, [1, 3, 3, 14]);
    const h = bench.stack.accept(0);
    const got = info();
    assert.ok(bench.stack.info(h, got));
    assert.deepEqual([got.sndWnd, got.sndWscale], [65535 * 2 ** 14, 14]);
    bench.stack.setKeepalive(h, 5000, 1000, 255);
    assert.equal(bench.advance(5000 + 254 * 1000).length, 255, 'keepalive probes');
    assert.ok(bench.stack.info(h, got));
    assert.equal(got.sndWscale, 14);
    c.window = 1;
    c.segment(ACK);
    assert.ok(bench.stack.info(h, got));
    assert.deepEqual([got.state, got.sndWnd], ['ESTABLISHED', 1 << 14], 'the answer to the probes, scaled');
  });

  it('agrees to no scaling under TCP_NOOPT (noOptions): no options, windows as they are', () => {
    const bench = new Bench();
    bench.stack.listen(80, { noOptions: true });
    const c = new Client(bench, 80);
    assert.deepEqual(c.connect(1460, [1, 3, 3, 7]).options, []);
    const got = info();
    assert.ok(bench.stack.info(bench.stack.accept(0), got));
    assert.deepEqual([got.sndWnd, got.sndWscale], [65535, -1]);
  });
});

describe('segments to a listener or to no connection (RFC 9293 §3.10.7.1-2)', () => {

  it('ignores a RST sent to a listener or to a closed port', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    assert.deepEqual(bench.send({ dstPort: 80, seq: 100, flags: RST }), []);
    assert.deepEqual(bench.send({ dstPort: 81, seq: 100, ack: 5, flags: RST | ACK }), []);
    assert.equal(bench.stack.counters.droppedResets, 2);
  });

  it('drops SYN+FIN at a listener and counts it', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    assert.deepEqual(bench.send({ dstPort: 80, seq: 100, flags: SYN | FIN }), []);
    assert.equal(bench.stack.counters.droppedBadFlags, 1);
    assert.equal(bench.stack.usage().slotsInUse, 0);
  });
});

describe('slot exhaustion and backlog', () => {
  it('drops SYNs when every slot is in use and leaves the existing connections alone', () => {
    const bench = new Bench({ slots: 2 });
    bench.stack.listen(80);
    const a = new Client(bench, 80, 40001);
    const b = new Client(bench, 80, 40002);
    a.connect();
    const ha = bench.stack.accept(0);
    b.connect();
    bench.stack.accept(0);
    assert.deepEqual(bench.send({ srcPort: 40003, dstPort: 80, seq: 1, flags: SYN }), []);
    assert.equal(bench.stack.counters.droppedSlotsFull, 1);
    assert.deepEqual(a.write('hi'), []);
    assert.equal(bench.stack.available(ha), 2);
  });

  it('drops SYNs beyond the listener backlog of connections not yet accepted', () => {
    const bench = new Bench({ slots: 4 });
    bench.stack.listen(80, { backlog: 1 });
    new Client(bench, 80, 40001).connect();
    assert.deepEqual(bench.send({ srcPort: 40002, dstPort: 80, seq: 1, flags: SYN }), []);
    assert.equal(bench.stack.counters.droppedBacklogFull, 1);
    bench.stack.accept(0);
    assert.equal(bench.send({ srcPort: 40003, dstPort: 80, seq: 1, flags: SYN }).length, 1, 'room again once accepted');
  });

  it('frees a slot for new SYNs once a connection is closed', () => {
    const bench = new Bench({ slots: 1 });
    bench.stack.listen(80);
    const a = new Client(bench, 80, 40001);
    a.connect();
    const h = bench.stack.accept(0);
    bench.stack.abort(h);
    bench.take();
    assert.equal(bench.send({ srcPort: 40002, dstPort: 80, seq: 1, flags: SYN }).length, 1);
  });

  it('applies the backlog of a listener other than the first', () => {
    const bench = new Bench({ slots: 4, listeners: 2 });
    bench.stack.listen(80, { backlog: 4 });
    bench.stack.listen(81, { backlog: 1 });
    new Client(bench, 81, 40001).connect();
    assert.deepEqual(bench.send({ srcPort: 40002, dstPort: 81, seq: 1, flags: SYN }), []);
    assert.equal(bench.stack.counters.droppedBacklogFull, 1);
  });

  it('gives an accepted connection TCP_NODELAY from a listener other than the first', () => {
    const bench = new Bench({ slots: 4, listeners: 2 });
    bench.stack.listen(80);
    bench.stack.listen(81, { noDelay: true });
    const c = new Client(bench, 81);
    c.connect();
    const h = bench.stack.accept(1);
    bench.stack.write(h, new Uint8Array(10));
    bench.stack.write(h, new Uint8Array(10));
    assert.deepEqual(wires(c, bench.take()), [
      { flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 },
      { flags: 'P.', seq: 11, ack: 1, len: 10, win: 1072 },
    ], 'the second small write goes out at once, unacknowledged data or not');
  });
});

describe('slot reuse', () => {
  type Inside = { core: { slots: { tcb: Int32Array; reset(s: number): void } } };
  const inside = (bench: Bench) => (bench.stack as unknown as Inside).core;

  /** The words of slot s's row that are not 0, by index (generation left out). */
  function nonZero(bench: Bench, s: number): Record<number, number> {
    const tcb = inside(bench).slots.tcb;
    const out: Record<number, number> = {};
    for (let i = 0; i < Tcb.ROW; i++) if (i !== Tcb.generation && tcb[s * Tcb.ROW + i] !== 0) out[i] = tcb[s * Tcb.ROW + i];
    return out;
  }

  it('gives a reused slot every Tcb word 0 but the generation before it opens', () => {
    const bench = new Bench({ slots: 1 });
    bench.stack.listen(80, { keepalive: { idleMs: 5000, intervalMs: 1000, count: 2 } });
    // A connection that leaves much behind: SACK, held out-of-order data and FIN, unread and
    // unacknowledged data, timers running.
    const a = new Client(bench, 80, 40001);
    a.connect(1460, [4, 2, 1, 1]); // SACK permitted
    const ha = bench.stack.accept(0);
    bench.stack.write(ha, new Uint8Array(300));
    a.write('hello');
    a.segment(ACK | FIN, { seq: (a.seq + 20) >>> 0, data: 'later' });
    assert.ok(Object.keys(nonZero(bench, 0)).length > 20, 'the connection filled its row');
    const generation = inside(bench).slots.tcb[Tcb.generation];
    bench.stack.abort(ha);
    bench.take();
    assert.deepEqual(nonZero(bench, 0), {}, 'freed: all zero');
    // The next open resets the row again; look at it just after that reset.
    const slots = inside(bench).slots;
    const reset = slots.reset.bind(slots);
    const seen: Record<number, number>[] = [];
    slots.reset = (s: number) => { reset(s); seen.push(nonZero(bench, s)); };
    const b = new Client(bench, 80, 40002);
    b.connect();
    assert.deepEqual(seen, [{}], 'reset on open: every word 0 but the generation');
    assert.equal(slots.tcb[Tcb.generation], generation + 2, 'the generation moved on at each reset');
    assert.equal(bench.stack.state(ha), 'CLOSED', 'the old handle reaches nothing');
    assert.equal(bench.stack.state(bench.stack.accept(0)), 'ESTABLISHED');
  });

  it('keeps flags within 31 bits, and handles positive with a 23-bit generation that wraps', () => {
    const flags = [Flag.AckNow, Flag.FinQueued, Flag.AppClosed, Flag.Accepted, Flag.PeerFin, Flag.NoDelay, Flag.Timing,
      Flag.Recovery, Flag.Sack, Flag.AfterTimeout, Flag.ProbeOut, Flag.ProbeResent, Flag.FinHeld];
    assert.equal(flags.reduce((all, f) => all | f, 0), 2 ** flags.length - 1, 'distinct bits');
    assert.ok(Math.max(...flags) < 2 ** 30, 'room left in the 32-bit word');
    const bench = new Bench({ slots: 1 });
    bench.stack.listen(80);
    const slots = inside(bench).slots;
    slots.tcb[Tcb.generation] = 0x7ffffe; // as if the slot had been reused 2^23 - 2 times
    const c = new Client(bench, 80, 40001);
    c.connect();
    const h = bench.stack.accept(0);
    assert.equal(h, 0x7fffff * 256, 'the largest handle: still a positive int32');
    bench.stack.abort(h);
    bench.take();
    new Client(bench, 80, 40002).connect();
    const h2 = bench.stack.accept(0);
    assert.equal(h2, 256, 'the generation wrapped: 0 at the free, 1 at the open');
    assert.equal(bench.stack.state(h), 'CLOSED');
  });
});
