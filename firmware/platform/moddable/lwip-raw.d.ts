// Types of the host functions in lwip-raw.js (implemented in slotcp_xs.c).

declare class LwipRaw {
  private constructor();
  /** Creates the raw pcb for IP protocol 6. `callback` runs (in the JS thread, `this`
   *  globalThis) whenever the ring holds packets and no earlier call is still due.
   *  `localAddr`: slotcp's IPv4 address as an unsigned number; segments to it and to a
   *  listed port are taken from lwIP. 0 takes segments to any address of the board.
   *  Throws when already started or when lwIP refuses. */
  static start(callback: () => void, localAddr: number): void;
  /** Removes the pcb (lwIP gets every segment again) and empties the ring. */
  static stop(): void;
  /** Adds a listening port (1..65535; RangeError otherwise). False when the table
   *  (MODDEF_SLOTCP_PORTS entries) is full; true when added or already there. */
  static addPort(port: number): boolean;
  /** True when the port was in the table. */
  static removePort(port: number): boolean;
  /** Copies the oldest packet (IPv4 header first) to the start of `buffer` and returns its
   *  length, or 0 when the ring is empty. RangeError when `buffer` is smaller than a ring
   *  slot (config()[1] bytes). */
  static read(buffer: Uint8Array): number;
  /** Sends `length` bytes of an IPv4 packet carrying TCP: lwIP's raw_sendto adds a new
   *  IPv4 header (same destination, TTL and TOS). 0, or a negative error: lwIP's err_t,
   *  -101 not started, -102 not an IPv4 packet carrying TCP. Counted, never thrown. */
  static send(packet: Uint8Array, length: number): number;
  /** Fills `into` with the counters: eaten, droppedRingFull, droppedTooBig, passedToLwip,
   *  wakes, wakeFailures, sent, sendErrors (config()[3] values). */
  static counters(into: Uint32Array): void;
  /** Fills `into` (4 values) with the build's ring packets, bytes per ring slot, port
   *  table size and counter count. */
  static config(into: Uint32Array): void;
}

export default LwipRaw;
