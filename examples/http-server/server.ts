// A small HTTP/1.1 server written only against ECMA-419's TCP Listener and TCP socket:
// persistent connections (keep-alive, pipelined requests), a chunked response, and
// writes that respect the socket's writable count. The classes are passed in, so the
// same code runs over slotcp (slotcp/listener, slotcp/tcp) and over Moddable's own
// sockets (embedded:io/socket/listener, embedded:io/socket/tcp): see main.ts and the two
// manifests beside it.
//
//   GET /            200, a short text with Content-Length
//   GET /chunked     200, Transfer-Encoding: chunked, 10 chunks of 100 bytes
//   anything else    404; a malformed request gets 400 and the connection is closed
// "Connection: close" from the client closes the connection after the response.

/** What this server needs of ECMA-419's socket instance. */
export interface Socket419 {
  read(): ArrayBuffer | undefined;
  write(data: ArrayBuffer | ArrayBufferView): number;
  close(): void;
}

/** What it needs of the constructors (`embedded:io/socket/listener`, `.../tcp`). */
export interface Classes419 {
  Listener: new (options: { port: number; onReadable(this: { read(): unknown }, count: number): void }) => unknown;
  TCP: new (options: {
    from: unknown;
    onReadable?: (this: Socket419, bytes: number) => void;
    onWritable?: (this: Socket419, bytes: number) => void;
    onError?: (this: Socket419) => void;
  }) => Socket419;
}

const MAX_HEAD = 2048;
const HELLO = 'Hello from an ECMA-419 server\n';
const CHUNKS = 10;
const CHUNK = 'x'.repeat(99) + '\n';

/** Starts the server on `port`; returns the listener. */
export function serveHttp({ Listener, TCP }: Classes419, port: number): unknown {
  return new Listener({
    port,
    onReadable(count) {
      for (let i = 0; i < count; i++) {
        const from = this.read();
        if (from === undefined) break;
        new Connection(TCP, from);
      }
    },
  });
}

class Connection {
  private readonly socket: Socket419;
  /** Received bytes not yet parsed (Latin-1 text), and response bytes not yet written. */
  private input = '';
  private output: Uint8Array[] = [];
  private writable = 0;
  private closeAfterOutput = false;

  constructor(TCP: Classes419['TCP'], from: unknown) {
    const self = this;
    this.socket = new TCP({
      from,
      onReadable() { self.received(); },
      onWritable(bytes) { self.writable = bytes; self.flush(); },
      onError() { self.socket.close(); },
    });
  }

  private received(): void {
    const data = this.socket.read();
    if (data === undefined) return;
    const bytes = new Uint8Array(data);
    for (let i = 0; i < bytes.length; i++) this.input += String.fromCharCode(bytes[i]);
    for (;;) {
      const end = this.input.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.input.length > MAX_HEAD) this.respond(400, 'text/plain', 'request head too long\n', true);
        break;
      }
      const head = this.input.slice(0, end);
      this.input = this.input.slice(end + 4);
      this.request(head);
      if (this.closeAfterOutput) break;
    }
    this.flush();
  }

  private request(head: string): void {
    const lines = head.split('\r\n');
    const [method, target, version] = lines[0].split(' ');
    if (!method || !target || !/^HTTP\/1\.[01]$/.test(version ?? '')) {
      this.respond(400, 'text/plain', 'bad request\n', true);
      return;
    }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const connection = (headers.get('connection') ?? '').toLowerCase();
    const close = version === 'HTTP/1.0' ? connection !== 'keep-alive' : connection === 'close';
    if (method !== 'GET') this.respond(405, 'text/plain', 'method not allowed\n', close);
    else if (target === '/') this.respond(200, 'text/plain', HELLO, close);
    else if (target === '/chunked') this.respondChunked(close);
    else this.respond(404, 'text/plain', 'not found\n', close);
  }

  private respond(status: number, type: string, body: string, close: boolean): void {
    const reason = ({ 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed' } as Record<number, string>)[status];
    this.queue(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n`
      + `${close ? 'Connection: close\r\n' : ''}\r\n${body}`);
    if (close) this.closeAfterOutput = true;
  }

  private respondChunked(close: boolean): void {
    let text = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    for (let i = 0; i < CHUNKS; i++) text += `${CHUNK.length.toString(16)}\r\n${CHUNK}\r\n`;
    this.queue(`${text}0\r\n\r\n`);
    if (close) this.closeAfterOutput = true;
  }

  private queue(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.output.push(bytes);
  }

  /** Writes what the socket takes now (write() sends all or throws, so only pieces that
   *  fit the writable count); the rest waits for onWritable. */
  private flush(): void {
    while (this.output.length > 0 && this.writable > 0) {
      const first = this.output[0];
      const piece = first.length <= this.writable ? first : first.subarray(0, this.writable);
      this.writable = this.socket.write(piece);
      if (piece === first) this.output.shift();
      else this.output[0] = first.subarray(piece.length);
    }
    if (this.output.length === 0 && this.closeAfterOutput) this.socket.close();
  }
}
