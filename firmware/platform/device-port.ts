// What main.ts needs from a board's packet path beyond the stack's PacketPort: starting
// it, and telling it which ports are slotcp's. The manifest maps the module
// "platform/port" to the implementation for each platform.
import type { PacketPort } from '../tcp/platform';
import type { Stack } from '../tcp/stack';

export interface DevicePort extends PacketPort {
  /** Starts handing received packets to `stack`; afterReceive runs after each batch. */
  start(stack: Stack, localAddr: number, options: { afterReceive?: () => void }): void;
  /** slotcp listens on `port`: its segments are to be taken (false if the table is full). */
  addPort(port: number): boolean;
}

/** The link settings main.ts passes on (used by the simulator's UDP link). */
export interface LinkSettings {
  bindPort?: number;
  peerAddress?: string;
  peerPort?: number;
}
