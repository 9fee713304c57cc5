// source:N (RFC 864's chargen, bounded): sends N bytes of the pattern in pattern.ts, then
// closes (FIN after the last byte). Whatever the client sends is read and dropped, so the
// close is never turned into a RST by unread data.
import { TCPSocket } from '../tcp/socket';
import { fillPattern } from './pattern';
import { STATE_WORDS } from './pool';
import { PooledService, ServiceContext } from './service';

/** Source's field in a connection's row of the pool's state: bytes sent so far, or -1
 *  once closed. */
const SENT = 0;

export class Source extends PooledService {
  constructor(ctx: ServiceContext, port: number, private readonly total: number, name = `source:${total}`) {
    super(ctx, name, port);
  }

  /** Sends what the send buffer takes, then closes once all is sent. (Here rather than in
   *  a method of its own: the first call runs inside the accept, at the app's deepest.) */
  onWritable(socket: TCPSocket, conn: number, room: number): void {
    let sent = this.pool.state[conn * STATE_WORDS + SENT];
    if (sent < 0) return;
    const scratch = this.pool.scratch;
    const total = this.total;
    while (room > 0 && sent < total) {
      const count = Math.min(room, total - sent, scratch.length);
      fillPattern(scratch, sent, count);
      const put = socket.write(scratch, 0, count);
      if (put === 0) break;
      sent += put;
      room -= put;
      this.stats.bytesOut += put;
    }
    this.pool.state[conn * STATE_WORDS + SENT] = sent;
    if (sent === total) {
      this.drain(socket);
      this.pool.state[conn * STATE_WORDS + SENT] = -1;
      this.stats.closed++;
      socket.close();
    }
  }

  onReadable(socket: TCPSocket, conn: number): void {
    if (this.pool.state[conn * STATE_WORDS + SENT] >= 0) this.drain(socket);
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.pool.state[conn * STATE_WORDS + SENT] = -1;
    this.stats.errors++;
  }

  private drain(socket: TCPSocket): void {
    const scratch = this.pool.scratch;
    for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) this.stats.bytesIn += got;
  }
}
