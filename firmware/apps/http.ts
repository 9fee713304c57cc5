// http: a minimal HTTP/1.1 server for the status page. It collects the request head (it
// may arrive in many segments), answers GET / (and HEAD /) with the status page
// (status.ts), 404 for any other path, 405 for other methods and 400 for a malformed or
// oversized head, then closes first, so the server side ends in TIME-WAIT. Bytes after the
// head are read and dropped: a close with unread data would be a RST instead of a FIN.
//
// Nothing is allocated per request: each connection slot's handler has its head buffer
// from start-up, and replies are written as ASCII bytes into one reply buffer, also made
// at start-up. One reply is in that buffer at a time: a request that comes while another
// reply is still being written waits (its head read, later bytes dropped) until that one
// is all in its socket's send buffer, then gets its own, rendered then.
import { TCPSocket } from '../tcp/socket';
import { AsciiWriter, asciiBytes } from './ascii';
import { Handler, Service, ServiceContext, ServiceStats, listenService } from './service';
import { StatusPage } from './status';

/** The longest request head accepted (request line and headers). */
export const MAX_HEAD = 2048;

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

/** RFC 9110 tchar, the bytes a method may have, as a table made once. */
const TCHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  TCHAR[c] = alnum || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0 ? 1 : 0;
}

/** Whitespace as JavaScript's \s sees it, for a Latin-1 byte. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

/** What a request asked for: the reply's status, whether it has a body, and for a 404
 *  where the path is in the head. */
export class Request {
  status = 400;
  withBody = true;
  pathStart = 0;
  pathEnd = 0;

  /** Reads the request line of `head` (bytes up to and including the blank line; a
   *  length of 0 for a head that never came whole) into this object: what the pattern
   *  `METHOD SP TARGET SP HTTP/1.d` (method of tchar, target without whitespace) on the
   *  first line, less a CR before its LF, gives. */
  parse(head: Uint8Array, length: number): void {
    this.status = 400;
    this.withBody = true;
    let end = 0;
    while (end < length && head[end] !== 10) end++;
    if (end === length) return;
    if (end > 0 && head[end - 1] === 13) end--;
    let i = 0;
    while (i < end && TCHAR[head[i]]) i++;
    if (i === 0 || i === end || head[i] !== 32) return;
    const methodEnd = i++;
    const targetStart = i;
    while (i < end && !isSpace(head[i])) i++;
    if (i === targetStart || end - i !== 9 || head[i] !== 32 || head[i + 1] !== 72 || head[i + 2] !== 84
      || head[i + 3] !== 84 || head[i + 4] !== 80 || head[i + 5] !== 47 || head[i + 6] !== 49 || head[i + 7] !== 46
      || head[i + 8] < 48 || head[i + 8] > 57) return; // " HTTP/1." and a digit
    const targetEnd = i;
    const isGet = methodEnd === 3 && head[0] === 71 && head[1] === 69 && head[2] === 84;
    const isHead = methodEnd === 4 && head[0] === 72 && head[1] === 69 && head[2] === 65 && head[3] === 68;
    if (!isGet && !isHead) {
      this.status = 405;
      this.withBody = false;
      return;
    }
    let pathEnd = targetStart;
    while (pathEnd < targetEnd && head[pathEnd] !== 63) pathEnd++; // up to '?'
    this.pathStart = targetStart;
    this.pathEnd = pathEnd;
    this.status = pathEnd - targetStart === 1 && head[targetStart] === 47 ? 200 : 404;
    this.withBody = !isHead;
  }
}

// The replies' fixed text, encoded once.
const HTTP_1_1 = asciiBytes('HTTP/1.1 ');
const REASON_200 = asciiBytes(' OK');
const REASON_400 = asciiBytes(' Bad Request');
const REASON_404 = asciiBytes(' Not Found');
const REASON_405 = asciiBytes(' Method Not Allowed');
const CONTENT_LENGTH = asciiBytes('\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Length: ');
const CACHE_CONTROL = asciiBytes('\r\nCache-Control: no-store\r\n');
const ALLOW = asciiBytes('Allow: GET, HEAD\r\n');
const CONNECTION_CLOSE = asciiBytes('Connection: close\r\n\r\n');
const NO_PAGE = asciiBytes('no page ');
const ONLY_GET_AND_HEAD = asciiBytes('only GET and HEAD\n');
const BAD_REQUEST = asciiBytes('bad request\n');

/** Room before a reply's body for its head (the longest head is under 200 bytes). */
const HEAD_ROOM = 256;

const enum Phase {
  /** Collecting the request head. */
  Head,
  /** Answered, waiting for the reply buffer. */
  Waiting,
  /** Writing the reply from the reply buffer. */
  Sending,
  /** Closed, or failed. */
  Done,
}

/** One connection slot's request, as the shared reply buffer sees it. */
interface Exchange {
  waiting: boolean;
  ticket: number;
  /** Takes the reply buffer: renders the reply and starts writing it. */
  start(): void;
}

export function http(ctx: ServiceContext, port: number, name = 'http'): Service {
  const stats = new ServiceStats();
  const started = ctx.scheduler.now();
  const scratch = new Uint8Array(1460);
  const page = new StatusPage(ctx.layer.stack);
  const reply = new AsciiWriter(new Uint8Array(HEAD_ROOM + Math.max(page.capacity, 16 + MAX_HEAD)));
  const replyHead = new AsciiWriter(new Uint8Array(HEAD_ROOM));
  /** The reply in the buffer: its first byte and the end of what is sent. */
  let replyStart = 0;
  let replyEnd = 0;
  let owner: Exchange | undefined;
  const exchanges: Exchange[] = [];
  let tickets = 0;

  /** Writes the reply to `request` (whose head is `head`) into the reply buffer. */
  function render(request: Request, head: Uint8Array): void {
    const status = request.status;
    reply.pos = HEAD_ROOM;
    if (status === 200) page.render(reply, ctx.scheduler.now() - started);
    else if (status === 404) {
      reply.put(NO_PAGE);
      reply.copy(head, request.pathStart, request.pathEnd);
      reply.byte(10);
    } else if (status === 405) reply.put(ONLY_GET_AND_HEAD);
    else reply.put(BAD_REQUEST);
    const h = replyHead;
    h.pos = 0;
    h.put(HTTP_1_1);
    h.decimal(status);
    h.put(status === 200 ? REASON_200 : status === 404 ? REASON_404 : status === 405 ? REASON_405 : REASON_400);
    h.put(CONTENT_LENGTH);
    h.decimal(reply.pos - HEAD_ROOM);
    h.put(CACHE_CONTROL);
    if (status === 405) h.put(ALLOW);
    h.put(CONNECTION_CLOSE);
    replyStart = HEAD_ROOM - h.pos;
    for (let i = 0; i < h.pos; i++) reply.bytes[replyStart + i] = h.bytes[i];
    replyEnd = request.withBody ? reply.pos : HEAD_ROOM;
  }

  /** The reply buffer is free: the request that has waited longest gets it. */
  function release(): void {
    owner = undefined;
    let next: Exchange | undefined;
    for (let i = 0; i < exchanges.length; i++) {
      const e = exchanges[i];
      if (e.waiting && (next === undefined || e.ticket - next.ticket < 0)) next = e;
    }
    next?.start();
  }

  return listenService(ctx, name, port, stats, (): Handler => {
    const head = new Uint8Array(MAX_HEAD);
    const request = new Request();
    let headLength = 0;
    let phase = Phase.Head;
    let sent = 0;
    let socket: TCPSocket | undefined;
    const exchange: Exchange = {
      waiting: false,
      ticket: 0,
      start() {
        exchange.waiting = false;
        owner = exchange;
        phase = Phase.Sending;
        render(request, head);
        sent = replyStart;
        send(socket as TCPSocket);
      },
    };
    exchanges.push(exchange);

    function drain(s: TCPSocket): void {
      for (let got = s.read(scratch); got > 0; got = s.read(scratch)) stats.bytesIn += got;
    }
    /** The head is complete (`length` bytes), or never will be (0): answer it. */
    function answer(s: TCPSocket, length: number): void {
      request.parse(head, length);
      drain(s);
      if (owner === undefined) exchange.start();
      else {
        phase = Phase.Waiting;
        exchange.waiting = true;
        exchange.ticket = tickets;
        tickets = (tickets + 1) | 0;
      }
    }
    function send(s: TCPSocket): void {
      if (phase !== Phase.Sending) return;
      if (sent < replyEnd) {
        const put = s.write(reply.bytes, sent, replyEnd - sent);
        sent += put;
        stats.bytesOut += put;
      }
      if (sent === replyEnd) {
        drain(s);
        phase = Phase.Done;
        stats.closed++;
        s.close();
        release();
      }
    }
    return {
      onStart() {
        headLength = 0;
        phase = Phase.Head;
        sent = 0;
        exchange.waiting = false;
      },
      onReadable() {
        socket = this;
        if (phase === Phase.Done) return;
        if (phase !== Phase.Head) { drain(this); return; }
        const got = this.read(head, headLength, MAX_HEAD - headLength);
        stats.bytesIn += got;
        headLength += got;
        const end = headEnd(head, headLength);
        if (end >= 0) answer(this, end);
        else if (headLength === MAX_HEAD) answer(this, 0); // too long: 400
      },
      onWritable() {
        socket = this;
        send(this);
      },
      onEnd() {
        socket = this;
        // The client closed before finishing its head.
        if (phase !== Phase.Head) return;
        if (headLength === 0) {
          phase = Phase.Done;
          stats.closed++;
          this.close();
        } else answer(this, 0);
      },
      onError() {
        stats.errors++;
        exchange.waiting = false;
        const owned = phase === Phase.Sending;
        phase = Phase.Done;
        if (owned) release();
      },
    };
  });
}
