// The stack's per-byte work, as one small set of primitives chosen when the stack is
// made (the Stack constructor's fifth argument): the internet checksum's sum, byte
// copies, and the SipHash of the ISNs and SYN cookies. The default, jsBytes, is portable
// JS; a board passes C functions (firmware/platform/moddable/bytes-native.js over
// slotcp_bytes.c) and the host runner Node's native copy (host/bytes-node.ts). None may
// allocate.
import { sumBytes } from './checksum';
import { SipHashFunction, sipHash24 } from './siphash';

export interface BytePrimitives {
  /** Adds bytes [offset, offset + length) to `initial` (an unsigned 32-bit running sum)
   *  as big-endian 16-bit words, a last odd byte as the high byte of a word (RFC 1071).
   *  Returns a non-negative integer below 2^31 equal to that sum modulo 0xffff, and 0 only
   *  when every byte and `initial` are 0: finishChecksum() makes the header value. */
  sum(bytes: Uint8Array, offset: number, length: number, initial: number): number;
  /** Copies `length` bytes of `from` at `fromOffset` to `to` at `toOffset`. `from` and
   *  `to` are the same array (the ranges may then overlap, as with copyWithin) or arrays
   *  whose bytes do not overlap. The caller checks the ranges. */
  copy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void;
  /** SipHash-2-4 of data[offset, offset + length) under the 16-byte key at key[keyAt]:
   *  the 64-bit result's 8 bytes, least significant first, at out[outAt]. The key, the
   *  data and the result may share an array (the result is written last). The caller
   *  checks the ranges. */
  sipHash24: SipHashFunction;
}

/** Within one array by copyWithin (native, no allocation); between two by a byte loop,
 *  four a step: on XS the loop's own test and increment cost as much as a byte's copy
 *  (a subarray() view for set() would allocate). */
export function copyBytes(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void {
  if (from === to) {
    to.copyWithin(toOffset, fromOffset, fromOffset + length);
    return;
  }
  const delta = toOffset - fromOffset;
  const end = fromOffset + length;
  let i = fromOffset;
  for (const end4 = end - 3; i < end4; i += 4) {
    to[i + delta] = from[i];
    to[i + 1 + delta] = from[i + 1];
    to[i + 2 + delta] = from[i + 2];
    to[i + 3 + delta] = from[i + 3];
  }
  for (; i < end; i++) to[i + delta] = from[i];
}

/** The portable primitives: checksum.ts's sumBytes, copyBytes and siphash.ts's sipHash24. */
export const jsBytes: BytePrimitives = Object.freeze({ sum: sumBytes, copy: copyBytes, sipHash24 });
