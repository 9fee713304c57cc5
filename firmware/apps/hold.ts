// hold:MS: accepts, never reads, and closes after MS milliseconds. Anything the client
// sent is still unread then, so the close is a RST (RFC 2525 §2.17) and the client sees
// ECONNRESET; a client that sent nothing sees a plain FIN.
import { TCPSocket } from '../tcp/socket';
import { Cancel } from './scheduler';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';

export function hold(ctx: ServiceContext, port: number, ms: number, name = `hold:${ms}`): Service {
  const stats = new ServiceStats();
  return listenService(ctx, name, port, stats, (): Handler => {
    let timer: Cancel | undefined;
    let held: TCPSocket | undefined;
    // Made once per handler, so arming the timer makes no closure.
    const expire = () => {
      timer = undefined;
      stats.closed++;
      held?.close();
    };
    return {
      onStart() {
        timer?.cancel();
        timer = undefined;
      },
      onAccept(socket) {
        held = socket;
        timer = ctx.scheduler.after(ms, expire);
      },
      onError() {
        stats.errors++;
        timer?.cancel();
        timer = undefined;
      },
    };
  });
}
