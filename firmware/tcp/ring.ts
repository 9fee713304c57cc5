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
