// discard (RFC 863): reads and drops everything; closes once the client has closed.
import { TCPSocket } from '../tcp/socket';
import { STATE_WORDS } from './pool';
import { PooledService, ServiceContext } from './service';

/** Discard's field in a connection's row of the pool's state: 1 once closed or failed. */
const CLOSED = 0;

export class Discard extends PooledService {
  constructor(ctx: ServiceContext, port: number, name = 'discard') {
    super(ctx, name, port);
  }

  onReadable(socket: TCPSocket): void {
    this.drain(socket);
  }

  onEnd(socket: TCPSocket, conn: number): void {
    if (this.pool.state[conn * STATE_WORDS + CLOSED]) return;
    this.drain(socket);
    this.pool.state[conn * STATE_WORDS + CLOSED] = 1;
    this.stats.closed++;
    socket.close();
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.pool.state[conn * STATE_WORDS + CLOSED] = 1;
    this.stats.errors++;
  }

  private drain(socket: TCPSocket): void {
    const scratch = this.pool.scratch;
    for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) this.stats.bytesIn += got;
  }
}
