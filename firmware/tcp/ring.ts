// The per-slot rings: the rx ring holds received bytes not yet read, the tx ring bytes
// from SND.UNA on (sent and unacknowledged, then unsent). Both live in the stack's one
// byte buffer (core.memory); a ring's bytes start at its start word and may wrap, so
// every copy is at most two runs. Within core.memory the runs go by copyWithin (native,
// no allocation); to or from an app's buffer, by a byte loop (a subarray() view per copy
// would allocate).
import { Core } from './core';
import { Slots, Tcb } from './slots';

/** Copies `length` bytes of the packet, from `from`, into slot s's rx ring `gap` bytes
 *  past the unread data (0 for in-order data). The caller accounts for the bytes. */
export function rxPut(core: Core, s: number, gap: number, from: number, length: number): void {
  const slots = core.slots;
  const size = slots.rxBytes;
  const ring = slots.rxBase + s * size;
  const row = s * Tcb.ROW;
  const at = (slots.tcb[row + Tcb.rxStart] + slots.tcb[row + Tcb.rxLength] + gap) % size;
  const first = Math.min(length, size - at);
  const packet = core.packet;
  const memory = core.memory;
  if (packet === core.input) {
    const src = core.inputBase + from;
    memory.copyWithin(ring + at, src, src + first);
    if (first < length) memory.copyWithin(ring, src + first, src + length);
  } else {
    copyBytes(packet, from, memory, ring + at, first);
    copyBytes(packet, from + first, memory, ring, length - first);
  }
}

/** Copies up to `length` unread bytes of slot s's rx ring into `into` at `offset`, and
 *  returns the count. They stay in the ring until rxDrop(). */
export function rxTake(core: Core, s: number, into: Uint8Array, offset: number, length: number): number {
  const slots = core.slots;
  const size = slots.rxBytes;
  const ring = slots.rxBase + s * size;
  const row = s * Tcb.ROW;
  const count = Math.min(length, slots.tcb[row + Tcb.rxLength]);
  const from = slots.tcb[row + Tcb.rxStart];
  const first = Math.min(count, size - from);
  const memory = core.memory;
  copyBytes(memory, ring + from, into, offset, first);
  copyBytes(memory, ring, into, offset + first, count - first);
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
  const count = Math.min(length, size - slots.tcb[row + Tcb.txLength]);
  const at = (slots.tcb[row + Tcb.txStart] + slots.tcb[row + Tcb.txLength]) % size;
  const first = Math.min(count, size - at);
  const memory = core.memory;
  copyBytes(from, offset, memory, ring + at, first);
  copyBytes(from, offset + first, memory, ring, count - first);
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
  const first = Math.min(length, size - from);
  const to = core.outBase + at;
  core.memory.copyWithin(to, ring + from, ring + from + first);
  if (first < length) core.memory.copyWithin(to + first, ring, ring + length - first);
}

/** `count` bytes acknowledged: they leave the front of the tx ring. */
export function txDrop(slots: Slots, s: number, count: number): void {
  const row = s * Tcb.ROW;
  slots.tcb[row + Tcb.txStart] = (slots.tcb[row + Tcb.txStart] + count) % slots.txBytes;
  slots.tcb[row + Tcb.txLength] -= count;
}

/** Copies `length` bytes between two different buffers (the app's and the stack's), four
 *  a step: on XS the loop's own test and increment cost as much as a byte's copy. */
function copyBytes(from: Uint8Array, at: number, to: Uint8Array, into: number, length: number): void {
  const delta = into - at;
  const end = at + length;
  let i = at;
  for (const end4 = end - 3; i < end4; i += 4) {
    to[i + delta] = from[i];
    to[i + 1 + delta] = from[i + 1];
    to[i + 2 + delta] = from[i + 2];
    to[i + 3 + delta] = from[i + 3];
  }
  for (; i < end; i++) to[i + delta] = from[i];
}
