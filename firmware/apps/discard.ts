// discard (RFC 863): reads and drops everything; closes once the client has closed.
import { TCPSocket } from '../tcp/socket';
import { PooledService, ServiceContext } from './service';

export class Discard extends PooledService {
  /** Per connection: 1 once closed or failed. */
  private readonly closed: Uint8Array;

  constructor(ctx: ServiceContext, port: number, name = 'discard') {
    super(ctx, name, port);
    this.closed = new Uint8Array(this.pool.size);
  }

  onStart(conn: number): void {
    this.closed[conn] = 0;
  }

  onReadable(socket: TCPSocket): void {
    this.drain(socket);
  }

  onEnd(socket: TCPSocket, conn: number): void {
    if (this.closed[conn]) return;
    this.drain(socket);
    this.closed[conn] = 1;
    this.stats.closed++;
    socket.close();
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.closed[conn] = 1;
    this.stats.errors++;
  }

  private drain(socket: TCPSocket): void {
    const scratch = this.pool.scratch;
    for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) this.stats.bytesIn += got;
  }
}
