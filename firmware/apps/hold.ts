// hold:MS: accepts, never reads, and closes after MS milliseconds. Anything the client
// sent is still unread then, so the close is a RST (RFC 2525 §2.17) and the client sees
// ECONNRESET; a client that sent nothing sees a plain FIN.
import { Cancel } from './scheduler';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';

export function hold(ctx: ServiceContext, port: number, ms: number, name = `hold:${ms}`): Service {
  const stats = new ServiceStats();
  return listenService(ctx, name, port, stats, (): Handler => {
    let timer: Cancel | undefined;
    return {
      onAccept(socket) {
        timer = ctx.scheduler.after(ms, () => {
          timer = undefined;
          stats.closed++;
          socket.close();
        });
      },
      onError() {
        stats.errors++;
        timer?.cancel();
        timer = undefined;
      },
    };
  });
}
