// The status page: the stack's slot table, TIME-WAIT table and counters as plain text,
// a netstat for the board. It is written as ASCII bytes straight into a buffer the caller
// made at start-up, numbers digit by digit, so a request allocates nothing: no strings,
// no arrays, no row objects (Stack.connections() and usage() make those, so the tables
// are read here from the stack's own typed arrays instead).
import { Stack } from '../tcp/stack';
import { counterNames } from '../tcp/counters';
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

export class StatusPage {
  /** The most bytes render() writes for this stack. */
  readonly capacity: number;
  private readonly stack: Stack;
  /** The counters' names, listed once at start-up, and as bytes. */
  private readonly counterNames: readonly string[];
  private readonly counterNameBytes: readonly Uint8Array[];
  private out: AsciiWriter | undefined;
  private timeWaitRows = 0;
  private readonly countTimeWait: () => void;
  private readonly writeTimeWait: (remoteAddr: number, remotePort: number, localPort: number) => void;

  constructor(stack: Stack) {
    this.stack = stack;
    this.counterNames = counterNames;
    this.counterNameBytes = COUNTER_NAMES;
    let counterBytes = 0;
    for (const name of this.counterNames) counterBytes += Math.max(25, name.length) + 1 + NUMBER + 1;
    this.capacity = FIXED + stack.config.slots * SLOT_ROW + stack.config.timeWaitCapacity * TIME_WAIT_ROW
      + counterBytes;
    this.countTimeWait = () => { this.timeWaitRows++; };
    this.writeTimeWait = (remoteAddr, remotePort, localPort) => {
      const w = this.out as AsciiWriter;
      const from = w.pos;
      w.decimal(localPort);
      w.padFrom(from, 7);
      w.ipv4(remoteAddr);
      w.byte(58); // ':'
      w.decimal(remotePort);
      w.byte(10);
    };
  }

  /** Writes the page at `w`'s position, `uptimeMs` after the service started. */
  render(w: AsciiWriter, uptimeMs: number): void {
    const stack = this.stack;
    const config = stack.config;
    // The stack's tables, read in place (what connections() and usage() read).
    const core = stack['core'];
    const slots = core.slots;
    let inUse = 0;
    for (let s = 0; s < slots.count; s++) if (slots.tcb[s * Tcb.ROW + Tcb.state] !== State.Free) inUse++;
    const now = core.tick();
    this.timeWaitRows = 0;
    core.timeWait.forEach(now, this.countTimeWait);

    w.put(SLOTCP);
    w.ipv4(config.localAddr);
    w.put(UP);
    w.decimal(Math.floor(uptimeMs / 1000));
    w.put(SECONDS_SLOTS);
    w.decimal(inUse);
    w.byte(47); // '/'
    w.decimal(config.slots);
    w.put(IN_USE_TIME_WAIT);
    w.decimal(core.timeWait.size);
    w.byte(47);
    w.decimal(config.timeWaitCapacity);
    w.put(CONNECTIONS);
    const tcb = slots.tcb;
    for (let s = 0; s < slots.count; s++) {
      const row = s * Tcb.ROW;
      if (tcb[row + Tcb.state] === State.Free) continue;
      let from = w.pos;
      w.decimal(tcb[row + Tcb.localPort]);
      w.padFrom(from, 7);
      from = w.pos;
      w.ipv4(tcb[row + Tcb.remoteAddr]);
      w.byte(58);
      w.decimal(tcb[row + Tcb.remotePort]);
      w.padFrom(from, 22);
      from = w.pos;
      w.put(STATE_NAMES[tcb[row + Tcb.state]]);
      w.padFrom(from, 13);
      from = w.pos;
      w.decimal(tcb[row + Tcb.rxLength]);
      w.padFrom(from, 7);
      w.decimal(tcb[row + Tcb.txLength]);
      w.byte(10);
    }
    w.put(TIME_WAIT);
    w.decimal(this.timeWaitRows);
    w.put(CLOSE_PAREN);
    this.out = w;
    core.timeWait.forEach(now, this.writeTimeWait);
    this.out = undefined;
    w.put(COUNTERS);
    const counters = stack.counters as unknown as Record<string, number>;
    const names = this.counterNames;
    for (let i = 0; i < names.length; i++) {
      const from = w.pos;
      w.put(this.counterNameBytes[i]);
      w.padFrom(from, 25);
      w.byte(32);
      w.decimal(counters[names[i]]);
      w.byte(10);
    }
  }
}

/** The status page as a string (for tools and tests; this one allocates). */
export function statusText(stack: Stack, uptimeMs: number): string {
  const page = new StatusPage(stack);
  const w = new AsciiWriter(new Uint8Array(page.capacity));
  page.render(w, uptimeMs);
  let text = '';
  for (let i = 0; i < w.pos; i++) text += String.fromCharCode(w.bytes[i]);
  return text;
}
