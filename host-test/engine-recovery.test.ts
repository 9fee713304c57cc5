// Loss recovery (firmware/tcp/recovery.ts) where the wire cannot show it: the counters
// each recovery event moves, after the packetdrill scripts that pin the events down on
// the wire; the RTT left unsampled by a SYN-cookie open; the duplicate-ACK count's
// ceiling; and the tail loss probe's timer on a clock past 2^30 ms.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CounterName } from '../firmware/tcp/counters';
import { Slots, Tcb } from '../firmware/tcp/slots';
import { TcpInfo } from '../firmware/tcp/stack';
import { ACK, SYN } from '../firmware/tcp/wire';
import { parseScript } from '../host/pkt/parse';
import { runScript } from '../host/pkt/run';
import { Bench, Client, wires } from './support/net';

const corpus = path.join(__dirname, '..', '..', 'host-test', 'pkt');
const SACK_PERMITTED = [1, 1, 4, 2];

/** The script's counters at its end, alone and beside an idle connection (both must agree). */
function countersAfter(script: string, names: CounterName[]): Record<string, number> {
  const file = path.join(corpus, script);
  const text = readFileSync(file, 'utf8');
  const pick = (bystander: boolean) => {
    const all = runScript(parseScript(text, file), file, { bystander }).counters;
    return Object.fromEntries(names.map((name) => [name, all[name]]));
  };
  const alone = pick(false);
  assert.deepEqual(pick(true), alone, 'the same counts in the second slot');
  return alone;
}

/** A SACK connection (the handshake at one instant: SRTT 1 ms) with two 536-byte
 *  segments in flight; returns its client. */
function twoSegmentsOut(bench: Bench): Client {
  bench.stack.listen(80);
  const c = new Client(bench, 80);
  c.connect(1460, SACK_PERMITTED);
  bench.stack.write(bench.stack.accept(0), new Uint8Array(1072));
  assert.deepEqual(wires(c, bench.take()).map((w) => [w.seq, w.len]), [[1, 536], [537, 536]]);
  return c;
}

function emptyInfo(): TcpInfo {
  return {
    state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false, sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0, sndWnd: 0,
    recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0,
  };
}

describe('loss recovery: what the wire does not show', () => {
  it('counts each fast retransmit, the resend on a partial ACK too (NewReno and SACK)', () => {
    assert.deepEqual(countersAfter('data/newreno-partial-ack.pkt', ['fastRetransmits', 'retransmitTimerExpiries']),
      { fastRetransmits: 2, retransmitTimerExpiries: 0 });
    assert.deepEqual(countersAfter('sack/partial-ack-no-blocks.pkt', ['fastRetransmits', 'retransmitTimerExpiries']),
      { fastRetransmits: 2, retransmitTimerExpiries: 0 });
    // A partial ACK with blocks leaves the resends to the scoreboard: no count.
    assert.deepEqual(countersAfter('sack/partial-ack-new-data-first.pkt', ['fastRetransmits']), { fastRetransmits: 1 });
  });

  it('counts tail loss probes, and as repairs only those that resent data that was missing', () => {
    const names: CounterName[] = ['lossProbes', 'lossProbeRepairs'];
    assert.deepEqual(countersAfter('sack/tail-loss-probe.pkt', names), { lossProbes: 1, lossProbeRepairs: 1 });
    assert.deepEqual(countersAfter('sack/tail-loss-probe-new-data-window.pkt', names), { lossProbes: 1, lossProbeRepairs: 0 });
    assert.deepEqual(countersAfter('sack/tail-loss-probe-dsack.pkt', names), { lossProbes: 1, lossProbeRepairs: 0 });
    assert.deepEqual(countersAfter('sack/tail-loss-probe-partial-ack.pkt', names), { lossProbes: 1, lossProbeRepairs: 1 });
  });

  it('counts a resend found lost in recovery once, and nothing of the kind outside recovery', () => {
    assert.deepEqual(countersAfter('sack/lost-resend.pkt', ['lostResends']), { lostResends: 1 });
    // SACK blocks well above the last resend after a timeout (no recovery): no count.
    assert.deepEqual(countersAfter('sack/timeout-then-duplicates.pkt', ['lostResends']), { lostResends: 0 });
    assert.deepEqual(countersAfter('sack/timeout-after-probe-then-recovery.pkt', ['lostResends']), { lostResends: 0 });
  });

  it('takes no RTT sample from a SYN-cookie open (the SYN-ACK\'s send time is not kept)', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.segment(SYN, { mss: 1460 });
    c.seq = (c.seq + 1) >>> 0;
    bench.advance(100);
    const synAck = bench.sent[bench.sent.length - 1];
    c.serverIsn = synAck.seq;
    c.ack = (synAck.seq + 1) >>> 0;
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const info = emptyInfo();
    assert.ok(bench.stack.info(bench.stack.accept(0), info));
    assert.deepEqual({ srtt: info.srtt, rttvar: info.rttvar, rto: info.rto }, { srtt: 0, rttvar: 0, rto: 1000 });
  });

  it('keeps counting duplicate ACKs past 255 without leaving recovery\'s range (the count saturates at 4)', () => {
    const bench = new Bench({ txBytes: 8192 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(2144));
    assert.equal(bench.take().length, 4);
    const tcb = (bench.stack as unknown as { core: { slots: Slots } }).core.slots.tcb;
    for (let i = 0; i < 3; i++) c.segment(ACK);
    assert.equal(tcb[Tcb.dupAcks], 3);
    tcb[Tcb.dupAcks] = 254; // as if 251 more had come
    c.segment(ACK);
    assert.equal(tcb[Tcb.dupAcks], 4, 'the 255th wraps to 4: still above three, never three again');
  });

  it('arms the tail loss probe on a clock past 2^30 ms (the time left to the RTO does not overflow)', () => {
    const bench = new Bench({ txBytes: 8192 });
    bench.clock.time = 0x40000000 + 5;
    const c = twoSegmentsOut(bench);
    // SRTT 1 ms (the handshake at one instant): the probe, due 2 ms on, resends the last segment.
    assert.deepEqual(wires(c, bench.advance(10)).map((w) => [w.seq, w.len]), [[537, 536]]);
    assert.equal(bench.stack.counters.lossProbes, 1);
  });

  it('a timeout in slot 1 leaves the connection in slot 0 alone: its delayed ACK and its RTO', () => {
    const bench = new Bench({ txBytes: 8192 });
    bench.stack.listen(80);
    const a = new Client(bench, 80, 40001);
    a.connect();
    const ha = bench.stack.accept(0);
    const b = new Client(bench, 80, 40002);
    b.connect();
    const hb = bench.stack.accept(0);
    assert.deepEqual([ha & 0xff, hb & 0xff], [0, 1]);
    bench.stack.write(hb, new Uint8Array(100)); // slot 1: unanswered, its RTO at 1 s
    bench.take();
    bench.advance(500);
    bench.stack.write(ha, new Uint8Array(100)); // slot 0: its RTO at 1.5 s
    bench.advance(400);
    assert.deepEqual(a.write('x'), [], 'slot 0 holds its ACK for 200 ms');
    // At 1 s slot 1 times out (its segment again); slot 0's delayed ACK is due at 1.1 s.
    assert.deepEqual(wires(b, bench.advance(100)).map((w) => [w.seq, w.len]), [[1, 100]]);
    assert.deepEqual(bench.take(), []);
    assert.deepEqual(wires(a, bench.advance(100)).map((w) => [w.seq, w.len, w.ack]), [[101, 0, 2]]);
    // At 1.5 s slot 0's own timeout, then its backed-off one 2 s later, not at once.
    assert.deepEqual(wires(a, bench.advance(400)).map((w) => [w.seq, w.len]), [[1, 100]]);
    assert.deepEqual(bench.advance(1999).filter((w) => w.dstPort === 40001), []);
  });

  it('sends no tail loss probe after a timeout, when a late poll finds both timers due', () => {
    // A busy platform may poll long after both deadlines: the retransmission timer runs
    // first, and its go-back-N has no place for a probe (RFC 8985 §7.3: none after an RTO).
    const bench = new Bench({ txBytes: 8192 });
    const c = twoSegmentsOut(bench);
    // The probe was due within 10 ms, the RTO at 1 s; the platform polls once, at 2 s.
    assert.ok(bench.stack.nextDeadline() <= 10);
    bench.clock.time += 2000;
    bench.stack.poll();
    assert.deepEqual(wires(c, bench.take()).map((w) => [w.seq, w.len]), [[1, 536]], 'the first segment again, alone');
    assert.equal(bench.stack.counters.lossProbes, 0);
    assert.equal(bench.stack.counters.retransmitTimerExpiries, 1);
  });
});
