// Types of the host functions in bytes-native.js (implemented in slotcp_bytes_xs.c): the
// BytePrimitives of firmware/tcp/bytes.ts in C. RangeError for a range outside its buffer.

declare class NativeBytes {
  private constructor();
  /** The sum of bytes [offset, offset + length) and `initial` (unsigned 32-bit) as
   *  big-endian 16-bit words, folded to 16 bits (RFC 1071). */
  static sum(bytes: Uint8Array, offset: number, length: number, initial: number): number;
  /** memmove of `length` bytes: the ranges may overlap, in one array or two. */
  static copy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void;
  /** SipHash-2-4 of data[offset, offset + length) under the 16 bytes at key[keyAt]; the
   *  result's 8 bytes, least significant first, at out[outAt]. */
  static sipHash24(key: Uint8Array, keyAt: number, data: Uint8Array, offset: number, length: number, out: Uint8Array, outAt: number): void;
}

export default NativeBytes;
