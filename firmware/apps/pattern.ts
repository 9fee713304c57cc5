// The byte stream `source` sends: deterministic and not periodic at any small length, so
// a client can check every byte and a lost, doubled or shifted segment shows.

/** Byte number `i` (0-based) of the pattern. */
export function patternByte(i: number): number {
  return (i + (i >>> 8) * 7 + (i >>> 16) * 13 + (i >>> 24) * 17) & 0xff;
}

/** Writes `count` pattern bytes starting at stream offset `start` into `into` from 0. */
export function fillPattern(into: Uint8Array, start: number, count: number): void {
  for (let k = 0; k < count; k++) into[k] = patternByte(start + k);
}

/** The stream offset of the first byte of `data` that differs from the pattern when
 *  `data` starts at stream offset `start`, or -1 if all match. */
export function checkPattern(data: Uint8Array, start: number): number {
  for (let k = 0; k < data.length; k++) if (data[k] !== patternByte(start + k)) return start + k;
  return -1;
}
