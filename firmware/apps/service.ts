// What every example service shares: its listener, its counters, and the accept loop.
// Accepting allocates nothing: the handlers and their socket objects are made at
// start-up, one per connection slot of the stack, and reused.
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

/** The callbacks for one connection at a time. onStart runs before each connection the
 *  handler serves (before any other callback: reset per-connection state there); onAccept
 *  runs once the socket exists (after the socket layer's first onWritable/onReadable
 *  calls). A handler is free again once its socket is closed, aborted or has failed, so
 *  anything it left pending (a timer) must be cancelled by then. */
export interface Handler extends SocketCallbacks {
  onStart?(): void;
  onAccept?(socket: TCPSocket): void;
}

/** Listens on `port`. `handler()` is called at start-up once per connection slot of the
 *  stack (so each handler can keep its state in a closure), and each handler gets a
 *  socket object of its own; an accepted connection goes to a handler whose socket is
 *  not in use, and that socket object is reused for it. No more connections than slots
 *  are ever open, so the pool never has to grow (it would, rather than refuse one). */
export function listenService(ctx: ServiceContext, name: string, port: number, stats: ServiceStats,
  handler: () => Handler): Service {
  const handlers: Handler[] = [];
  const sockets: TCPSocket[] = [];
  const add = () => {
    const h = handler();
    handlers.push(h);
    sockets.push(new TCPSocket(ctx.layer, -1, h));
  };
  for (let i = 0; i < ctx.layer.stack.config.slots; i++) add();
  const listener = ctx.layer.listen({
    ...ctx.listen,
    port,
    onReadable(count) {
      for (let i = 0; i < count; i++) {
        let k = 0;
        while (k < sockets.length && sockets[k].inUse) k++;
        if (k === sockets.length) add();
        const h = handlers[k];
        h.onStart?.();
        const socket = this.read(h, sockets[k]);
        if (!socket) break;
        stats.accepted++;
        h.onAccept?.(socket);
      }
    },
  });
  return { name, port, stats, listener };
}
