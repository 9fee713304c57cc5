// What the core needs from the platform it runs on. The device (Moddable), the host
// runner and the tests each provide these; the core never reaches for a global clock,
// random source or network.

/** Sends one IPv4 packet (header included) of `length` bytes from the start of `packet`.
 *  The buffer is reused by the stack as soon as send() returns: copy it if it must live.
 *  Returns `false` when the local link refused the packet and it was not sent (a board's
 *  Wi-Fi/lwIP transmit buffers full, ERR_MEM; Linux's qdisc drop, NET_XMIT_DROP): new
 *  data it carried then stays unsent and the persist timer retries it every 500 ms (Linux's
 *  TCP_RESOURCE_PROBE_INTERVAL). Anything else (undefined, true) means sent; a port that
 *  cannot tell returns nothing, and every packet counts as sent (lost if it was not). */
export interface PacketPort {
  send(packet: Uint8Array, length: number): boolean | void;
  /** Optional: slotcp listens on `port` now, so the platform must hand it that port's
   *  segments (on a board, lwIP keeps every other port). False when it cannot: then
   *  listen() throws. */
  addPort?(port: number): boolean;
  /** Optional: slotcp stopped listening on `port`; lwIP may have it back. */
  removePort?(port: number): boolean;
}

/** Milliseconds, an integer that never goes backwards. */
export interface Clock {
  now(): number;
}

/** Fills `bytes` with unpredictable bytes. Called only while the stack is constructed. */
export interface RandomSource {
  fill(bytes: Uint8Array): void;
}
