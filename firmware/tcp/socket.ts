// The app-facing API in the shape of ECMA-419's TCP listener and socket
// (embedded:io/socket/listener, embedded:io/socket/tcp), over the stack's integer
// handles. Callbacks are called with `this` set to the listener or socket, as in ECMA-419.
// Extensions, not in ECMA-419: onEnd(), shutdown(), abort(), setNoDelay(), state, inUse,
// offset and length for read(Uint8Array) and write(), and listener.read(callbacks, reuse),
// which rebinds a socket object that no longer serves a connection, so a service can
// accept connections without making an object for each.
import { ConnectionError, StackEvents } from './core';
import { ListenOptions, Stack } from './stack';

export interface SocketCallbacks {
  /** Received bytes are waiting (the count of all waiting bytes). */
  onReadable?: (this: TCPSocket, bytes: number) => void;
  /** Send-buffer room has opened up (the room in bytes). */
  onWritable?: (this: TCPSocket, bytes: number) => void;
  /** The peer closed its side; read() returns what is left, then nothing. */
  onEnd?: (this: TCPSocket) => void;
  /** The connection died (reset, timed out or aborted); the socket is closed. */
  onError?: (this: TCPSocket, error: ConnectionError) => void;
}

export interface ListenerOptions extends ListenOptions {
  port: number;
  /** Connections are waiting: call read() that many times. */
  onReadable?: (this: TCPListener, count: number) => void;
}

const noCallbacks: SocketCallbacks = Object.freeze({});

/** Routes the stack's events to listener and socket objects. One per stack. */
export class SocketLayer implements StackEvents {
  readonly stack: Stack;
  private readonly sockets: (TCPSocket | undefined)[];
  private readonly listeners: (TCPListener | undefined)[];

  constructor(stack: Stack) {
    this.stack = stack;
    this.sockets = new Array(stack.config.slots).fill(undefined);
    this.listeners = new Array(stack.config.listeners).fill(undefined);
    stack.setEvents(this);
  }

  /** Opens a listener (ECMA-419 `new Listener({port, onReadable})`). */
  listen(options: ListenerOptions): TCPListener {
    const id = this.stack.listen(options.port, options);
    const listener = new TCPListener(this, id, options);
    this.listeners[id] = listener;
    return listener;
  }

  /** @internal */
  attach(socket: TCPSocket): void {
    this.sockets[socket.handle & 0xff] = socket;
  }

  /** @internal True while `socket` is the one its slot's events go to. */
  attached(socket: TCPSocket): boolean {
    const slot = socket.handle & 0xff;
    return slot < this.sockets.length && this.sockets[slot] === socket;
  }

  /** @internal Forgets the socket, unless its slot already serves a newer connection. */
  detach(socket: TCPSocket): void {
    if (this.sockets[socket.handle & 0xff] === socket) this.sockets[socket.handle & 0xff] = undefined;
  }

  /** @internal */
  detachListener(id: number): void {
    this.listeners[id] = undefined;
  }

  private socketFor(handle: number): TCPSocket | undefined {
    const socket = this.sockets[handle & 0xff];
    return socket && socket.handle === handle ? socket : undefined;
  }

  acceptable(listener: number, count: number): void {
    const l = this.listeners[listener];
    l?.onReadable?.call(l, count);
  }

  readable(handle: number, bytes: number): void {
    const socket = this.socketFor(handle);
    socket?.onReadable?.call(socket, bytes);
  }

  writable(handle: number, bytes: number): void {
    const socket = this.socketFor(handle);
    socket?.onWritable?.call(socket, bytes);
  }

  ended(handle: number): void {
    const socket = this.socketFor(handle);
    socket?.onEnd?.call(socket);
  }

  error(handle: number, error: ConnectionError): void {
    const socket = this.socketFor(handle);
    if (!socket) return;
    this.detach(socket);
    socket.onError?.call(socket, error);
  }
}

export class TCPListener {
  readonly port: number;
  onReadable?: (this: TCPListener, count: number) => void;
  private readonly layer: SocketLayer;
  private id: number;

  constructor(layer: SocketLayer, id: number, options: ListenerOptions) {
    this.layer = layer;
    this.id = id;
    this.port = options.port;
    this.onReadable = options.onReadable;
  }

  /** The next accepted connection, or undefined. The callbacks given are attached first,
   *  then onWritable and (if data already waits) onReadable are called once.
   *  With `reuse`, a socket of this layer that is not in use (see inUse; a socket made
   *  with handle -1 never was), that object is rebound to the new connection and
   *  returned instead of a new one: references to it now reach the new connection. */
  read(callbacks: SocketCallbacks = noCallbacks, reuse?: TCPSocket): TCPSocket | undefined {
    if (this.id < 0) return undefined;
    if (reuse !== undefined && (reuse.inUse || !reuse.belongsTo(this.layer))) {
      throw new Error('slotcp: the socket to reuse is still in use or of another stack');
    }
    const handle = this.layer.stack.accept(this.id);
    if (handle < 0) return undefined;
    let socket: TCPSocket;
    if (reuse === undefined) socket = new TCPSocket(this.layer, handle, callbacks);
    else {
      socket = reuse;
      socket.rebind(handle, callbacks);
    }
    this.layer.attach(socket);
    socket.announce();
    return socket;
  }

  /** Stops listening; connections not yet read are reset. */
  close(): void {
    if (this.id < 0) return;
    this.layer.stack.unlisten(this.id);
    this.layer.detachListener(this.id);
    this.id = -1;
  }
}

export class TCPSocket implements SocketCallbacks {
  onReadable?: (this: TCPSocket, bytes: number) => void;
  onWritable?: (this: TCPSocket, bytes: number) => void;
  onEnd?: (this: TCPSocket) => void;
  onError?: (this: TCPSocket, error: ConnectionError) => void;
  /** The stack's handle for this connection (-1 for a socket made to be reused, before
   *  its first connection). */
  readonly handle: number;
  private readonly layer: SocketLayer;

  constructor(layer: SocketLayer, handle: number, callbacks: SocketCallbacks) {
    this.layer = layer;
    this.handle = handle;
    this.onReadable = callbacks.onReadable;
    this.onWritable = callbacks.onWritable;
    this.onEnd = callbacks.onEnd;
    this.onError = callbacks.onError;
  }

  /** @internal For listener.read(callbacks, reuse). */
  rebind(handle: number, callbacks: SocketCallbacks): void {
    (this as { handle: number }).handle = handle;
    this.onReadable = callbacks.onReadable;
    this.onWritable = callbacks.onWritable;
    this.onEnd = callbacks.onEnd;
    this.onError = callbacks.onError;
  }

  /** @internal */
  belongsTo(layer: SocketLayer): boolean {
    return this.layer === layer;
  }

  /** True from accept until close(), abort() or onError: while the socket's callbacks
   *  may still be called. */
  get inUse(): boolean {
    return this.layer.attached(this);
  }

  /** @internal First notifications after accept. */
  announce(): void {
    const stack = this.layer.stack;
    const room = stack.writable(this.handle);
    if (room > 0) this.onWritable?.call(this, room);
    const waiting = stack.available(this.handle);
    if (waiting > 0) this.onReadable?.call(this, waiting);
    if (stack.ended(this.handle) && stack.available(this.handle) === 0) this.onEnd?.call(this);
  }

  /** ECMA-419 read: no argument → an ArrayBuffer of everything waiting (undefined if
   *  none); a number → at most that many bytes; a Uint8Array → filled, returns the count
   *  (extension: from `offset`, at most `length` bytes, without making a subarray). */
  read(): ArrayBuffer | undefined;
  read(byteLength: number): ArrayBuffer | undefined;
  read(into: Uint8Array, offset?: number, length?: number): number;
  read(arg?: number | Uint8Array, offset = 0, length?: number): ArrayBuffer | number | undefined {
    const stack = this.layer.stack;
    if (arg instanceof Uint8Array) {
      const room = arg.length - offset;
      return Math.max(0, stack.read(this.handle, arg, offset, length === undefined || length > room ? room : length));
    }
    return stack.readBuffer(this.handle, arg === undefined ? Infinity : arg);
  }

  /** Queues bytes to send; returns how many were taken (as much as the send buffer has
   *  room for, see onWritable). Throws if the socket is closed for writing. Extension:
   *  `offset` and `length` pick bytes of `data` without making a subarray. */
  write(data: ArrayBuffer | ArrayBufferView, offset = 0, length?: number): number {
    const bytes = data instanceof Uint8Array ? data
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
    const have = bytes.length - offset;
    const count = this.layer.stack.write(this.handle, bytes, offset, length === undefined || length > have ? have : length);
    if (count < 0) throw new Error('slotcp: socket is closed for writing');
    return count;
  }

  /** Closes: FIN after the queued data, or RST if received data is unread. */
  close(): void {
    this.layer.stack.close(this.handle);
    this.layer.detach(this);
  }

  /** Half-close: FIN after the queued data; reading continues. */
  shutdown(): void {
    this.layer.stack.shutdown(this.handle);
  }

  /** Resets the connection. */
  abort(): void {
    this.layer.stack.abort(this.handle);
    this.layer.detach(this);
  }

  setNoDelay(noDelay: boolean): void {
    this.layer.stack.setNoDelay(this.handle, noDelay);
  }

  /** RFC 9293 state name. */
  get state(): string {
    return this.layer.stack.state(this.handle);
  }
}
