// Link `udp`: one IPv4 packet per UDP datagram, both ways, between BIND and PEER on
// loopback (socat bridges PEER to a TUN device). Datagrams from anyone but PEER are
// dropped and counted; what is inside a datagram is the stack's to judge.
import dgram from 'node:dgram';

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
