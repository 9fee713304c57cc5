// What the services share: one socket object per connection slot of the stack, a row of
// state per connection, one scratch buffer, and the accept loop. A connection holds one socket whatever its port, so start-up makes
// `slots` socket objects for all services together (not one per slot per service), and
// accepting makes none. A socket's index in the pool names its connection to the
// service, which keeps what it needs per connection in that connection's row of the
// pool's `state`: a connection is served by one service at a time, so each service lays
// out the row as it needs (a const enum of its own), and no service needs an array of
// its own (each typed array is some 7 XS slots besides its bytes).
//
// Functions made at run time cost RAM on XS (about 9 slots each, more with captured
// variables), while methods and module functions are made at preload, in flash; so the
// socket callbacks here are module functions that find their service through the socket.
import { ConnectionError } from '../tcp/core';
import { ListenOptions } from '../tcp/stack';
import { SocketCallbacks, SocketLayer, TCPListener, TCPSocket } from '../tcp/socket';

/** A service's side of its connections: the socket callbacks, each given the socket and
 *  its connection's index in the pool. */
export interface ConnectionHandler {
  /** Counts connections accepted. */
  readonly stats: { accepted: number };
  /** Once the socket is bound (after the socket layer's first onWritable/onReadable). */
  onAccept?(socket: TCPSocket, conn: number): void;
  onReadable?(socket: TCPSocket, conn: number, bytes: number): void;
  onWritable?(socket: TCPSocket, conn: number, bytes: number): void;
  onEnd?(socket: TCPSocket, conn: number): void;
  /** The connection died; its socket is already back in the pool, so let go of anything
   *  pending for `conn`. Every service counts these. */
  onError(socket: TCPSocket, conn: number, error: ConnectionError): void;
}

/** A socket of the pool: its index, and the handler of the connection it serves (left in
 *  place after that one ends). */
class PoolSocket extends TCPSocket {
  handler: ConnectionHandler | undefined = undefined;
  constructor(layer: SocketLayer, readonly conn: number) {
    super(layer, -1, ROUTES);
  }
}

/** Every pool socket's callbacks: each passes the event on to the socket's handler. */
const ROUTES: SocketCallbacks = Object.freeze({
  onReadable(this: TCPSocket, bytes: number) {
    const socket = this as PoolSocket;
    socket.handler?.onReadable?.(socket, socket.conn, bytes);
  },
  onWritable(this: TCPSocket, bytes: number) {
    const socket = this as PoolSocket;
    socket.handler?.onWritable?.(socket, socket.conn, bytes);
  },
  onEnd(this: TCPSocket) {
    const socket = this as PoolSocket;
    socket.handler?.onEnd?.(socket, socket.conn);
  },
  onError(this: TCPSocket, error: ConnectionError) {
    const socket = this as PoolSocket;
    socket.handler?.onError(socket, socket.conn, error);
  },
});

/** Numbers in a connection's row of SocketPool.state: enough for any service's fields. */
export const STATE_WORDS = 6;

export class SocketPool {
  /** Sockets in the pool: the stack's connection slots. */
  readonly size: number;
  readonly sockets: readonly TCPSocket[];
  /** Connection `conn`'s fields from conn × STATE_WORDS, laid out by the service serving
   *  it; all 0 before its first callback. Doubles, so a count can pass 2^32 (source:N). */
  readonly state: Float64Array;
  /** For copying bytes to or from a socket within one callback (drained, discarded,
   *  echoed, a reply rendered in pieces). One for every service: callbacks run one at a
   *  time, and none keeps bytes in it from one call to the next. One segment's worth. */
  readonly scratch: Uint8Array;
  private readonly layer: SocketLayer;
  /** Every listener opened through listen(), and its handler at the same index. */
  private readonly listeners: TCPListener[] = [];
  private readonly handlers: ConnectionHandler[] = [];
  /** Every listener's onReadable: one function, which finds the listener's handler. */
  private readonly acceptWaiting: (this: TCPListener, count: number) => void;

  constructor(layer: SocketLayer) {
    const config = layer.stack.config;
    const sockets: PoolSocket[] = [];
    for (let conn = 0; conn < config.slots; conn++) sockets.push(new PoolSocket(layer, conn));
    this.size = config.slots;
    this.sockets = sockets;
    this.scratch = new Uint8Array(config.mss);
    this.state = new Float64Array(config.slots * STATE_WORDS);
    this.layer = layer;
    // Accepts each waiting connection on a socket not in use: while one waits a socket
    // is always free, as sockets in use hold other slots than the waiting connection's.
    // Inline rather than a method: a service's first write runs inside read() (its
    // onWritable), at the deepest point of the app's XS stack.
    const pool = this;
    this.acceptWaiting = function (count) {
      const handler = pool.handlers[pool.listeners.indexOf(this)];
      for (let i = 0; i < count; i++) {
        let conn = 0;
        while (conn < pool.size && sockets[conn].inUse) conn++;
        if (conn === pool.size) return;
        const socket = sockets[conn];
        socket.handler = handler;
        pool.state.fill(0, conn * STATE_WORDS, (conn + 1) * STATE_WORDS);
        if (this.read(ROUTES, socket) === undefined) return;
        handler.stats.accepted++;
        handler.onAccept?.(socket, conn);
      }
    };
  }

  /** Whether pool socket `conn` serves a connection of `handler` now. The state rows are
   *  shared by every service, so a service looking through them (http's queue) must skip
   *  the rows of other services' connections and of connections that ended. */
  serves(conn: number, handler: ConnectionHandler): boolean {
    const socket = this.sockets[conn] as PoolSocket;
    return socket.handler === handler && socket.inUse;
  }

  /** Listens on `port`; connections waiting there are accepted for `handler`. */
  listen(port: number, options: ListenOptions | undefined, handler: ConnectionHandler): TCPListener {
    const listener = this.layer.listen({ ...options, port, onReadable: this.acceptWaiting });
    this.listeners.push(listener);
    this.handlers.push(handler);
    return listener;
  }
}
