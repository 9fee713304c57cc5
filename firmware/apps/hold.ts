// hold:MS: accepts, never reads, and closes after MS milliseconds. Anything the client
// sent is still unread then, so the close is a RST (RFC 2525 §2.17) and the client sees
// ECONNRESET; a client that sent nothing sees a plain FIN.
import { TCPSocket } from '../tcp/socket';
import { Cancel, Scheduler } from './scheduler';
import { PooledService, ServiceContext } from './service';

export class Hold extends PooledService {
  private readonly scheduler: Scheduler;
  /** Per connection: when to close it (on the scheduler's clock), or -1 when not held. */
  private readonly closeAt: Float64Array;
  /** One timer for the whole service, armed for the earliest close. Every connection is
   *  held for the same MS, so one accepted later never closes earlier. */
  private timer: Cancel | undefined;
  /** Made once, so arming the timer makes no closure. */
  private readonly expire: () => void;

  constructor(ctx: ServiceContext, port: number, private readonly ms: number, name = `hold:${ms}`) {
    super(ctx, name, port);
    this.scheduler = ctx.scheduler;
    this.closeAt = new Float64Array(this.pool.size).fill(-1);
    this.expire = () => this.closeDue();
  }

  onStart(conn: number): void {
    this.closeAt[conn] = -1;
  }

  onAccept(_socket: TCPSocket, conn: number): void {
    this.closeAt[conn] = this.scheduler.now() + this.ms;
    if (this.timer === undefined) this.timer = this.scheduler.after(this.ms, this.expire);
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.stats.errors++;
    this.closeAt[conn] = -1;
  }

  /** Closes every connection whose time has come; re-arms for the next. */
  private closeDue(): void {
    this.timer = undefined;
    const now = this.scheduler.now();
    let next = -1;
    for (let conn = 0; conn < this.pool.size; conn++) {
      const at = this.closeAt[conn];
      if (at < 0) continue;
      if (at <= now) {
        this.closeAt[conn] = -1;
        this.stats.closed++;
        this.pool.sockets[conn].close();
      } else if (next < 0 || at < next) next = at;
    }
    if (next >= 0) this.timer = this.scheduler.after(next - now, this.expire);
  }
}
