// hold:MS: accepts, never reads, and closes after MS milliseconds. Anything the client
// sent is still unread then, so the close is a RST (RFC 2525 §2.17) and the client sees
// ECONNRESET; a client that sent nothing sees a plain FIN.
import { TCPSocket } from '../tcp/socket';
import { Cancel, Scheduler } from './scheduler';
import { STATE_WORDS } from './pool';
import { PooledService, ServiceContext } from './service';

/** Hold's fields in a connection's row of the pool's state: 1 while held, and when to
 *  close it (on the scheduler's clock). */
const enum Row { held, closeAt }

export class Hold extends PooledService {
  private readonly scheduler: Scheduler;
  /** One timer for the whole service, armed for the earliest close. Every connection is
   *  held for the same MS, so one accepted later never closes earlier. */
  private timer: Cancel | undefined;
  /** Made once, so arming the timer makes no closure. */
  private readonly expire: () => void;

  constructor(ctx: ServiceContext, port: number, private readonly ms: number, name = `hold:${ms}`) {
    super(ctx, name, port);
    this.scheduler = ctx.scheduler;
    this.expire = () => this.closeDue();
  }

  onAccept(_socket: TCPSocket, conn: number): void {
    this.pool.state[conn * STATE_WORDS + Row.held] = 1;
    this.pool.state[conn * STATE_WORDS + Row.closeAt] = this.scheduler.now() + this.ms;
    if (this.timer === undefined) this.timer = this.scheduler.after(this.ms, this.expire);
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.stats.errors++;
    this.pool.state[conn * STATE_WORDS + Row.held] = 0;
  }

  /** Closes every connection whose time has come; re-arms for the next. */
  private closeDue(): void {
    this.timer = undefined;
    const now = this.scheduler.now();
    let next = -1;
    for (let conn = 0; conn < this.pool.size; conn++) {
      // Rows are shared by every service: skip those of other services' connections.
      if (!this.pool.state[conn * STATE_WORDS + Row.held] || !this.pool.serves(conn, this)) continue;
      const at = this.pool.state[conn * STATE_WORDS + Row.closeAt];
      if (at <= now) {
        this.pool.state[conn * STATE_WORDS + Row.held] = 0;
        this.stats.closed++;
        this.pool.sockets[conn].close();
      } else if (next < 0 || at < next) next = at;
    }
    if (next >= 0) this.timer = this.scheduler.after(next - now, this.expire);
  }
}
