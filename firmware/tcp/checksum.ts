// The internet checksum (RFC 1071), as running 32-bit sums folded at the end, so that
// the IPv4 pseudo-header and the TCP segment can be summed separately without copying.

/** Adds the bytes [offset, offset + length) to `sum` as big-endian 16-bit words. Four
 *  words a step, folded each step, so the sum stays a small integer (no doubles on XS)
 *  and the interpreter runs a third fewer loop steps. */
export function sumBytes(bytes: Uint8Array, offset: number, length: number, sum: number): number {
  const end = offset + length;
  const end8 = end - 7;
  let i = offset;
  sum = (sum & 0xffff) + (sum >>> 16);
  while (i < end8) {
    sum += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3])
      + ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
    sum = (sum & 0xffff) + (sum >>> 16);
    i += 8;
  }
  while (i + 1 < end) {
    sum += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds a running sum to 16 bits and complements it: the value to put in a header. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The sum of the TCP pseudo-header (RFC 9293 §3.1): addresses, protocol 6, TCP length. */
export function pseudoHeaderSum(src: number, dst: number, tcpLength: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + tcpLength;
}
