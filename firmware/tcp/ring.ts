// The per-slot rings: the rx ring holds received bytes not yet read, the tx ring bytes
// from SND.UNA on (sent and unacknowledged, then unsent). Both live in the stack's one
// byte buffer (core.memory); a ring's bytes start at its start word and may wrap, so
// every copy is at most two runs, each one call of core.bytes.copy (bytes.ts). Copies
// between the rings and the packet buffers are given as copies within core.memory, which
// jsBytes makes with copyWithin (native, no allocation); to or from an app's buffer,
// jsBytes loops over the bytes and a platform's primitives may do better. Minimums are
// comparisons, not Math.min: on XS that is a native call, slower than the test.
import { Core } from './core';
import { Slots, Tcb } from './slots';
import { seqAdd, seqDiff, seqGt, seqLt } from './seq';

/** Copies `length` bytes of the packet, from `from`, into slot s's rx ring `gap` bytes
 *  past the unread data (0 for in-order data). The caller accounts for the bytes. */
export function rxPut(core: Core, s: number, gap: number, from: number, length: number): void {
  const slots = core.slots;
  const size = slots.rxBytes;
  const ring = slots.rxBase + s * size;
  const row = s * Tcb.ROW;
  const at = (slots.tcb[row + Tcb.rxStart] + slots.tcb[row + Tcb.rxLength] + gap) % size;
  const first = length < size - at ? length : size - at;
  const memory = core.memory;
  let packet = core.packet;
  if (packet === core.input) {
    packet = memory;
    from += core.inputBase;
  }
  core.bytes.copy(packet, from, memory, ring + at, first);
  if (first < length) core.bytes.copy(packet, from + first, memory, ring, length - first);
}

/** Copies up to `length` unread bytes of slot s's rx ring into `into` at `offset`, and
 *  returns the count. They stay in the ring until rxDrop(). */
export function rxTake(core: Core, s: number, into: Uint8Array, offset: number, length: number): number {
  const slots = core.slots;
  const size = slots.rxBytes;
  const ring = slots.rxBase + s * size;
  const row = s * Tcb.ROW;
  const unread = slots.tcb[row + Tcb.rxLength];
  const count = length < unread ? length : unread;
  const from = slots.tcb[row + Tcb.rxStart];
  const first = count < size - from ? count : size - from;
  const memory = core.memory;
  core.bytes.copy(memory, ring + from, into, offset, first);
  if (first < count) core.bytes.copy(memory, ring, into, offset + first, count - first);
  return count;
}

/** Where slot s's unread bytes start in core.memory. */
export function rxAddress(slots: Slots, s: number): number {
  return slots.rxBase + s * slots.rxBytes + slots.tcb[s * Tcb.ROW + Tcb.rxStart];
}

/** `count` bytes read: they leave the front of the rx ring. */
export function rxDrop(slots: Slots, s: number, count: number): void {
  const row = s * Tcb.ROW;
  slots.tcb[row + Tcb.rxStart] = (slots.tcb[row + Tcb.rxStart] + count) % slots.rxBytes;
  slots.tcb[row + Tcb.rxLength] -= count;
}

/** Appends up to `length` bytes of `from` at `offset` to slot s's tx ring, as room allows;
 *  returns the count. */
export function txPut(core: Core, s: number, from: Uint8Array, offset: number, length: number): number {
  const slots = core.slots;
  const size = slots.txBytes;
  const ring = slots.txBase + s * size;
  const row = s * Tcb.ROW;
  const room = size - slots.tcb[row + Tcb.txLength];
  const count = length < room ? length : room;
  const at = (slots.tcb[row + Tcb.txStart] + slots.tcb[row + Tcb.txLength]) % size;
  const first = count < size - at ? count : size - at;
  const memory = core.memory;
  core.bytes.copy(from, offset, memory, ring + at, first);
  if (first < count) core.bytes.copy(from, offset + first, memory, ring, count - first);
  slots.tcb[row + Tcb.txLength] += count;
  return count;
}

/** Copies `length` bytes of slot s's tx ring, from `offset` bytes past SND.UNA, to `at`
 *  in the outgoing packet. */
export function txCopyOut(core: Core, s: number, offset: number, at: number, length: number): void {
  const slots = core.slots;
  const size = slots.txBytes;
  const ring = slots.txBase + s * size;
  const from = (slots.tcb[s * Tcb.ROW + Tcb.txStart] + offset) % size;
  const first = length < size - from ? length : size - from;
  const to = core.out.byteOffset + at;
  const memory = core.memory;
  core.bytes.copy(memory, ring + from, memory, to, first);
  if (first < length) core.bytes.copy(memory, ring, memory, to + first, length - first);
}

/** `count` bytes acknowledged: they leave the front of the tx ring. */
export function txDrop(slots: Slots, s: number, count: number): void {
  const row = s * Tcb.ROW;
  slots.tcb[row + Tcb.txStart] = (slots.tcb[row + Tcb.txStart] + count) % slots.txBytes;
  slots.tcb[row + Tcb.txLength] -= count;
}

/** Layout of Tcb.recordRun: the records' length in the low bits (up to config.txBytes'
 *  cap, 2^20), the count of marks above them (at most MaxCount). */
const enum RecordRun {
  CountShift = 21,
  LengthMask = (1 << 21) - 1,
  MaxCount = 1023,
}

/** Marks the end of a record at the end of slot s's queued data (write with MSG_EOR):
 *  data queued after it never shares a segment with the bytes before it. Linux marks the
 *  socket buffer's tail skb and starts a new one for later writes, so any number of marks
 *  may wait; two words keep them as a run of equally long records ending at the latest
 *  mark: exact for any two marks, and for any number of records of one size (the
 *  scripts' and a framed protocol's case). A record of another length starts a new run
 *  with the mark before it: the older marks are forgotten, and bytes across them may then
 *  share a segment. */
export function markRecordEnd(slots: Slots, s: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  const end = seqAdd(tcb[row + Tcb.sndUna], tcb[row + Tcb.txLength]);
  const run = tcb[row + Tcb.recordRun];
  const count = run >>> RecordRun.CountShift; // 0 once SND.UNA passed them (dropRecordMarks)
  const length = seqDiff(end, tcb[row + Tcb.recordEnd]);
  if (count > 0 && length <= 0) return; // no byte since the last mark
  tcb[row + Tcb.recordEnd] = end;
  if (count === 0) {
    tcb[row + Tcb.recordRun] = 1 << RecordRun.CountShift;
  } else {
    // The run goes on if this record is as long as its others; else the last two marks
    // make a new one.
    const same = count > 1 && length === (run & RecordRun.LengthMask);
    const next = !same ? 2 : count < RecordRun.MaxCount ? count + 1 : count;
    tcb[row + Tcb.recordRun] = (next << RecordRun.CountShift) | length;
  }
}

/** Bytes from `seq` (at or after SND.UNA) to the first end-of-record mark after it, or -1
 *  if none: a segment from `seq` ends there at the latest. */
export function toRecordEnd(tcb: Int32Array, row: number, seq: number): number {
  const run = tcb[row + Tcb.recordRun];
  const toLatest = seqDiff(tcb[row + Tcb.recordEnd], seq);
  if (run === 0 || toLatest <= 0) return -1;
  const length = run & RecordRun.LengthMask;
  const last = (run >>> RecordRun.CountShift) - 1;
  if (last === 0) return toLatest;
  // The marks below the latest are length apart: the first after seq is k of them down,
  // k the most with k × length < toLatest, and at most the run's.
  const k = ((toLatest - 1) / length) | 0;
  return toLatest - (k < last ? k : last) * length;
}

/** The last end-of-record mark after `from` and before `seq`, or `from` if none: where
 *  the last segment sent before `seq` began, if a mark cut it. */
export function recordStartBefore(tcb: Int32Array, row: number, from: number, seq: number): number {
  const run = tcb[row + Tcb.recordRun];
  const latest = tcb[row + Tcb.recordEnd];
  let mark = latest;
  if (!seqLt(latest, seq)) {
    // The run's marks are length apart below the latest: the first under seq is k down.
    const length = run & RecordRun.LengthMask;
    const k = length === 0 ? 0 : ((seqDiff(latest, seq) / length) | 0) + 1;
    if (k === 0 || k >= run >>> RecordRun.CountShift) return from;
    mark = seqAdd(latest, -k * length);
  }
  return run !== 0 && seqGt(mark, from) ? mark : from;
}

/** Once SND.UNA reaches the latest mark, every mark is behind: the run is dropped (a
 *  stale one would read as ahead again 2^31 bytes later). */
export function dropRecordMarks(slots: Slots, s: number): void {
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  if (!seqLt(tcb[row + Tcb.sndUna], tcb[row + Tcb.recordEnd])) tcb[row + Tcb.recordRun] = 0;
}

/** `length` bytes from `seq`, or fewer if an end-of-record mark comes first. */
export function cutAtRecordEnd(tcb: Int32Array, row: number, seq: number, length: number): number {
  const toEnd = toRecordEnd(tcb, row, seq);
  return toEnd >= 0 && toEnd < length ? toEnd : length;
}
