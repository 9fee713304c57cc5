// RACK (firmware/tcp/rack.ts, RFC 8985 §6) function by function, on slot 1 of a bare
// Slots with the scoreboard of sack.ts: what moves RACK's segment (rackEnd, rackAt), when
// the holes below it are marked lost (lostTo) or the reordering timer armed, the counts
// packed in Tcb.rackStats, and how a RACK mark shows in the pipe and IsLost. The wire
// behaviour is pinned by host-test/pkt/sack/rack-*.pkt.
import assert from 'node:assert/strict';
import { Core } from '../firmware/tcp/core';
import { Flag, RackStats, Slots, Timer, Tcb } from '../firmware/tcp/slots';
import { Seg, newSegment } from '../firmware/tcp/wire';
import { lossIndicated, lostBytes, pipe, recordSackBlocks, reordered } from '../firmware/tcp/sack';
import { rackCumulativeAck, rackDelivered, rackDetect, rackOpened, rackRttSample } from '../firmware/tcp/rack';

const S = 1;
const ROW = S * Tcb.ROW;
const MSS = 1000;

/** Slot 1 with SND.UNA `una`, SND.MAX `max`, SACK agreed, RACK's fields as a connection
 *  opening at `una` has them, min_RTT 100 ms and SRTT 100 ms. */
function board(una: number, max: number): Slots {
  const slots = new Slots(2, 0, 0, 0, 0);
  const tcb = slots.tcb;
  tcb[ROW + Tcb.sndUna] = una;
  tcb[ROW + Tcb.sndMax] = max;
  tcb[ROW + Tcb.mss] = MSS;
  tcb[ROW + Tcb.flags] = Flag.Sack;
  tcb[ROW + Tcb.srtt8] = 100 << 3;
  tcb[ROW + Tcb.rackStats] = 3 << RackStats.REORDERING_SHIFT;
  rackOpened(slots, S);
  rackRttSample(slots, S, 100);
  return slots;
}

/** The parts of Core that rack.ts reads. */
function coreOf(slots: Slots, now: number, rack = true): Core {
  return { slots, now, config: { rack } } as unknown as Core;
}

function sack(slots: Slots, ...blocks: [number, number][]): void {
  const seg = newSegment();
  seg[Seg.sackCount] = blocks.length;
  blocks.forEach(([l, r], k) => {
    seg[Seg.sackBlocks + 2 * k] = l;
    seg[Seg.sackBlocks + 2 * k + 1] = r;
  });
  recordSackBlocks(slots, S, seg, 0);
}

const minRtt = (slots: Slots) => slots.tcb[ROW + Tcb.rackStats] & RackStats.MIN_RTT_MASK;
const degree = (slots: Slots) => slots.tcb[ROW + Tcb.rackStats] >>> RackStats.REORDERING_SHIFT;

describe('RACK (rack.ts)', () => {
  it('keeps the least RTT sample as min_RTT, at most 65,535 ms, beside the reordering degree', () => {
    const slots = board(1, 10001);
    rackRttSample(slots, S, 150);
    assert.equal(minRtt(slots), 100);
    rackRttSample(slots, S, 40);
    assert.equal(minRtt(slots), 40);
    assert.equal(degree(slots), 3);
    const fresh = new Slots(2, 0, 0, 0, 0);
    fresh.tcb[ROW + Tcb.rackStats] = 7 << RackStats.REORDERING_SHIFT;
    rackRttSample(fresh, S, 100000);
    assert.equal(fresh.tcb[ROW + Tcb.rackStats] & RackStats.MIN_RTT_MASK, 0xffff);
    assert.equal(fresh.tcb[ROW + Tcb.rackStats] >>> RackStats.REORDERING_SHIFT, 7);
  });

  it('measures reordering in segments, rounded up, only growing, at most 300', () => {
    const slots = board(1, 10001);
    reordered(slots, S, 5001, 8001); // 3000 bytes: not more than 3 segments
    assert.equal(degree(slots), 3);
    assert.ok(slots.tcb[ROW + Tcb.flags] & Flag.Reordered);
    reordered(slots, S, 3001, 8001);
    assert.equal(degree(slots), 5);
    reordered(slots, S, 3500, 8001); // 4.5 segments: less than seen
    assert.equal(degree(slots), 5);
    reordered(slots, S, 1, 5000001);
    assert.equal(degree(slots), 300);
    assert.equal(minRtt(slots), 100);
  });

  it('moves its segment to the highest SACKed range of at least one MSS of data sent once, at the ACK time', () => {
    const slots = board(1, 10001);
    sack(slots, [9901, 10001]); // shorter than the MSS: maybe part of a segment
    rackDelivered(coreOf(slots, 200), S);
    assert.equal(slots.tcb[ROW + Tcb.rackEnd], 1);
    sack(slots, [7001, 8001]);
    rackDelivered(coreOf(slots, 210), S);
    assert.equal(slots.tcb[ROW + Tcb.rackEnd], 8001);
    assert.equal(slots.tcb[ROW + Tcb.rackAt], 210);
    // A range that holds a resend (below HighRxt in recovery) does not move it.
    slots.tcb[ROW + Tcb.highRxt] = 10001;
    sack(slots, [8001, 9001]);
    rackDelivered(coreOf(slots, 220), S);
    assert.equal(slots.tcb[ROW + Tcb.rackEnd], 8001);
    assert.equal(slots.tcb[ROW + Tcb.rackAt], 210);
  });

  it('takes a block newly SACKed below its segment as reordering, not one it already holds', () => {
    const slots = board(1, 10001);
    sack(slots, [7001, 8001]);
    rackDelivered(coreOf(slots, 200), S);
    sack(slots, [7001, 8001]);
    assert.equal(slots.tcb[ROW + Tcb.flags] & Flag.Reordered, 0);
    sack(slots, [3001, 4001], [7001, 8001]);
    assert.ok(slots.tcb[ROW + Tcb.flags] & Flag.Reordered);
    assert.equal(degree(slots), 5); // 8001 - 3001
  });

  it('takes a cumulative ACK over a hole never resent, below its segment, as reordering', () => {
    const slots = board(1, 4001);
    sack(slots, [3001, 4001]);
    rackDelivered(coreOf(slots, 200), S);
    slots.tcb[ROW + Tcb.sndUna] = 4001;
    rackCumulativeAck(slots, S, 1);
    assert.ok(slots.tcb[ROW + Tcb.flags] & Flag.Reordered);
    assert.equal(degree(slots), 4);
    // Resent holes filled by the ACK are no sign of reordering.
    const resent = board(1, 4001);
    sack(resent, [3001, 4001]);
    rackDelivered(coreOf(resent, 200), S);
    resent.tcb[ROW + Tcb.highRxt] = 1001;
    resent.tcb[ROW + Tcb.sndUna] = 4001;
    rackCumulativeAck(resent, S, 1);
    assert.equal(resent.tcb[ROW + Tcb.flags] & Flag.Reordered, 0);
  });

  it('marks the holes below its segment lost a reordering window after it was delivered, and arms the timer till then', () => {
    const slots = board(1, 10001);
    sack(slots, [7001, 8001]);
    rackDelivered(coreOf(slots, 200), S);
    assert.equal(rackDetect(coreOf(slots, 200), S), false);
    assert.ok(slots.tcb[ROW + Tcb.flags] & Flag.ReoTimer);
    assert.ok(slots.running(S, Timer.LossProbe));
    assert.equal(slots.deadline(S, Timer.LossProbe), 225); // min(100 / 4, 100)
    assert.equal(lossIndicated(slots, S), false);
    assert.equal(rackDetect(coreOf(slots, 225), S), true); // the timer stops
    assert.equal(slots.tcb[ROW + Tcb.lostTo], 8001);
    assert.equal(slots.tcb[ROW + Tcb.flags] & Flag.ReoTimer, 0);
    assert.equal(slots.running(S, Timer.LossProbe), false);
    assert.ok(lossIndicated(slots, S));
    assert.equal(lostBytes(slots, S, false), 7000);
    // The pipe: 2000 sent above the highest SACK; the lost holes count for nothing.
    assert.equal(pipe(slots, S), 2000);
  });

  it('uses no window in recovery, or with three segments SACKed, until reordering is seen', () => {
    const slots = board(1, 10001);
    sack(slots, [5001, 8001]);
    rackDelivered(coreOf(slots, 200), S);
    rackDetect(coreOf(slots, 200), S);
    assert.equal(slots.tcb[ROW + Tcb.lostTo], 8001);
    const recovering = board(1, 10001);
    recovering.tcb[ROW + Tcb.flags] |= Flag.Recovery;
    sack(recovering, [7001, 8001]);
    rackDelivered(coreOf(recovering, 200), S);
    rackDetect(coreOf(recovering, 200), S);
    assert.equal(recovering.tcb[ROW + Tcb.lostTo], 8001);
    const reordering = board(1, 10001);
    reordering.tcb[ROW + Tcb.flags] |= Flag.Recovery | Flag.Reordered;
    sack(reordering, [5001, 8001]);
    rackDelivered(coreOf(reordering, 200), S);
    rackDetect(coreOf(reordering, 200), S);
    assert.equal(reordering.tcb[ROW + Tcb.lostTo], 1);
    assert.equal(reordering.deadline(S, Timer.LossProbe), 225);
  });

  it('does nothing with config.rack false, after a timeout, or without SACK', () => {
    for (const [flags, rack] of [[Flag.Sack, false], [Flag.Sack | Flag.AfterTimeout, true], [0, true]] as [number, boolean][]) {
      const slots = board(1, 10001);
      sack(slots, [7001, 8001]);
      slots.tcb[ROW + Tcb.flags] = flags;
      rackDelivered(coreOf(slots, 200), S);
      rackDetect(coreOf(slots, 500, rack), S);
      assert.equal(slots.tcb[ROW + Tcb.lostTo], 1);
      assert.equal(slots.running(S, Timer.LossProbe), false);
    }
  });

  it('counts a hole only partly below the RACK mark as lost for that part (the pipe counts the rest)', () => {
    const slots = board(1, 10001);
    sack(slots, [7001, 8001]);
    slots.tcb[ROW + Tcb.lostTo] = 4001; // e.g. a range the full scoreboard dropped
    assert.equal(lostBytes(slots, S, false), 4000);
    assert.equal(pipe(slots, S), 2000 + 3000);
  });

  it('brings marks left behind by SND.UNA up to it', () => {
    const slots = board(1, 10001);
    slots.tcb[ROW + Tcb.sndUna] = 5001;
    rackDelivered(coreOf(slots, 300), S);
    assert.equal(slots.tcb[ROW + Tcb.lostTo], 5001);
    assert.equal(slots.tcb[ROW + Tcb.rackEnd], 5001);
  });
});
