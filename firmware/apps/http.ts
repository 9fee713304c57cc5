// http: a minimal HTTP/1.1 server for the status page. It collects the request head (it
// may arrive in many segments), answers GET / (and HEAD /) with statusText(), 404 for any
// other path, 405 for other methods and 400 for a malformed or oversized head, then
// closes first, so the server side ends in TIME-WAIT. Bytes after the head are read and
// dropped: a close with unread data would be a RST instead of a FIN.
import { TCPSocket } from '../tcp/socket';
import { asciiBytes, asciiText } from './ascii';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';
import { statusText } from './status';

/** The longest request head accepted (request line and headers). */
export const MAX_HEAD = 2048;

const reasons: Readonly<Record<number, string>> = Object.freeze({ 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed' });

/** Where the head ends (just past the blank line), or -1 if it has not yet. Bare LF line
 *  ends are accepted too (RFC 9112 §2.2), for people typing into nc. */
export function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 0; i < length; i++) {
    if (bytes[i] !== 10) continue;
    if (i + 1 < length && bytes[i + 1] === 10) return i + 2;
    if (i + 2 < length && bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

/** The response to a request head (bytes up to and including the blank line). */
export function respond(head: string, page: () => string): string {
  const requestLine = head.split(/\r?\n/, 1)[0];
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[0-9]$/.exec(requestLine);
  if (!match) return response(400, 'bad request\n', true);
  const [, method, target] = match;
  const head_ = method === 'HEAD';
  if (method !== 'GET' && !head_) return response(405, 'only GET and HEAD\n', false, 'Allow: GET, HEAD\r\n');
  const path = target.split('?', 1)[0];
  if (path !== '/') return response(404, `no page ${path}\n`, !head_);
  const body = page();
  return head_ ? response(200, body, false) : response(200, body, true);
}

function response(status: number, body: string, withBody: boolean, extra = ''): string {
  return `HTTP/1.1 ${status} ${reasons[status]}\r\nContent-Type: text/plain; charset=us-ascii\r\n`
    + `Content-Length: ${body.length}\r\nCache-Control: no-store\r\n${extra}Connection: close\r\n\r\n`
    + (withBody ? body : '');
}

export function http(ctx: ServiceContext, port: number, name = 'http'): Service {
  const stats = new ServiceStats();
  const started = ctx.scheduler.now();
  const scratch = new Uint8Array(1460);
  const page = () => statusText(ctx.layer.stack, ctx.scheduler.now() - started);
  return listenService(ctx, name, port, stats, (): Handler => {
    const head = new Uint8Array(MAX_HEAD);
    let headLength = 0;
    let reply: Uint8Array | undefined;
    let sent = 0;
    let closed = false;

    function drain(socket: TCPSocket): void {
      for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) stats.bytesIn += got;
    }
    function answer(socket: TCPSocket, text: string): void {
      reply = asciiBytes(text);
      drain(socket);
      send(socket);
    }
    function send(socket: TCPSocket): void {
      if (!reply || closed) return;
      if (sent < reply.length) {
        const put = socket.write(sent === 0 ? reply : reply.subarray(sent));
        sent += put;
        stats.bytesOut += put;
      }
      if (sent === reply.length) {
        drain(socket);
        closed = true;
        stats.closed++;
        socket.close();
      }
    }
    return {
      onReadable() {
        if (closed) return;
        if (reply) { drain(this); return; }
        const got = this.read(head.subarray(headLength));
        stats.bytesIn += got;
        headLength += got;
        const end = headEnd(head, headLength);
        if (end >= 0) answer(this, respond(asciiText(head, 0, end), page));
        else if (headLength === head.length) answer(this, respond('', page)); // too long: 400
      },
      onWritable() { send(this); },
      onEnd() {
        // The client closed before finishing its head.
        if (!reply && !closed) {
          if (headLength === 0) { closed = true; stats.closed++; this.close(); }
          else answer(this, respond('', page));
        }
      },
      onError() { closed = true; stats.errors++; },
    };
  });
}
