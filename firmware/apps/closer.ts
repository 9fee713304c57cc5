// closer: closes every connection as soon as it is accepted, the server side of the seed
// script (server-initiated close, so the server ends in TIME-WAIT). Data that arrived
// before the accept is unread, so such a close is a RST (RFC 2525 §2.17).
import { TCPSocket } from '../tcp/socket';
import { PooledService, ServiceContext } from './service';

export class Closer extends PooledService {
  constructor(ctx: ServiceContext, port: number, name = 'closer') {
    super(ctx, name, port);
  }

  onAccept(socket: TCPSocket): void {
    this.stats.closed++;
    socket.close();
  }

  onError(): void {
    this.stats.errors++;
  }
}
