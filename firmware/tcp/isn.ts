// Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, key), where M is a clock
// ticking every 4 microseconds and F is SipHash-2-4 keyed with 128 random bits drawn once
// at construction. ISNs for one 4-tuple increase with time; ISNs of different 4-tuples
// cannot be predicted from each other without the key.
import { SipHash24 } from './siphash';
import { Seg, Segment } from './wire';

/** Which of the stack's SipHash keys (core.ts) the ISNs use. */
export const ISN_KEY = 0;

/** The ISN for a connection opened at `now` (ms) by the SYN `seg` to `localAddr`. */
export function nextIsn(hash: SipHash24, now: number, localAddr: number, seg: Segment): number {
  const clock = (now * 250) % 4294967296; // 4 µs ticks from a millisecond clock
  return (clock + hash.isnHash(localAddr, seg[Seg.dstPort], seg[Seg.srcAddr], seg[Seg.srcPort], ISN_KEY)) | 0; // signed: see seq.ts
}
