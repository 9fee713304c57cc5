// closer: closes every connection as soon as it is accepted, the server side of the seed
// script (server-initiated close, so the server ends in TIME-WAIT). Data that arrived
// before the accept is unread, so such a close is a RST (RFC 2525 §2.17).
import { Service, ServiceContext, ServiceStats, listenService } from './service';

export function closer(ctx: ServiceContext, port: number, name = 'closer'): Service {
  const stats = new ServiceStats();
  return listenService(ctx, name, port, stats, () => ({
    onAccept(socket) {
      stats.closed++;
      socket.close();
    },
    onError() { stats.errors++; },
  }));
}
