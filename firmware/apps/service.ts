// What every example service has: its listener and its counters. Accepting allocates
// nothing: a service is one object made at start-up, its connections take their sockets
// from the pool all services share (pool.ts), and what it keeps per connection is in
// that connection's row of the pool's state.
import { ConnectionError } from '../tcp/core';
import { ListenOptions } from '../tcp/stack';
import { SocketLayer, TCPListener, TCPSocket } from '../tcp/socket';
import { ConnectionHandler, SocketPool } from './pool';
import { Scheduler } from './scheduler';

/** Per-service counters, shown by the host runner's --stats and checked by tests. */
export class ServiceStats {
  /** Connections accepted. */
  accepted = 0;
  /** Connections the service closed (FIN, or RST when data was left unread). */
  closed = 0;
  /** Connections that ended in an error (reset by the peer, timed out, aborted). */
  errors = 0;
  /** Bytes read from clients, and bytes queued to them. */
  bytesIn = 0;
  bytesOut = 0;
}

export interface Service {
  /** The service's name as given on the command line ("echo", "source:1048576"). */
  readonly name: string;
  readonly port: number;
  readonly stats: ServiceStats;
  readonly listener: TCPListener;
}

/** What a service needs besides its port: the socket layer, a time source, and the
 *  listener options (keepalive, backlog) chosen by the runner. `pool` is made by the first
 *  service started with this context and shared by the others. */
export interface ServiceContext {
  layer: SocketLayer;
  scheduler: Scheduler;
  listen?: ListenOptions;
  pool?: SocketPool;
}

/** The context's socket pool, made on first use. */
export function socketPool(ctx: ServiceContext): SocketPool {
  if (ctx.pool === undefined) ctx.pool = new SocketPool(ctx.layer);
  return ctx.pool;
}

/** A service listening on `port`: each connection waiting there is accepted on a pool
 *  socket and served by the subclass's ConnectionHandler methods (on the prototype, so
 *  in flash on a board: a service costs the RAM of its fields only). */
export abstract class PooledService implements Service, ConnectionHandler {
  readonly stats = new ServiceStats();
  readonly listener: TCPListener;
  protected readonly pool: SocketPool;

  constructor(ctx: ServiceContext, readonly name: string, readonly port: number) {
    this.pool = socketPool(ctx);
    this.listener = this.pool.listen(port, ctx.listen, this);
  }

  abstract onError(socket: TCPSocket, conn: number, error: ConnectionError): void;
}
