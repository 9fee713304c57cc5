// The bounded TIME-WAIT table. A connection in TIME-WAIT needs only enough to recognise
// its segments and answer them: the peer (address, port), our port, RCV.NXT, SND.NXT and
// when the record expires, 20 bytes in typed arrays. The slot it came from is free again.
// Times are wrapping 32-bit millisecond counts, like the slots' deadlines.
// When the table is full the record closest to expiry is evicted: it was the oldest to
// enter or be refreshed, and so the one whose protection matters least.
import { seqDiff } from './seq';

export class TimeWaitTable {
  readonly capacity: number;
  private readonly remoteAddr: Int32Array;
  /** remotePort 0 marks a free record (port 0 never gets this far). */
  private readonly localPort: Uint16Array;
  private readonly remotePort: Uint16Array;
  readonly rcvNxt: Int32Array;
  readonly sndNxt: Int32Array;
  /** Expiry in ms modulo 2^32 (signed, like sequence numbers): 2MSL is far below 2^31 ms,
   *  so differences order correctly. */
  private readonly expires: Int32Array;
  private used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.remoteAddr = new Int32Array(capacity);
    this.localPort = new Uint16Array(capacity);
    this.remotePort = new Uint16Array(capacity);
    this.rcvNxt = new Int32Array(capacity);
    this.sndNxt = new Int32Array(capacity);
    this.expires = new Int32Array(capacity);
  }

  get size(): number {
    return this.used;
  }

  bytesPerRecord(): number {
    return (this.remoteAddr.BYTES_PER_ELEMENT + this.localPort.BYTES_PER_ELEMENT
      + this.remotePort.BYTES_PER_ELEMENT + this.rcvNxt.BYTES_PER_ELEMENT
      + this.sndNxt.BYTES_PER_ELEMENT + this.expires.BYTES_PER_ELEMENT);
  }

  /** The record for this 4-tuple, or -1. */
  find(remoteAddr: number, remotePort: number, localPort: number): number {
    if (this.used === 0) return -1;
    for (let i = 0; i < this.capacity; i++) {
      if (this.remotePort[i] === remotePort && this.localPort[i] === localPort && this.remoteAddr[i] === remoteAddr) {
        return i;
      }
    }
    return -1;
  }

  /** Adds a record expiring at `expiresAt`. Returns true when an older record was evicted
   *  to make room. With capacity 0 nothing is kept (returns true: the record is lost). */
  insert(remoteAddr: number, remotePort: number, localPort: number, rcvNxt: number, sndNxt: number,
    expiresAt: number): boolean {
    if (this.capacity === 0) return true;
    let i = this.remotePort.indexOf(0);
    let evicted = false;
    if (i < 0) {
      i = this.oldest(expiresAt);
      evicted = true;
      this.used--;
    }
    this.remoteAddr[i] = remoteAddr;
    this.localPort[i] = localPort;
    this.remotePort[i] = remotePort;
    this.rcvNxt[i] = rcvNxt;
    this.sndNxt[i] = sndNxt;
    this.expires[i] = expiresAt;
    this.used++;
    return evicted;
  }

  /** Restarts the 2MSL wait of record i. */
  refresh(i: number, expiresAt: number): void {
    this.expires[i] = expiresAt;
  }

  remove(i: number): void {
    if (this.remotePort[i] === 0) return;
    this.remotePort[i] = 0;
    this.used--;
  }

  /** Removes every record whose 2MSL has run out by `now`; returns how many. */
  expire(now: number): number {
    if (this.used === 0) return 0;
        let removed = 0;
    for (let i = 0; i < this.capacity; i++) {
      if (this.remotePort[i] !== 0 && seqDiff(this.expires[i], now) <= 0) {
        this.remove(i);
        removed++;
      }
    }
    return removed;
  }

  /** Milliseconds from `now` to the earliest expiry (negative if overdue). Only
   *  meaningful when the table is not empty. */
  msUntilNextExpiry(now: number): number {
    let soonest = 0x7fffffff;
    for (let i = 0; i < this.capacity; i++) {
      if (this.remotePort[i] === 0) continue;
      const left = seqDiff(this.expires[i], now);
      if (left < soonest) soonest = left;
    }
    return soonest;
  }

  /** Calls visit for every record (for a netstat-like listing; not on the packet path). */
  forEach(now: number, visit: (remoteAddr: number, remotePort: number, localPort: number, msLeft: number) => void): void {
        for (let i = 0; i < this.capacity; i++) {
      if (this.remotePort[i] !== 0) {
        visit(this.remoteAddr[i], this.remotePort[i], this.localPort[i], seqDiff(this.expires[i], now));
      }
    }
  }

  private oldest(reference: number): number {
    let best = 0;
    let bestLeft = Infinity;
    for (let i = 0; i < this.capacity; i++) {
      const left = seqDiff(this.expires[i], reference);
      if (left < bestLeft) {
        bestLeft = left;
        best = i;
      }
    }
    return best;
  }
}
