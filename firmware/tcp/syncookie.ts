// SYN cookies (RFC 4987 §3.6): when half-open connections reach their limit, a SYN is
// answered without keeping any state; our ISN itself carries a MAC of the 4-tuple, the
// client's ISN and a coarse clock, plus the peer's MSS (an index into a table). The ACK
// that returns the ISN + 1 proves the client saw our SYN-ACK, and the connection is
// created then. A flood of spoofed SYNs therefore cannot hold the slots.
import { SipHash24 } from './siphash';
import { Seg, Segment } from './wire';

/** MSS values a cookie can carry (3 bits): the largest not above the peer's is used. */
const MSS_TABLE = Object.freeze([216, 536, 1024, 1220, 1360, 1440, 1452, 1460]);

/** Which of the stack's SipHash keys (core.ts) the cookies use. */
export const COOKIE_KEY = 1;

/** Our ISN for the SYN `seg` (to `localAddr`) answered by cookie; `now` is the stack's
 *  wrapping ms clock. */
export function makeCookie(hash: SipHash24, now: number, localAddr: number, seg: Segment, peerMss: number): number {
  let index = 0;
  while (index < MSS_TABLE.length - 1 && MSS_TABLE[index + 1] <= peerMss) index++;
  const count = now >>> 16; // about 65.5 s per count
  return (mac(hash, localAddr, seg, seg[Seg.seq], count) & ~7) | index;
}

/** The MSS a valid cookie in the ACK `seg` carries (its ACK field minus one; the
 *  client's ISN is its SEQ minus one), or 0 if that is not one of ours from this or the
 *  previous clock count (so it is valid for 65 to 131 s). */
export function checkCookie(hash: SipHash24, now: number, localAddr: number, seg: Segment): number {
  const clientIsn = (seg[Seg.seq] - 1) | 0;
  const cookie = (seg[Seg.ack] - 1) | 0;
  const count = now >>> 16;
  for (let age = 0; age < 2; age++) {
    const m = mac(hash, localAddr, seg, clientIsn, (count - age) & 0xffff);
    if (((m ^ cookie) & ~7) === 0) return MSS_TABLE[cookie & 7];
  }
  return 0;
}

/** The MAC part: SipHash of the 4-tuple, the client's ISN and the clock count. */
function mac(hash: SipHash24, localAddr: number, seg: Segment, clientIsn: number, count: number): number {
  const localPort = seg[Seg.dstPort];
  const remotePort = seg[Seg.srcPort];
  const b = hash.scratch;
  const i = hash.scratchAt;
  put32(b, i, localAddr);
  put32(b, i + 4, seg[Seg.srcAddr]);
  put32(b, i + 8, clientIsn);
  put32(b, i + 12, count);
  b[i + 16] = localPort >>> 8; b[i + 17] = localPort;
  b[i + 18] = remotePort >>> 8; b[i + 19] = remotePort;
  hash.hash(b, i, 20, COOKIE_KEY);
  return hash.lo;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}
