// The app-facing layer over the stack's integer handles: one SocketLayer per stack routes
// the stack's events to socket and listener objects. Two kinds of objects use it:
// ECMA-419's Listener and TCP (ecma419.ts), the standard API, and slotcp's own
// TCPListener/TCPSocket below, a lower-level API for services that must not allocate
// per connection: listener.read(callbacks, reuse) rebinds a socket object that no longer
// serves a connection. Callbacks are called with `this` set to the listener or socket.
//
// No callback runs inside one of the app's calls: what a call makes deliverable (a
// socket's first onWritable, a connection that died) is deferred to the stack's next
// event delivery (Stack.requestDelivery), and errors the engine reports while it is in
// the middle of a segment are deferred the same way.
import { ConnectionError, StackEvents } from './core';
import { ListenOptions, Stack } from './stack';

/** What the layer delivers to the object that holds a connection. */
export interface Endpoint {
  readonly handle: number;
  deliverReadable(bytes: number): void;
  deliverWritable(bytes: number): void;
  /** The peer closed its side; everything it sent has been made readable. */
  deliverEnd(): void;
  /** The connection died; the handle is dead already. */
  deliverError(error: ConnectionError): void;
  /** The first notifications after the endpoint took the connection. */
  deliverStart(): void;
}

/** What the layer delivers to a listener object. */
export interface ListenerEndpoint {
  deliverAcceptable(count: number): void;
}

/** Where the default layer is kept: on the global object, because Moddable freezes a
 *  preloaded module's own bindings and objects (a static or module variable set at run
 *  time would throw on a board). */
const DEFAULT_LAYER = Symbol.for('slotcp.defaultLayer');
/** errors[] bit: the slot's endpoint heard onEnd (ConnectionError values stay below it). */
const END_TOLD = 0x80;

export class SocketLayer implements StackEvents {
  readonly stack: Stack;
  private readonly endpoints: (Endpoint | undefined)[];
  private readonly listeners: (ListenerEndpoint | undefined)[];
  /** Per slot, what waits for the next delivery: a connection's first notifications
   *  (for the endpoint that took it), and an error (for the endpoint whose connection
   *  died, with its ConnectionError; 0: the peer's close, ECMA-419's onError). They are
   *  kept apart because the slot may serve a new connection, through a new or a reused
   *  endpoint, before the old one hears of its error: errors go out first. */
  private readonly startTo: (Endpoint | undefined)[];
  private readonly errorTo: (Endpoint | undefined)[];
  /** Per slot: the pending ConnectionError, and END_TOLD once the slot's endpoint heard
   *  onEnd. */
  private readonly errors: Uint8Array;

  constructor(stack: Stack) {
    this.stack = stack;
    const slots = stack.config.slots;
    this.endpoints = new Array(slots).fill(undefined);
    this.listeners = new Array(stack.config.listeners).fill(undefined);
    this.startTo = new Array(slots).fill(undefined);
    this.errorTo = new Array(slots).fill(undefined);
    this.errors = new Uint8Array(slots);
    stack.setEvents(this);
    (globalThis as Record<symbol, unknown>)[DEFAULT_LAYER] = this;
  }

  /** The layer of the stack made last: where ECMA-419's `new Listener()` listens when
   *  it is not told which stack (an app has one stack). */
  static get default(): SocketLayer {
    const layer = (globalThis as Record<symbol, unknown>)[DEFAULT_LAYER];
    if (!(layer instanceof SocketLayer)) throw new Error('slotcp: no stack yet (make a SocketLayer for it)');
    return layer;
  }

  /** The layer routing `stack`'s events, made if there is none yet. */
  static of(stack: Stack): SocketLayer {
    const events = stack.events;
    return events instanceof SocketLayer ? events : new SocketLayer(stack);
  }

  /** Opens a slotcp listener (see TCPListener). */
  listen(options: ListenerOptions): TCPListener {
    return new TCPListener(this, options);
  }

  /** @internal Routes acceptable events of listener `id` to `listener`. */
  attachListener(id: number, listener: ListenerEndpoint | undefined): void {
    this.listeners[id] = listener;
  }

  /** @internal Routes the connection's events to `endpoint`; its first notifications
   *  follow at the next delivery. */
  attach(endpoint: Endpoint): void {
    const slot = endpoint.handle & 0xff;
    this.endpoints[slot] = endpoint;
    this.errors[slot] &= ~END_TOLD;
    this.restart(endpoint);
  }

  /** @internal True the first time it is asked for the connection in `endpoint`'s slot:
   *  onEnd is told once, by the first delivery or by the FIN's own event, whichever
   *  comes first. */
  firstEnd(endpoint: Endpoint): boolean {
    const slot = endpoint.handle & 0xff;
    if (this.errors[slot] & END_TOLD) return false;
    this.errors[slot] |= END_TOLD;
    return true;
  }

  /** @internal True while `endpoint` is the one its slot's events go to, or an error
   *  still waits to be told to it (it is not free for another connection before). */
  attached(endpoint: Endpoint): boolean {
    const slot = endpoint.handle & 0xff;
    return slot < this.endpoints.length && (this.endpoints[slot] === endpoint || this.errorTo[slot] === endpoint);
  }

  /** @internal Forgets the endpoint and anything deferred for it. */
  detach(endpoint: Endpoint): void {
    const slot = endpoint.handle & 0xff;
    if (slot >= this.endpoints.length) return;
    if (this.endpoints[slot] === endpoint) this.endpoints[slot] = undefined;
    if (this.startTo[slot] === endpoint) this.startTo[slot] = undefined;
    if (this.errorTo[slot] === endpoint) this.errorTo[slot] = undefined;
  }

  /** @internal Asks for `endpoint`'s first notifications (again) at the next delivery
   *  (a new owner took the connection: ECMA-419's `new TCP({from})`). */
  restart(endpoint: Endpoint): void {
    this.startTo[endpoint.handle & 0xff] = endpoint;
    this.stack.requestDelivery();
  }

  /** @internal Reports an error (0: the peer's close) to `endpoint` at the next delivery. */
  fail(endpoint: Endpoint, error: ConnectionError): void {
    const slot = endpoint.handle & 0xff;
    if (this.startTo[slot] === endpoint) this.startTo[slot] = undefined;
    this.errorTo[slot] = endpoint;
    this.errors[slot] = error;
    this.stack.requestDelivery();
  }

  private endpointFor(handle: number): Endpoint | undefined {
    const endpoint = this.endpoints[handle & 0xff];
    return endpoint && endpoint.handle === handle ? endpoint : undefined;
  }

  // ---- StackEvents -----------------------------------------------------------------

  deferred(): void {
    const slots = this.errorTo.length;
    for (let slot = 0; slot < slots; slot++) {
      const endpoint = this.errorTo[slot];
      if (endpoint === undefined) continue;
      this.errorTo[slot] = undefined;
      endpoint.deliverError(this.errors[slot] & ~END_TOLD);
    }
    for (let slot = 0; slot < slots; slot++) {
      const endpoint = this.startTo[slot];
      if (endpoint === undefined) continue;
      this.startTo[slot] = undefined;
      if (this.attached(endpoint)) endpoint.deliverStart();
    }
  }

  acceptable(listener: number, count: number): void {
    this.listeners[listener]?.deliverAcceptable(count);
  }

  readable(handle: number, bytes: number): void {
    this.endpointFor(handle)?.deliverReadable(bytes);
  }

  writable(handle: number, bytes: number): void {
    this.endpointFor(handle)?.deliverWritable(bytes);
  }

  ended(handle: number): void {
    this.endpointFor(handle)?.deliverEnd();
  }

  /** Called by the engine as the slot dies: the app hears of it at the next delivery. */
  error(handle: number, error: ConnectionError): void {
    const endpoint = this.endpointFor(handle);
    if (!endpoint) return;
    this.endpoints[handle & 0xff] = undefined;
    this.fail(endpoint, error);
  }
}

// ---- slotcp's own listener and socket ---------------------------------------------------

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

/** slotcp's listener: read(callbacks) accepts a connection into a TCPSocket. */
export class TCPListener implements ListenerEndpoint {
  readonly port: number;
  onReadable?: (this: TCPListener, count: number) => void;
  private readonly layer: SocketLayer;
  private id: number;

  constructor(layer: SocketLayer, options: ListenerOptions) {
    this.layer = layer;
    this.id = layer.stack.listen(options.port, options);
    this.port = options.port;
    this.onReadable = options.onReadable;
    layer.attachListener(this.id, this);
  }

  /** @internal */
  deliverAcceptable(count: number): void {
    this.onReadable?.call(this, count);
  }

  /** The next accepted connection, or undefined. The callbacks given are attached; at the
   *  stack's next delivery onWritable and (if data already waits) onReadable are called.
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
    return socket;
  }

  /** Stops listening; connections not yet read are reset. */
  close(): void {
    if (this.id < 0) return;
    this.layer.stack.unlisten(this.id);
    this.layer.attachListener(this.id, undefined);
    this.id = -1;
  }
}

/** slotcp's socket over one connection handle. */
export class TCPSocket implements SocketCallbacks, Endpoint {
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

  /** @internal */
  deliverReadable(bytes: number): void {
    this.onReadable?.call(this, bytes);
  }

  /** @internal */
  deliverWritable(bytes: number): void {
    this.onWritable?.call(this, bytes);
  }

  /** @internal */
  deliverEnd(): void {
    if (this.layer.firstEnd(this)) this.onEnd?.call(this);
  }

  /** @internal */
  deliverError(error: ConnectionError): void {
    this.onError?.call(this, error);
  }

  /** @internal First notifications after accept. */
  deliverStart(): void {
    const stack = this.layer.stack;
    const room = stack.writable(this.handle);
    if (room > 0) this.onWritable?.call(this, room);
    if (!this.inUse) return;
    const waiting = stack.available(this.handle);
    if (waiting > 0) this.onReadable?.call(this, waiting);
    // The peer's FIN, read or not (its own event came before this socket took the connection).
    if (this.inUse && stack.peerClosed(this.handle) && this.layer.firstEnd(this)) this.onEnd?.call(this);
  }

  /** Reads: no argument → an ArrayBuffer of everything waiting (undefined if none); a
   *  number → at most that many bytes; a Uint8Array → filled, returns the count (from
   *  `offset`, at most `length` bytes, without making a subarray). */
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
   *  room for, see onWritable). Throws if the socket is closed for writing. `offset` and
   *  `length` pick bytes of `data` without making a subarray. `flags` are Stack.write's
   *  WriteFlag bits: More (MSG_MORE) holds a part segment at the end until the next write
   *  without it; EndOfRecord (MSG_EOR), if all the bytes are taken, ends a record, never
   *  sent in one segment with what is written after. */
  write(data: ArrayBuffer | ArrayBufferView, offset = 0, length?: number, flags = 0): number {
    const bytes = data instanceof Uint8Array ? data
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
    const have = bytes.length - offset;
    const count = this.layer.stack.write(this.handle, bytes, offset, length === undefined || length > have ? have : length, flags);
    if (count < 0) throw new Error(`slotcp: socket is closed for writing (${count === -1 ? 'the connection is gone' : 'its send side is closed'})`);
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

  /** TCP_CORK (Stack.setCork): part segments wait while on; off sends what waits. */
  setCork(cork: boolean): void {
    this.layer.stack.setCork(this.handle, cork);
  }

  /** RFC 9293 state name. */
  get state(): string {
    return this.layer.stack.state(this.handle);
  }
}
