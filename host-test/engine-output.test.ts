// What output.ts does that a packetdrill script cannot show: the counters of what it sent
// (SACK recovery resends, D-SACK blocks), the trace hook's view of each segment, and what
// takes two connections (a script has one): a reply for no connection beside a SACK
// connection, a resend in slot 1 beside a connection with a lower ISN. Wire behaviour
// with one connection is in host-test/pkt/.
import assert from 'node:assert/strict';
import { TraceEvent } from '../firmware/tcp/trace';
import { ACK, FIN, Out, PSH, flagLetters } from '../firmware/tcp/wire';
import { Bench, Client } from './support/net';
import { SentSegment } from '../host/pkt/segments';

const bytes = (n: number) => new Uint8Array(n).fill(0x61);
const SACK_PERMITTED = [1, 1, 4, 2];
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A SACK option (two NOPs first) for ranges of the server's sequence space, relative to
 *  its ISN as packetdrill numbers them. */
function sackOption(c: Client, ...ranges: [number, number][]): number[] {
  const blocks = ranges.flatMap(([left, right]) => [...be32(c.serverIsn + left), ...be32(c.serverIsn + right)]);
  return [1, 1, 5, 2 + 8 * ranges.length, ...blocks];
}

/** [flags, seq, length] of each segment, seq relative to the server's ISN. */
function segments(c: Client, sent: SentSegment[]): [string, number, number][] {
  return sent.map((s) => [flagLetters(s.flags), c.rel(s.seq), s.payload.length]);
}

/** A connection from `port` that agreed to SACK, accepted; the stack's events do nothing
 *  unless `readable` is given. */
function sackConnection(bench: Bench, port = 40000, readable: (h: number) => void = () => {}) {
  const c = new Client(bench, 80, port);
  c.connect(1460, SACK_PERMITTED);
  const h = bench.stack.accept(0);
  bench.stack.setEvents({ acceptable() {}, writable() {}, ended() {}, error() {}, readable });
  return { c, h };
}

describe('output: what the wire does not show', () => {
  it('counts each hole SACK recovery resends from the scoreboard, apart from the fast retransmit', () => {
    // sack/sender-recovery.pkt's exchange: two holes, the first resent by fast
    // retransmit, the second by SACK recovery once the pipe has room (RFC 6675 alone, as
    // there: RACK would find the second hole lost at once).
    const bench = new Bench({ txBytes: 8192, rack: false });
    bench.stack.listen(80);
    const { c, h } = sackConnection(bench);
    const ack = (rel: number, ...ranges: [number, number][]) =>
      c.segment(ACK, { ack: (c.serverIsn + rel) >>> 0, options: ranges.length ? sackOption(c, ...ranges) : undefined });
    bench.stack.write(h, bytes(2144));
    assert.equal(bench.take().length, 4);
    ack(1073);
    ack(2145);
    bench.stack.write(h, bytes(3216));
    assert.equal(bench.take().length, 6);
    ack(2145, [2681, 3217]);
    ack(2145, [2681, 3753]);
    assert.deepEqual(segments(c, ack(2145, [4289, 4825], [2681, 3753])), [['.', 2145, 536]]);
    assert.deepEqual(segments(c, ack(2145, [4289, 5361], [2681, 3753])), [['.', 3753, 536]]);
    assert.equal(bench.stack.counters.fastRetransmits, 1);
    assert.equal(bench.stack.counters.sackRetransmits, 1);
    assert.equal(bench.stack.counters.retransmittedSegments, 2);
  });

  it('counts only the D-SACK blocks it sends: not plain SACK blocks, nor one a reset leaves unsent', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    let abort = false;
    const { c } = sackConnection(bench, 40000, (h) => {
      if (abort) bench.stack.abort(h);
    });
    // Out of order: the duplicate ACK reports the held range in a plain SACK block.
    const held = c.segment(ACK | PSH, { seq: (c.seq + 10) >>> 0, data: bytes(10) });
    assert.deepEqual(held.map((s) => s.options), [[1, 1, 5, 10, ...be32(c.isn + 11), ...be32(c.isn + 21)]]);
    assert.equal(bench.stack.counters.dsacksSent, 0);
    // The hole filled, then 5 bytes again with 10 new: a D-SACK block is due with the next
    // segment, but the app aborts on the new data: the reset carries no SACK option.
    c.write(bytes(10));
    c.seq = (c.seq + 10 - 5) >>> 0; // past the held 10, then 5 back
    abort = true;
    const reset = c.write(bytes(15));
    assert.deepEqual(reset.map((s) => [flagLetters(s.flags), s.options]), [['R.', []]]);
    assert.equal(bench.stack.counters.dsacksSent, 0);
  });

  it('tells the trace hook of each segment it sends, with its Out fields, the slot -1 for a reply for no connection', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const traced: number[][] = [];
    bench.stack.setTrace((event, _reason, seg) => {
      if (event === TraceEvent.Out) traced.push([seg[Out.seq] >>> 0, seg[Out.ack] >>> 0, seg[Out.flags], seg[Out.length], seg[Out.slot]]);
    });
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.write(h, bytes(10));
    bench.send({ srcPort: 40001, dstPort: 81, seq: 1, flags: ACK, ack: 1 }); // no listener: RST
    const sent = bench.sent; // everything sent since the stack was made
    assert.deepEqual(sent.map((s) => [flagLetters(s.flags), s.payload.length]), [['S.', 0], ['P.', 10], ['R', 0]]);
    assert.deepEqual(traced, sent.map((s, k) => [s.seq, s.ack, s.flags, s.payload.length, k < 2 ? 0 : -1]));
  });
});

describe('resending beside another connection', () => {
  it("counts a fast retransmit's place in the queue from its own SND.UNA, in slot 1 too", () => {
    // Seed 2 puts the second connection's ISN far above the first's: a resend that
    // measured its offset from slot 0's sequence numbers would find nothing queued there.
    const bench = new Bench({ txBytes: 4096 }, 2);
    bench.stack.listen(80);
    const first = new Client(bench, 80, 40001);
    first.connect();
    bench.stack.accept(0);
    const c = new Client(bench, 80, 40002);
    c.connect();
    const h = bench.stack.accept(0);
    assert.ok(((c.serverIsn - first.serverIsn) | 0) > 4096, 'the ISNs fall as the test needs');
    bench.stack.write(h, bytes(2144));
    assert.deepEqual(segments(c, bench.take()), [['.', 1, 536], ['.', 537, 536], ['.', 1073, 536], ['P.', 1609, 536]]);
    for (let k = 0; k < 2; k++) assert.deepEqual(c.segment(ACK), []);
    assert.deepEqual(segments(c, c.segment(ACK)), [['.', 1, 536]]);
  });
});

describe('TIME-WAIT replies beside a SACK connection', () => {
  it("sends a TIME-WAIT record's ACK without the SACK blocks of the connection in slot 1", () => {
    const bench = new Bench({ mslMs: 30000 });
    bench.stack.listen(80);
    // Slot 0: a connection that closes into the TIME-WAIT table.
    const old = new Client(bench, 80, 40001);
    old.connect();
    const oldHandle = bench.stack.accept(0);
    // Slot 1: a SACK connection holding an out-of-order range, so its segments carry a
    // SACK block.
    const { c } = sackConnection(bench, 40002);
    assert.equal(c.segment(ACK | PSH, { seq: (c.seq + 10) >>> 0, data: bytes(10) })[0].options.length, 12);
    bench.stack.close(oldHandle);
    assert.deepEqual(bench.take().map((s) => flagLetters(s.flags)), ['F.']);
    old.ack = (old.ack + 1) >>> 0;
    old.fin();
    bench.take();
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 1, timeWait: 1 });
    // The peer's FIN again: the record's ACK, bare.
    old.seq = (old.seq - 1) >>> 0;
    const reack = old.segment(FIN | ACK);
    assert.deepEqual(reack.map((s) => [flagLetters(s.flags), old.rel(s.seq), s.ack - old.isn, s.options]), [['.', 2, 2, []]]);
  });
});
