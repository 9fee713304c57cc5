// echo (RFC 862): writes back everything it reads. It reads only as much as the send
// buffer can take, so nothing is ever held outside the stack's rings: when the client
// sends faster than it reads, our receive window closes and TCP's flow control slows it.
// Closes once the client has closed and every byte has been echoed (queued before FIN).
import { TCPSocket } from '../tcp/socket';
import { STATE_WORDS } from './pool';
import { PooledService, ServiceContext } from './service';

/** Echo's fields in a connection's row of the pool's state. room and unread are the send-buffer room and the
 *  bytes waiting as the socket last told us: both only grow through onWritable/onReadable
 *  and only shrink through our own write/read. ended and closed are 0 or 1. */
const enum Row { room, unread, ended, closed }

export class Echo extends PooledService {
  constructor(ctx: ServiceContext, port: number, name = 'echo') {
    super(ctx, name, port);
  }

  onReadable(socket: TCPSocket, conn: number, bytes: number): void {
    this.pool.state[conn * STATE_WORDS + Row.unread] = bytes;
    this.pump(socket, conn * STATE_WORDS);
  }

  onWritable(socket: TCPSocket, conn: number, bytes: number): void {
    this.pool.state[conn * STATE_WORDS + Row.room] = bytes;
    this.pump(socket, conn * STATE_WORDS);
  }

  onEnd(socket: TCPSocket, conn: number): void {
    this.pool.state[conn * STATE_WORDS + Row.ended] = 1;
    this.pump(socket, conn * STATE_WORDS);
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.pool.state[conn * STATE_WORDS + Row.closed] = 1;
    this.stats.errors++;
  }

  private pump(socket: TCPSocket, row: number): void {
    const state = this.pool.state;
    const stats = this.stats;
    const scratch = this.pool.scratch;
    if (state[row + Row.closed]) return;
    while (state[row + Row.room] > 0 && state[row + Row.unread] > 0) {
      const want = Math.min(state[row + Row.room], state[row + Row.unread], scratch.length);
      const got = socket.read(scratch, 0, want);
      if (got === 0) { state[row + Row.unread] = 0; break; }
      state[row + Row.unread] -= got;
      stats.bytesIn += got;
      const put = socket.write(scratch, 0, got);
      stats.bytesOut += put;
      state[row + Row.room] -= put;
      // write() takes all of it (we asked for no more than the room); anything else
      // would lose bytes, so stop loudly instead.
      if (put !== got) { state[row + Row.closed] = 1; stats.errors++; socket.abort(); return; }
    }
    if (state[row + Row.ended] && state[row + Row.unread] === 0) {
      state[row + Row.closed] = 1;
      stats.closed++;
      socket.close();
    }
  }
}
