// The status page: the stack's slot table, TIME-WAIT table and counters as plain text,
// a netstat for the board. snapshot() copies what the page shows from the stack's own
// typed arrays into one made at start-up (Stack.connections() and usage() would make
// row objects); render() writes the page from that copy as ASCII bytes, numbers digit by
// digit, so a request allocates nothing: no strings, no arrays, no row objects. Rendering
// from a copy gives the same page each time, so it can be written a window at a time
// (AsciiWriter.restart) and its length known before it is sent.
import { Stack } from '../tcp/stack';
import { Count, counterNames } from '../tcp/counters';
import { State, Tcb, stateNames } from '../tcp/slots';
import { AsciiWriter, asciiBytes } from './ascii';

// The page's fixed text, encoded once.
const SLOTCP = asciiBytes('slotcp ');
const UP = asciiBytes('  up ');
const SECONDS_SLOTS = asciiBytes(' s\nslots ');
const IN_USE_TIME_WAIT = asciiBytes(' in use, TIME-WAIT ');
const CONNECTIONS = asciiBytes('\n\nconnections\nlocal  remote                state        rx     tx\n');
const TIME_WAIT = asciiBytes('\ntime-wait (');
const CLOSE_PAREN = asciiBytes(')\n');
const COUNTERS = asciiBytes('\ncounters\n');
const STATE_NAMES: readonly Uint8Array[] = Object.freeze(stateNames.map(asciiBytes));
// Made when the module loads: on a board that is at preload, so they live in flash with
// the module, not in the XS heap (51 typed arrays per page would be ~400 slots of RAM).
const COUNTER_NAMES: readonly Uint8Array[] = Object.freeze(counterNames.map(asciiBytes));

/** The widest rows, in bytes: a slot row pads to 7 + 22 + 13 + 7 and ends with a count
 *  (at most 16 digits, as counts stay below 2^53) and a newline; a TIME-WAIT row pads the
 *  port to 7 and writes address:port (at most 21); the fixed lines stay under 256. */
const SLOT_ROW = 7 + 22 + 13 + 16 + 16 + 1;
const TIME_WAIT_ROW = 7 + 21 + 1;
const FIXED = 256;
const NUMBER = 16;

/** The snapshot's layout: a header, then the rows of open slots, then the TIME-WAIT
 *  rows, then the counters (Count order). */
const enum Snap { uptime, slotRows, timeWaitSize, timeWaitRows, HEADER }
const enum SlotCol { localPort, remoteAddr, remotePort, state, rxLength, txLength, SIZE }
const enum TimeWaitCol { localPort, remoteAddr, remotePort, SIZE }

export class StatusPage {
  /** The most bytes render() writes for this stack. */
  readonly capacity: number;
  private readonly stack: Stack;
  /** What the page shows, as of the last snapshot(). */
  private readonly snap: Uint32Array;
  private readonly timeWaitBase: number;
  private readonly countersBase: number;
  private readonly copyTimeWait: (remoteAddr: number, remotePort: number, localPort: number) => void;

  constructor(stack: Stack) {
    const config = stack.config;
    this.stack = stack;
    let counterBytes = 0;
    for (const name of counterNames) counterBytes += Math.max(25, name.length) + 1 + NUMBER + 1;
    this.capacity = FIXED + config.slots * SLOT_ROW + config.timeWaitCapacity * TIME_WAIT_ROW + counterBytes;
    this.timeWaitBase = Snap.HEADER + config.slots * SlotCol.SIZE;
    this.countersBase = this.timeWaitBase + config.timeWaitCapacity * TimeWaitCol.SIZE;
    this.snap = new Uint32Array(this.countersBase + Count.SIZE);
    this.copyTimeWait = (remoteAddr, remotePort, localPort) => {
      const snap = this.snap;
      const at = this.timeWaitBase + snap[Snap.timeWaitRows]++ * TimeWaitCol.SIZE;
      snap[at + TimeWaitCol.localPort] = localPort;
      snap[at + TimeWaitCol.remoteAddr] = remoteAddr;
      snap[at + TimeWaitCol.remotePort] = remotePort;
    };
  }

  /** Copies the stack's tables as they are now, `uptimeMs` after the service started. */
  snapshot(uptimeMs: number): void {
    const snap = this.snap;
    // The stack's tables, read in place (what connections() and usage() read).
    const core = this.stack['core'];
    const slots = core.slots;
    const tcb = slots.tcb;
    snap[Snap.uptime] = Math.floor(uptimeMs / 1000);
    let rows = 0;
    for (let s = 0; s < slots.count; s++) {
      const row = s * Tcb.ROW;
      if (tcb[row + Tcb.state] === State.Free) continue;
      const at = Snap.HEADER + rows++ * SlotCol.SIZE;
      snap[at + SlotCol.localPort] = tcb[row + Tcb.ports] >>> 16;
      snap[at + SlotCol.remoteAddr] = tcb[row + Tcb.remoteAddr];
      snap[at + SlotCol.remotePort] = tcb[row + Tcb.ports] & 0xffff;
      snap[at + SlotCol.state] = tcb[row + Tcb.state];
      snap[at + SlotCol.rxLength] = tcb[row + Tcb.rxLength];
      snap[at + SlotCol.txLength] = tcb[row + Tcb.txLength];
    }
    snap[Snap.slotRows] = rows;
    snap[Snap.timeWaitSize] = core.timeWait.size;
    snap[Snap.timeWaitRows] = 0;
    core.timeWait.forEach(core.tick(), this.copyTimeWait);
    snap.set(core.count, this.countersBase);
  }

  /** Writes the page, as of the last snapshot(), at `w`'s position. */
  render(w: AsciiWriter): void {
    const config = this.stack.config;
    const snap = this.snap;
    w.put(SLOTCP);
    w.ipv4(config.localAddr);
    w.put(UP);
    w.decimal(snap[Snap.uptime]);
    w.put(SECONDS_SLOTS);
    w.decimal(snap[Snap.slotRows]);
    w.byte(47); // '/'
    w.decimal(config.slots);
    w.put(IN_USE_TIME_WAIT);
    w.decimal(snap[Snap.timeWaitSize]);
    w.byte(47);
    w.decimal(config.timeWaitCapacity);
    w.put(CONNECTIONS);
    for (let r = 0; r < snap[Snap.slotRows]; r++) {
      const at = Snap.HEADER + r * SlotCol.SIZE;
      let from = w.pos;
      w.decimal(snap[at + SlotCol.localPort]);
      w.padFrom(from, 7);
      from = w.pos;
      w.ipv4(snap[at + SlotCol.remoteAddr]);
      w.byte(58); // ':'
      w.decimal(snap[at + SlotCol.remotePort]);
      w.padFrom(from, 22);
      from = w.pos;
      w.put(STATE_NAMES[snap[at + SlotCol.state]]);
      w.padFrom(from, 13);
      from = w.pos;
      w.decimal(snap[at + SlotCol.rxLength]);
      w.padFrom(from, 7);
      w.decimal(snap[at + SlotCol.txLength]);
      w.byte(10);
    }
    w.put(TIME_WAIT);
    w.decimal(snap[Snap.timeWaitRows]);
    w.put(CLOSE_PAREN);
    for (let r = 0; r < snap[Snap.timeWaitRows]; r++) {
      const at = this.timeWaitBase + r * TimeWaitCol.SIZE;
      const from = w.pos;
      w.decimal(snap[at + TimeWaitCol.localPort]);
      w.padFrom(from, 7);
      w.ipv4(snap[at + TimeWaitCol.remoteAddr]);
      w.byte(58);
      w.decimal(snap[at + TimeWaitCol.remotePort]);
      w.byte(10);
    }
    w.put(COUNTERS);
    for (let i = 0; i < COUNTER_NAMES.length; i++) {
      const from = w.pos;
      w.put(COUNTER_NAMES[i]);
      w.padFrom(from, 25);
      w.byte(32);
      w.decimal(snap[this.countersBase + i]);
      w.byte(10);
    }
  }
}

/** The status page as a string (for tools and tests; this one allocates). */
export function statusText(stack: Stack, uptimeMs: number): string {
  const page = new StatusPage(stack);
  const w = new AsciiWriter(new Uint8Array(page.capacity));
  page.snapshot(uptimeMs);
  page.render(w);
  let text = '';
  for (let i = 0; i < w.pos; i++) text += String.fromCharCode(w.bytes[i]);
  return text;
}
