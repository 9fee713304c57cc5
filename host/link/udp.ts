// Link `udp`: one IPv4 packet per UDP datagram, both ways, between BIND and PEER on
// loopback (socat bridges PEER to a TUN device). Datagrams from anyone but PEER are
// dropped and counted; what is inside a datagram is the stack's to judge.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

export interface Endpoint {
  host: string;
  port: number;
}

export class LinkStats {
  datagramsIn = 0;
  datagramsOut = 0;
  /** Datagrams from an address other than the peer. */
  droppedForeign = 0;
  /** Sends the kernel refused (e.g. ENOBUFS). */
  sendErrors = 0;
}

/** The `drops` column of /proc/self/net/udp (this network namespace's IPv4 UDP sockets)
 *  for the socket bound to `at`: datagrams the kernel dropped because the socket's
 *  receive buffer was full, which the process never sees. A bound address and port name
 *  one socket here (the link does not share its port). null when there is no such row
 *  (not Linux, or /proc is not mounted). */
export function kernelDrops(at: Endpoint, table = '/proc/self/net/udp'): number | null {
  let text: string;
  try {
    text = readFileSync(table, 'utf8');
  } catch {
    return null;
  }
  // The kernel prints the address as the 32-bit word in memory, in host byte order.
  const bytes = Buffer.from(at.host.split('.').map(Number));
  const word = endianness() === 'LE' ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0);
  const local = `${word.toString(16).toUpperCase().padStart(8, '0')}:${at.port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields.length >= 13) {
      const drops = Number(fields[12]);
      return Number.isInteger(drops) ? drops : null;
    }
  }
  return null;
}

export class UdpLink {
  readonly stats = new LinkStats();
  /** Called with each datagram from the peer (a fresh buffer the callee may keep). */
  onPacket: (packet: Uint8Array) => void = () => {};
  private pending = 0;
  private drained: (() => void) | undefined;

  private constructor(private readonly socket: dgram.Socket, readonly bound: Endpoint, readonly peer: Endpoint) {
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== peer.port || rinfo.address !== peer.host) {
        this.stats.droppedForeign++;
        return;
      }
      this.stats.datagramsIn++;
      this.onPacket(msg);
    });
  }

  /** Binds the socket (port 0: any free port; see `bound`) and starts receiving. */
  static open(bind: Endpoint, peer: Endpoint): Promise<UdpLink> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
      const failed = (err: Error) => reject(new Error(`cannot bind udp ${bind.host}:${bind.port}: ${err.message}`));
      socket.once('error', failed);
      socket.bind(bind.port, bind.host, () => {
        socket.off('error', failed);
        socket.on('error', () => { /* reported through send callbacks and stats */ });
        const address = socket.address();
        resolve(new UdpLink(socket, { host: address.address, port: address.port }, peer));
      });
    });
  }

  /** Datagrams the kernel dropped before this process could read them (see kernelDrops()). */
  kernelDrops(): number | null {
    return kernelDrops(this.bound);
  }

  /** Sends one packet to the peer. The buffer must not change until the send completes. */
  transmit(packet: Uint8Array): void {
    this.stats.datagramsOut++;
    this.pending++;
    this.socket.send(packet, this.peer.port, this.peer.host, (err) => {
      if (err) this.stats.sendErrors++;
      if (--this.pending === 0 && this.drained) this.drained();
    });
  }

  /** Closes after the sends under way complete (at most `waitMs`). */
  close(waitMs = 500): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.drained = undefined;
        this.socket.close(() => resolve());
      };
      const timer = setTimeout(done, waitMs);
      if (this.pending === 0) done();
      else this.drained = done;
    });
  }
}
