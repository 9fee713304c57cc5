// What every example service shares: its listener, its counters, and the accept loop.
import { ListenOptions } from '../tcp/stack';
import { SocketCallbacks, SocketLayer, TCPListener, TCPSocket } from '../tcp/socket';
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
 *  listener options (keepalive, backlog) chosen by the runner. */
export interface ServiceContext {
  layer: SocketLayer;
  scheduler: Scheduler;
  listen?: ListenOptions;
}

/** One connection's callbacks; onAccept runs once the socket exists (after the socket
 *  layer's first onWritable/onReadable calls). */
export interface Handler extends SocketCallbacks {
  onAccept?(socket: TCPSocket): void;
}

/** Listens on `port`; every accepted connection gets the callbacks `handler()` makes
 *  (one call per connection, so each can keep its own state in a closure). */
export function listenService(ctx: ServiceContext, name: string, port: number, stats: ServiceStats,
  handler: () => Handler): Service {
  const listener = ctx.layer.listen({
    ...ctx.listen,
    port,
    onReadable(count) {
      for (let i = 0; i < count; i++) {
        const callbacks = handler();
        const socket = this.read(callbacks);
        if (!socket) break;
        stats.accepted++;
        callbacks.onAccept?.(socket);
      }
    },
  });
  return { name, port, stats, listener };
}
