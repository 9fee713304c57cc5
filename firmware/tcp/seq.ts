// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Every comparison of sequence
// numbers in the core goes through these, so wrap-around is handled in one place.
// The core holds sequence numbers (and IPv4 addresses) as *signed* 32-bit integers, the
// same bits as the wire's unsigned ones: XS and V8 keep int32 values unboxed (XS as
// integers rather than doubles, which an ESP8266 computes in software; V8 as small
// integers rather than heap numbers), so the packet path neither allocates nor does
// floating point. The signed difference orders two numbers less than 2^31 apart.

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n as a (signed 32-bit) sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) | 0;
}

/** The signed distance a - b (how far a is ahead of b). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** lo <= x < hi, modulo 2^32. */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}
