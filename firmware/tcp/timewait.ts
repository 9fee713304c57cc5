// The bounded TIME-WAIT table. A connection in TIME-WAIT needs only enough to recognise
// its segments and answer them: the peer (address, port), our port, RCV.NXT, SND.NXT and
// when the record expires, 20 bytes in typed arrays. The slot it came from is free again.
// Times are wrapping 32-bit millisecond counts, like the slots' deadlines.
// When the table is full the record closest to expiry is evicted: it was the oldest to
// enter or be refreshed, and so the one whose protection matters least.
import { seqDiff } from './seq';
import { Tcb } from './slots';

/** A record's fields: one row of 32-bit words per record in TimeWaitTable.records. */
const enum Tw {
  remoteAddr,
  /** localPort << 16 | remotePort; 0 marks a free record (port 0 never gets this far). */
  ports,
  rcvNxt,
  sndNxt,
  /** Expiry in ms modulo 2^32 (signed, like sequence numbers): 2MSL is far below 2^31 ms,
   *  so differences order correctly. */
  expires,
  ROW,
}

export class TimeWaitTable {
  readonly capacity: number;
  private readonly records: Int32Array;
  private used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.records = new Int32Array(capacity * Tw.ROW);
  }

  get size(): number {
    return this.used;
  }

  bytesPerRecord(): number {
    return Tw.ROW * 4;
  }

  /** The record for this 4-tuple, or -1. */
  find(remoteAddr: number, remotePort: number, localPort: number): number {
    if (this.used === 0) return -1;
    const ports = (localPort << 16) | remotePort;
    const records = this.records;
    for (let i = 0; i < this.capacity; i++) {
      const at = i * Tw.ROW;
      if (records[at + Tw.ports] === ports && records[at + Tw.remoteAddr] === remoteAddr) return i;
    }
    return -1;
  }

  rcvNxt(i: number): number {
    return this.records[i * Tw.ROW + Tw.rcvNxt];
  }

  sndNxt(i: number): number {
    return this.records[i * Tw.ROW + Tw.sndNxt];
  }

  /** Adds a record, expiring at `expiresAt`, for the connection in the control block at
   *  `row` of `tcb` (the slot table's). Returns true when an older record was evicted to
   *  make room. With capacity 0 nothing is kept (returns true: the record is lost). */
  insert(tcb: Int32Array, row: number, expiresAt: number): boolean {
    if (this.capacity === 0) return true;
    const records = this.records;
    // One pass: the first free record, or else the one closest to expiry (the first of
    // equals), which is evicted.
    let i = -1;
    let oldest = 0;
    let oldestLeft = 0;
    for (let r = 0; r < this.capacity; r++) {
      if (records[r * Tw.ROW + Tw.ports] === 0) {
        i = r;
        break;
      }
      const left = seqDiff(records[r * Tw.ROW + Tw.expires], expiresAt);
      if (r === 0 || left < oldestLeft) {
        oldest = r;
        oldestLeft = left;
      }
    }
    const evicted = i < 0;
    if (evicted) {
      i = oldest;
      this.used--;
    }
    const at = i * Tw.ROW;
    records[at + Tw.remoteAddr] = tcb[row + Tcb.remoteAddr];
    records[at + Tw.ports] = tcb[row + Tcb.ports];
    records[at + Tw.rcvNxt] = tcb[row + Tcb.rcvNxt];
    records[at + Tw.sndNxt] = tcb[row + Tcb.sndNxt];
    records[at + Tw.expires] = expiresAt;
    this.used++;
    return evicted;
  }

  /** Restarts the 2MSL wait of record i. */
  refresh(i: number, expiresAt: number): void {
    this.records[i * Tw.ROW + Tw.expires] = expiresAt;
  }

  remove(i: number): void {
    const at = i * Tw.ROW;
    if (this.records[at + Tw.ports] === 0) return;
    this.records[at + Tw.ports] = 0;
    this.used--;
  }

  /** Removes every record whose 2MSL has run out by `now`; returns how many. */
  expire(now: number): number {
    if (this.used === 0) return 0;
    let removed = 0;
    for (let i = 0; i < this.capacity; i++) {
      const at = i * Tw.ROW;
      if (this.records[at + Tw.ports] !== 0 && seqDiff(this.records[at + Tw.expires], now) <= 0) {
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
      const at = i * Tw.ROW;
      if (this.records[at + Tw.ports] === 0) continue;
      const left = seqDiff(this.records[at + Tw.expires], now);
      if (left < soonest) soonest = left;
    }
    return soonest;
  }

  /** Calls visit for every record (for a netstat-like listing; not on the packet path). */
  forEach(now: number, visit: (remoteAddr: number, remotePort: number, localPort: number, msLeft: number) => void): void {
    for (let i = 0; i < this.capacity; i++) {
      const at = i * Tw.ROW;
      const ports = this.records[at + Tw.ports];
      if (ports !== 0) {
        visit(this.records[at + Tw.remoteAddr], ports & 0xffff, ports >>> 16, seqDiff(this.records[at + Tw.expires], now));
      }
    }
  }
}
