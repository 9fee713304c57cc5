// ECMA-419's TCP Listener and TCP socket (embedded:io/socket/listener,
// embedded:io/socket/tcp) over slotcp's stack, as the standard's text and its Annex A
// algorithms define them and as Moddable implements them, so that an app written for
// Moddable's own sockets runs on slotcp unchanged:
//
//   const listener = new Listener({ port: 80, onReadable(count) {
//     while (count--) new TCP({ from: this.read(), onReadable(bytes) { ... }, onError() { this.close(); } });
//   } });
//
// Standard behaviour: callbacks are never called from inside one of these methods (the
// first onWritable follows at the stack's next delivery); write() sends all or throws
// and returns the writable count left; onError() also reports the peer's close, once
// everything it sent has been read; after close() every method but close() throws.
// Where slotcp differs: there is no active open (a TCP needs `from`), a Listener needs a
// port (no ephemeral port 0), and closing with unread data resets the connection (RFC
// 2525 §2.17). Extensions, used only when asked for: onEnd() (the peer's half-close,
// instead of onError), shutdown(), abort(), linger (SO_LINGER {1, N}), noDelay, cork
// (TCP_CORK), keepAlive per socket and keepalive/backlog per listener, `stack` (which
// stack a Listener uses), and state. write()'s `more` option is MSG_MORE, and its
// `endOfRecord` extension MSG_EOR.
import { ConnectionError } from './core';
import { Endpoint, ListenerEndpoint, SocketLayer } from './socket';
import { ListenOptions, Stack, WriteFlag } from './stack';
import { formatIpv4, parseIpv4 } from './wire';

/** The reasons a slotcp connection fails, as plain values for JavaScript apps (the
 *  standard passes none to onError; slotcp passes one of these as an extension). */
export const ConnectionErrors = Object.freeze({
  Reset: ConnectionError.Reset,
  TimedOut: ConnectionError.TimedOut,
  Aborted: ConnectionError.Aborted,
});

type Callback<T> = ((this: T, ...args: any[]) => void) | null | undefined;

function callbackOption<T>(options: Record<string, unknown>, name: string): Callback<T> {
  const value = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
  return value as Callback<T>;
}

function requireOptions(options: unknown): Record<string, unknown> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  return options as Record<string, unknown>;
}

/** A byte buffer (Annex A's term), as a Uint8Array over the same bytes. Views are
 *  told apart by their tag, not instanceof, so that one made in another realm (a native
 *  TextEncoder's, say) is still taken. */
function byteView(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    const tag = Object.prototype.toString.call(data);
    if (tag === '[object Uint8Array]') return data as Uint8Array;
    if (tag === '[object Int8Array]' || tag === '[object DataView]') {
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
  } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  throw new TypeError('slotcp: not a byte buffer (ArrayBuffer, SharedArrayBuffer, Uint8Array, Int8Array or DataView)');
}

function closedError(): Error {
  return new Error('slotcp: the socket is closed');
}

export interface ListenerOptionsEcma {
  port?: number;
  address?: string;
  onReadable?: (this: Listener, requests: number) => void;
  onError?: (this: Listener) => void;
  format?: 'socket/tcp';
  target?: unknown;
  /** Extension: the stack to listen on (default: the layer made last). */
  stack?: Stack | SocketLayer;
  /** Extensions, per listener: see Stack.listen. */
  backlog?: number;
  noDelay?: boolean;
  keepalive?: ListenOptions['keepalive'];
  /** TCP_MAXSEG (64..the stack's config.mss) and TCP_USER_TIMEOUT (ms) for the
   *  connections it accepts: see ListenOptions. */
  mss?: number;
  userTimeout?: number;
  /** IP_TOS (0..255; the ECN bits are sent as 0) and IP_TTL (1..255) of its SYN-ACKs and
   *  of the connections it accepts: see ListenOptions. */
  tos?: number;
  ttl?: number;
}

/** Checks an optional whole-number option: TypeError for another type, RangeError
 *  outside least..most (ECMA-419's rule for options). */
function wholeOption(o: Record<string, unknown>, name: string, least: number, most: number): number | undefined {
  const value = o[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < least || value > most) throw new RangeError(`${name} must be a whole number from ${least} to ${most}`);
  return value;
}

/** The largest user timeout in ms (Stack.setUserTimeout's bound), and low-water mark in
 *  bytes (setNotsentLowat's). */
const MAX_USER_TIMEOUT = 0x3fffffff;

export class Listener implements ListenerEndpoint {
  target?: unknown;
  #layer: SocketLayer | undefined;
  #id = -1;
  #port = 0;
  #onReadable: Callback<Listener>;

  constructor(options: ListenerOptionsEcma) {
    const o = requireOptions(options);
    const port = o.port === undefined ? 0 : o.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError('port must be an integer from 0 to 65535');
    }
    if (port === 0) throw new RangeError('slotcp: a listener needs a port (no ephemeral ports)');
    const layer = o.stack instanceof SocketLayer ? o.stack
      : o.stack !== undefined ? SocketLayer.of(o.stack as Stack) : SocketLayer.default;
    if (o.address !== undefined) {
      if (typeof o.address !== 'string') throw new TypeError('address must be a string');
      const address = parseIpv4(o.address);
      if (address < 0) throw new RangeError(`bad address '${o.address}'`);
      if (address !== 0 && address !== layer.stack.config.localAddr >>> 0) {
        throw new Error(`slotcp: ${o.address} is not this stack's address`);
      }
    }
    if (o.format !== undefined && o.format !== 'socket/tcp') throw new RangeError('format must be "socket/tcp"');
    this.#onReadable = callbackOption<Listener>(o, 'onReadable');
    callbackOption<Listener>(o, 'onError'); // checked; a slotcp listener has no errors to report
    if ('target' in o) this.target = o.target;
    const mss = wholeOption(o, 'mss', 64, layer.stack.config.mss);
    const userTimeoutMs = wholeOption(o, 'userTimeout', 0, MAX_USER_TIMEOUT);
    const tos = wholeOption(o, 'tos', 0, 255);
    const ttl = wholeOption(o, 'ttl', 1, 255);
    this.#id = layer.stack.listen(port, {
      backlog: o.backlog as number | undefined, noDelay: o.noDelay as boolean | undefined,
      keepalive: o.keepalive as ListenOptions['keepalive'], mss, userTimeoutMs, tos, ttl,
    });
    this.#layer = layer;
    this.#port = port;
    layer.attachListener(this.#id, this);
  }

  /** @internal */
  deliverAcceptable(count: number): void {
    this.#onReadable?.call(this, count);
  }

  /** The next connection as a TCP socket with no callbacks (pass it to `new TCP({from})`),
   *  or undefined when none waits. */
  read(): TCP | undefined {
    const layer = this.#live();
    const handle = layer.stack.accept(this.#id);
    if (handle < 0) return undefined;
    return TCP.accepted(layer, handle);
  }

  write(): never {
    this.#live();
    throw new Error('a listener cannot be written');
  }

  /** Stops listening; connections not yet read are reset. */
  close(): void {
    const layer = this.#layer;
    if (layer === undefined) return;
    layer.stack.unlisten(this.#id);
    layer.attachListener(this.#id, undefined);
    this.#layer = undefined;
    this.#onReadable = undefined;
  }

  get port(): number {
    this.#live();
    return this.#port;
  }

  get format(): string {
    this.#live();
    return 'socket/tcp';
  }

  set format(value: string) {
    this.#live();
    if (value !== 'socket/tcp') throw new RangeError('format must be "socket/tcp"');
  }

  #live(): SocketLayer {
    if (this.#layer === undefined) throw new Error('slotcp: the listener is closed');
    return this.#layer;
  }
}

export interface TcpOptions {
  from?: TCP;
  address?: string;
  port?: number;
  noDelay?: boolean;
  /** Keep-alive interval in ms (ECMA-419): probes after this much idle time, then every
   *  this often, 9 unanswered probes end the connection. */
  keepAlive?: number;
  onReadable?: (this: TCP, bytes: number) => void;
  onWritable?: (this: TCP, bytes: number) => void;
  onError?: (this: TCP, error?: ConnectionError) => void;
  /** Extension: the peer closed its side (half-close); reported instead of onError. */
  onEnd?: (this: TCP) => void;
  /** Extension, SO_LINGER {1, linger}: close() resets the connection if what was written
   *  and the FIN are not acknowledged within `linger` ms (0: close() resets at once). */
  linger?: number;
  /** Extension, TCP_USER_TIMEOUT (RFC 5482): data unacknowledged this many ms resets the
   *  connection (onError(TimedOut)), in place of the stack's maxRetries; 0: maxRetries. */
  userTimeout?: number;
  /** Extension, TCP_NOTSENT_LOWAT (bytes): the socket is writable (onWritable, write()
   *  takes data) only while fewer bytes than this are written and not yet sent; 0: the
   *  stack's config.notsentLowat. */
  notsentLowat?: number;
  /** Extension, IP_TOS (0..255; the ECN bits are sent as 0) and IP_TTL (1..255): the
   *  connection's segments from now on carry them (default: its listener's). */
  tos?: number;
  ttl?: number;
  format?: 'buffer' | 'number';
  target?: unknown;
}

/** Listener.read()'s way into the constructor (private fields exist only on objects the
 *  constructor made): options with this key are a connection just accepted. A symbol,
 *  not a shared object to fill in, because a preloaded module's objects are frozen. */
const ACCEPTED = Symbol('slotcp.accepted');

interface Accepted {
  [ACCEPTED]: true;
  layer: SocketLayer;
  handle: number;
}

/** Keepalive probes before a connection with ECMA-419's keepAlive is given up. */
const KEEPALIVE_COUNT = 9;

/** The longest keepAlive or linger, in ms: the stack's timer limit (setKeepalive,
 *  closeWithin: 2^30 - 1), checked here so that a longer one throws this module's error
 *  at construction, not the stack's (from close(), for linger). */
const MAX_MS = 0x3fffffff;

export class TCP implements Endpoint {
  target?: unknown;
  #layer: SocketLayer | undefined;
  #handle = -1;
  #format: 'buffer' | 'number' = 'buffer';
  #onReadable: Callback<TCP>;
  #onWritable: Callback<TCP>;
  #onError: Callback<TCP>;
  #onEnd: Callback<TCP>;
  /** The connection failed (a ConnectionError; 0: it has not), or the peer's close was
   *  reported as one: it is no longer usable. */
  #failed = false;
  #error = 0;
  /** Made by `new TCP()` (it has callbacks), not by Listener.read(). */
  #owned = false;
  /** SO_LINGER's time in ms, or -1 for an ordinary close. */
  #linger = -1;
  #oneByte: Uint8Array | undefined;

  constructor(options: TcpOptions) {
    if (options !== null && typeof options === 'object' && (options as unknown as Accepted)[ACCEPTED] === true) {
      const accepted = options as unknown as Accepted;
      this.#init(accepted.layer, accepted.handle);
      return;
    }
    const o = requireOptions(options);
    if (!('from' in o) || o.from === undefined) {
      throw new Error('slotcp: no active open; make a TCP socket from a Listener: new TCP({from: listener.read()})');
    }
    const from = o.from;
    if (!(from instanceof TCP)) throw new TypeError('from must be a TCP socket');
    if (o.noDelay !== undefined && typeof o.noDelay !== 'boolean') throw new TypeError('noDelay must be true or false');
    if (o.keepAlive !== undefined
      && (typeof o.keepAlive !== 'number' || !Number.isInteger(o.keepAlive) || o.keepAlive < 1 || o.keepAlive > MAX_MS)) {
      throw new RangeError('keepAlive must be a positive integer (ms)');
    }
    if (o.linger !== undefined
      && (typeof o.linger !== 'number' || !Number.isInteger(o.linger) || o.linger < 0 || o.linger > MAX_MS)) {
      throw new RangeError('linger must be a whole number of ms (0 or more)');
    }
    const userTimeout = wholeOption(o, 'userTimeout', 0, MAX_USER_TIMEOUT);
    const notsentLowat = wholeOption(o, 'notsentLowat', 0, MAX_USER_TIMEOUT); // the same 2^30 bound
    const tos = wholeOption(o, 'tos', 0, 255);
    const ttl = wholeOption(o, 'ttl', 1, 255);
    const format = o.format === undefined ? 'buffer' : o.format;
    if (format !== 'buffer' && format !== 'number') throw new RangeError('format must be "buffer" or "number"');
    const onReadable = callbackOption<TCP>(o, 'onReadable');
    const onWritable = callbackOption<TCP>(o, 'onWritable');
    const onError = callbackOption<TCP>(o, 'onError');
    const onEnd = callbackOption<TCP>(o, 'onEnd');
    const { layer, handle, error } = from.#take();
    this.#layer = layer;
    this.#handle = handle;
    this.#owned = true;
    this.#linger = o.linger === undefined ? -1 : o.linger as number;
    this.#format = format;
    this.#onReadable = onReadable;
    this.#onWritable = onWritable;
    this.#onError = onError;
    this.#onEnd = onEnd;
    if ('target' in o) this.target = o.target;
    if (o.noDelay !== undefined) layer.stack.setNoDelay(handle, o.noDelay as boolean);
    if (o.keepAlive !== undefined) layer.stack.setKeepalive(handle, o.keepAlive as number, o.keepAlive as number, KEEPALIVE_COUNT);
    if (userTimeout !== undefined) layer.stack.setUserTimeout(handle, userTimeout);
    if (notsentLowat !== undefined) layer.stack.setNotsentLowat(handle, notsentLowat);
    if (tos !== undefined) layer.stack.setTos(handle, tos);
    if (ttl !== undefined) layer.stack.setTtl(handle, ttl);
    if ((error as number) !== 0) layer.fail(this, error);
    else layer.attach(this);
  }

  /** @internal A socket for a connection Listener.read() just accepted. */
  static accepted(layer: SocketLayer, handle: number): TCP {
    const accepted: Accepted = { [ACCEPTED]: true, layer, handle };
    return new TCP(accepted as unknown as TcpOptions);
  }

  #init(layer: SocketLayer, handle: number): void {
    this.#layer = layer;
    this.#handle = handle;
    this.#format = 'buffer';
    this.#failed = false;
    this.#error = 0;
    this.#owned = false;
    layer.attach(this);
  }

  /** Hands this socket's connection over (for `new TCP({from})`) and closes this one. */
  #take(): { layer: SocketLayer; handle: number; error: ConnectionError } {
    const layer = this.#live();
    if (this.#owned && this.#failed) throw new Error('slotcp: that socket has failed');
    const taken = { layer, handle: this.#handle, error: this.#error as ConnectionError };
    layer.detach(this);
    this.#clear();
    return taken;
  }

  get handle(): number {
    return this.#handle;
  }

  // ---- what the layer delivers ---------------------------------------------------

  /** @internal */
  deliverReadable(bytes: number): void {
    this.#onReadable?.call(this, bytes);
  }

  /** @internal */
  deliverWritable(bytes: number): void {
    if (!this.#failed) this.#onWritable?.call(this, bytes);
  }

  /** @internal The peer's FIN (its own event, or the first delivery's look at the
   *  stack): onEnd at once, or onError once everything before it has been read. */
  deliverEnd(): void {
    if (!this.#owned) return; // told to the TCP made from this one (the stack keeps it)
    if (this.#onEnd) this.#tellEnd();
    else if (this.#layer!.stack.available(this.#handle) <= 0) this.#reportPeerClose();
  }

  /** @internal An error, or 0: the peer's close, now that everything it sent was read. */
  deliverError(error: ConnectionError | 0): void {
    if (error === 0) {
      this.#reportPeerClose();
      return;
    }
    this.#error = error;
    if (!this.#owned) return; // told to the TCP made from this one
    // onError once: after the peer's close was reported as one (the socket not closed
    // yet), a reset or timeout is no news.
    if (this.#failed) return;
    this.#failed = true;
    this.#onError?.call(this, error);
  }

  /** @internal */
  deliverStart(): void {
    const stack = this.#layer!.stack;
    const handle = this.#handle;
    const room = stack.writable(handle);
    if (room > 0 && !this.#failed) this.#onWritable?.call(this, room);
    // Closed by the callback? (A TCP's #handle never changes: only its constructor sets it.)
    if (this.#layer === undefined) return;
    const waiting = stack.available(handle);
    if (waiting > 0) this.#onReadable?.call(this, waiting);
    if (this.#layer === undefined) return;
    // The stack's record, not the events: a FIN that came before the connection was read
    // reached no socket, and one that came after the takeover is yet to be delivered.
    if (stack.peerClosed(handle)) this.deliverEnd();
  }

  /** onEnd once, though both the first delivery and the FIN's own event (when it came
   *  after the takeover) tell of the peer's close: the socket layer's bit for the slot,
   *  cleared when this socket took it, as for slotcp's TCPSocket. */
  #tellEnd(): void {
    if (this.#layer!.firstEnd(this)) this.#onEnd!.call(this);
  }

  /** ECMA-419: the peer's close is an error once everything it sent has been read. */
  #reportPeerClose(): void {
    if (this.#failed || !this.#owned) return;
    this.#failed = true;
    this.#onError?.call(this);
  }

  // ---- the standard's methods ----------------------------------------------------

  read(option?: number | ArrayBuffer | ArrayBufferView): ArrayBuffer | number | undefined {
    const layer = this.#live();
    const stack = layer.stack;
    const handle = this.#handle;
    if (this.#format === 'number') {
      if (option !== undefined) throw new TypeError('read takes no argument in the "number" format');
      if (stack.available(handle) <= 0) return undefined;
      const one = stack.readBuffer(handle, 1) as ArrayBuffer;
      this.#afterRead();
      return new Uint8Array(one)[0];
    }
    let result: ArrayBuffer | number | undefined;
    if (option === undefined) {
      result = stack.readBuffer(handle, Infinity);
    } else if (typeof option === 'number') {
      if (!Number.isInteger(option) || option < 1) throw new RangeError('read(byteLength) needs a positive integer');
      result = stack.readBuffer(handle, option);
    } else {
      const into = byteView(option);
      if (stack.available(handle) <= 0) return undefined;
      result = stack.read(handle, into, 0, into.length);
    }
    this.#afterRead();
    return result;
  }

  /** Sends all of `data` or throws (nothing sent); returns the writable count left. With
   *  the extension `endOfRecord: true` (MSG_EOR) the bytes end a record: what is written
   *  after them never shares a segment with them. */
  write(data: unknown, options?: { more?: boolean; byteLength?: number; endOfRecord?: boolean }): number {
    const layer = this.#live();
    if (options !== undefined) checkWriteOptions(options);
    const stack = layer.stack;
    const handle = this.#handle;
    let bytes: Uint8Array;
    if (this.#format === 'number') {
      if (typeof data !== 'number' || !Number.isInteger(data) || data < 0 || data > 255) {
        throw new RangeError('write takes a byte (0 to 255) in the "number" format');
      }
      // A byte buffer of its own, made once (a module-level one would be frozen on a board).
      bytes = this.#oneByte ??= new Uint8Array(1);
      bytes[0] = data;
    } else {
      bytes = byteView(data);
    }
    if (this.#failed) throw new Error('slotcp: the connection has failed');
    const room = stack.writable(handle);
    if (bytes.length > room) {
      // writable() is 0, not negative, once our side is shut down: an empty write (which
      // sends nothing; negative for a shut side or a dead connection) tells it from a
      // full buffer.
      if (stack.write(handle, bytes, 0, 0) < 0) throw new Error('slotcp: the socket is closed for writing');
      throw new Error(`slotcp: would block (${bytes.length} bytes, room for ${room})`);
    }
    // `more` says more data follows at once: MSG_MORE (a part segment waits for it).
    const flags = (options?.more === true ? WriteFlag.More : 0) | (options?.endOfRecord === true ? WriteFlag.EndOfRecord : 0);
    if (stack.write(handle, bytes, 0, bytes.length, flags) < 0) throw new Error('slotcp: the socket is closed for writing');
    return stack.writable(handle);
  }

  /** Closes: FIN after what was written, or RST if received data is unread (with the
   *  linger extension: RST if they are not acknowledged in time). Calling it again does
   *  nothing. */
  close(): void {
    const layer = this.#layer;
    if (layer === undefined) return;
    if (this.#linger >= 0) layer.stack.closeWithin(this.#handle, this.#linger);
    else layer.stack.close(this.#handle);
    layer.detach(this);
    this.#clear();
  }

  get format(): 'buffer' | 'number' {
    this.#live();
    return this.#format;
  }

  set format(value: 'buffer' | 'number') {
    this.#live();
    if (value !== 'buffer' && value !== 'number') throw new RangeError('format must be "buffer" or "number"');
    this.#format = value;
  }

  get remoteAddress(): string | undefined {
    const address = this.#live().stack.remoteAddress(this.#handle);
    return address < 0 ? undefined : formatIpv4(address);
  }

  get remotePort(): number | undefined {
    const port = this.#live().stack.remotePort(this.#handle);
    return port < 0 ? undefined : port;
  }

  // ---- extensions ------------------------------------------------------------------

  /** Half-close: FIN after what was written; reading goes on. */
  shutdown(): void {
    this.#live().stack.shutdown(this.#handle);
  }

  /** Resets the connection and closes the socket. */
  abort(): void {
    const layer = this.#live();
    layer.stack.abort(this.#handle);
    layer.detach(this);
    this.#clear();
  }

  set noDelay(value: boolean) {
    this.#live().stack.setNoDelay(this.#handle, value === true);
  }

  /** slotcp extension, TCP_CORK (Stack.setCork): true holds part segments; false (and
   *  anything but true) sends what waits. */
  set cork(value: boolean) {
    this.#live().stack.setCork(this.#handle, value === true);
  }

  /** RFC 9293 state name ("CLOSED" once the socket is closed). */
  get state(): string {
    return this.#layer === undefined ? 'CLOSED' : this.#layer.stack.state(this.#handle);
  }

  // ---- internals -------------------------------------------------------------------

  /** After the app read: the peer's close is reported once nothing is left to read
   *  (onError; onEnd was told when the FIN came). The stack's ended(), not the FIN's
   *  event: one that came with data before the connection was read reached no socket
   *  (the stack tells only an accepted one). */
  #afterRead(): void {
    if (this.#owned && !this.#failed && !this.#onEnd && this.#layer!.stack.ended(this.#handle)) {
      this.#layer!.fail(this, 0 as ConnectionError);
    }
  }

  #live(): SocketLayer {
    if (this.#layer === undefined) throw closedError();
    return this.#layer;
  }

  #clear(): void {
    this.#layer = undefined;
    this.#onReadable = this.#onWritable = this.#onError = this.#onEnd = undefined;
  }
}

function checkWriteOptions(options: { more?: unknown; byteLength?: unknown; endOfRecord?: unknown }): void {
  if (options === null || typeof options !== 'object') throw new TypeError('write options must be an object');
  if (options.more !== undefined && typeof options.more !== 'boolean') throw new TypeError('more must be true or false');
  if (options.endOfRecord !== undefined && typeof options.endOfRecord !== 'boolean') {
    throw new TypeError('endOfRecord must be true or false');
  }
  if (options.byteLength !== undefined
    && (typeof options.byteLength !== 'number' || !Number.isInteger(options.byteLength) || options.byteLength < 1)) {
    throw new RangeError('byteLength must be a positive integer');
  }
}
