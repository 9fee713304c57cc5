// "platform/port" in Moddable's desktop simulator (lin): the same host link as
// `slotcp serve --link udp:...`, one IPv4 packet per UDP datagram on loopback, so the
// simulator can be reached through the same TUN bridge (see README). Each datagram is
// copied into the stack's input buffer; sending allocates one ArrayBuffer per packet,
// which is acceptable for a simulator, not for the board (whose path is board-port).
// It uses the ECMA-419 UDP socket: the older 'socket' module's UDP on lin (SDK 8.2.3,
// modules/network/socket/lin/modSocket.c) binds its port only when given a multicast
// address, so a plain {kind: 'UDP', port} socket never receives anything. Like
// board-port, it sits in firmware/platform/ so its relative imports mean the same to
// XS (against the specifier) and to tsc (against the file).
import type { BytePrimitives } from '../tcp/bytes';
import UDP from 'embedded:io/socket/udp';
import type { DevicePort, LinkSettings } from './device-port';
import type { Stack } from '../tcp/stack';

export class UdpPacketPort implements DevicePort {
  private readonly socket: UDP;
  private stack: Stack | null = null;
  private afterReceive: (() => void) | undefined;

  constructor(private readonly link: Required<LinkSettings>) {
    this.socket = new UDP({
      port: link.bindPort,
      onReadable: (packets: number) => {
        while (packets-- > 0) this.receive();
      },
    });
  }

  start(stack: Stack, _localAddr: number, options: { afterReceive?: () => void }): void {
    this.stack = stack;
    this.afterReceive = options.afterReceive;
  }

  /** Everything on the link is slotcp's. */
  addPort(_port: number): boolean {
    return true;
  }

  send(packet: Uint8Array, length: number): void {
    this.socket.write(packet.slice(0, length).buffer, this.link.peerAddress, this.link.peerPort);
  }

  private receive(): void {
    const data = this.socket.read();
    if (!data) return;
    const bytes = new Uint8Array(data);
    const stack = this.stack;
    if (!stack) return;
    const input = stack.inputBuffer;
    if (bytes.length <= input.length) {
      input.set(bytes);
      stack.receive(input, bytes.length);
    } else {
      stack.receive(bytes, bytes.length); // larger than our MSS allows: dropped and counted
    }
    this.afterReceive?.();
  }
}

/** No native byte primitives on the simulator: the stack's portable default. */
export const platformBytes: BytePrimitives | undefined = undefined;

export function createPort(link: LinkSettings): DevicePort {
  return new UdpPacketPort({ bindPort: link.bindPort ?? 9001, peerAddress: link.peerAddress ?? '127.0.0.1',
    peerPort: link.peerPort ?? 9000 });
}
