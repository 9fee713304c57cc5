// http: a minimal HTTP/1.1 server for the status page. It reads the request head (it may
// arrive in many segments), answers GET / (and HEAD /) with the status page (status.ts),
// 404 for any other path, 405 for other methods and 400 for a malformed head or a request
// line over MAX_REQUEST_LINE bytes, then closes first, so the server side ends in
// TIME-WAIT. Only the request line is kept; the header lines are read and dropped as they
// come (any number of them), as are bytes after the head: a close with unread data would
// be a RST instead of a FIN.
//
// Nothing is allocated per request, and no reply is kept whole: every connection's
// request line has its place in one buffer made at start-up, and a reply is written as ASCII bytes
// into the pool's scratch buffer a window at a time, as the send buffer takes it, the
// whole reply rendered again each time from the status page's snapshot (status.ts), so
// every window is of the same text. One reply is sent at a time (there is one snapshot):
// a request that comes while another reply is being written waits (its head kept, later
// bytes dropped) until that one is all in its socket's send buffer, then gets its own.
import { TCPSocket } from '../tcp/socket';
import { AsciiWriter, asciiBytes } from './ascii';
import { STATE_WORDS } from './pool';
import { PooledService, ServiceContext } from './service';
import { StatusPage } from './status';

/** The longest request line accepted, CRLF included: the path of a 404 is written back
 *  from it, so each connection keeps its line (the headers are not kept). */
export const MAX_REQUEST_LINE = 128;

/** A scan for the blank line that ends a head, one byte at a time: the state after byte
 *  `b` in state `state`. Bare LF line ends are accepted too (RFC 9112 §2.2), for people
 *  typing into nc. */
const enum HeadScan { InLine, AfterLf, AfterLfCr, Ended }
function headScan(state: HeadScan, b: number): HeadScan {
  if (state === HeadScan.Ended) return state;
  if (b === 10) return state === HeadScan.InLine ? HeadScan.AfterLf : HeadScan.Ended;
  return b === 13 && state === HeadScan.AfterLf ? HeadScan.AfterLfCr : HeadScan.InLine;
}

/** Where the head in `bytes` (its first `length`) ends, just past the blank line, or -1 if
 *  it has not yet. */
export function headEnd(bytes: Uint8Array, length: number): number {
  let state = HeadScan.InLine;
  for (let i = 0; i < length; i++) {
    state = headScan(state, bytes[i]);
    if (state === HeadScan.Ended) return i + 1;
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

  /** Reads the request line in bytes `start` to `end` (up to and including its LF; empty
   *  for a head that never came whole or a line too long) into this object: what the
   *  pattern `METHOD SP TARGET SP HTTP/1.d` (method of tchar, target without whitespace)
   *  on the first line, less a CR before its LF, gives. */
  parse(bytes: Uint8Array, start: number, end: number): void {
    this.status = 400;
    this.withBody = true;
    let lineEnd = start;
    while (lineEnd < end && bytes[lineEnd] !== 10) lineEnd++;
    if (lineEnd === end) return;
    if (lineEnd > start && bytes[lineEnd - 1] === 13) lineEnd--;
    let i = start;
    while (i < lineEnd && TCHAR[bytes[i]]) i++;
    if (i === start || i === lineEnd || bytes[i] !== 32) return;
    const methodLength = i++ - start;
    const targetStart = i;
    while (i < lineEnd && !isSpace(bytes[i])) i++;
    if (i === targetStart || lineEnd - i !== 9 || bytes[i] !== 32 || bytes[i + 1] !== 72 || bytes[i + 2] !== 84
      || bytes[i + 3] !== 84 || bytes[i + 4] !== 80 || bytes[i + 5] !== 47 || bytes[i + 6] !== 49 || bytes[i + 7] !== 46
      || bytes[i + 8] < 48 || bytes[i + 8] > 57) return; // " HTTP/1." and a digit
    const targetEnd = i;
    const m = start;
    const isGet = methodLength === 3 && bytes[m] === 71 && bytes[m + 1] === 69 && bytes[m + 2] === 84;
    const isHead = methodLength === 4 && bytes[m] === 72 && bytes[m + 1] === 69 && bytes[m + 2] === 65 && bytes[m + 3] === 68;
    if (!isGet && !isHead) {
      this.status = 405;
      this.withBody = false;
      return;
    }
    let pathEnd = targetStart;
    while (pathEnd < targetEnd && bytes[pathEnd] !== 63) pathEnd++; // up to '?'
    this.pathStart = targetStart;
    this.pathEnd = pathEnd;
    this.status = pathEnd - targetStart === 1 && bytes[targetStart] === 47 ? 200 : 404;
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

const enum Phase {
  /** Collecting the request head. */
  Head,
  /** Answered, waiting for its turn to send. */
  Waiting,
  /** Writing the reply. */
  Sending,
  /** Closed, or failed. */
  Done,
}

/** Http's fields in a connection's row of the pool's state. lineLength: bytes of its request-line buffer
 *  filled; lineEnd: where the line ends (just past its LF), 0 while unknown; scan: the
 *  head scan's state (HeadScan); sent: bytes of the reply written to the socket; ticket:
 *  its place in the queue while Waiting. All 0 at the start: Phase.Head, HeadScan.InLine. */
const enum Row { phase, lineLength, lineEnd, scan, sent, ticket }

/** Count only: an AsciiWriter origin past any text, so no byte is kept. */
const COUNT = Infinity;

export class Http extends PooledService {
  private readonly started: number;
  /** Every connection's request line, connection `conn`'s from conn × MAX_REQUEST_LINE. */
  private readonly lines: Uint8Array;
  private readonly page: StatusPage;
  /** Writes the reply being sent into the pool's scratch buffer, a window at a time. */
  private readonly out: AsciiWriter;
  private readonly request = new Request();
  /** The connection whose reply is being sent, or -1. */
  private owner = -1;
  /** That reply's body length, and whole length (head, and the body unless HEAD). */
  private bodyLength = 0;
  private replyLength = 0;
  private tickets = 0;

  constructor(private readonly ctx: ServiceContext, port: number, name = 'http') {
    super(ctx, name, port);
    this.started = ctx.scheduler.now();
    this.lines = new Uint8Array(this.pool.size * MAX_REQUEST_LINE);
    this.page = new StatusPage(ctx.layer.stack);
    this.out = new AsciiWriter(this.pool.scratch);
  }

  onReadable(socket: TCPSocket, conn: number): void {
    const state = this.pool.state;
    const row = conn * STATE_WORDS;
    const phase = state[row + Row.phase];
    if (phase === Phase.Done) return;
    if (phase !== Phase.Head) { this.drain(socket); return; }
    if (state[row + Row.lineEnd] === 0) {
      // The request line, into its buffer (with whatever follows it in this read).
      const lineStart = conn * MAX_REQUEST_LINE;
      const length = state[row + Row.lineLength];
      const got = socket.read(this.lines, lineStart + length, MAX_REQUEST_LINE - length);
      this.stats.bytesIn += got;
      state[row + Row.lineLength] = length + got;
      if (this.scanHead(row, this.lines, lineStart + length, got, length)) { this.answer(socket, conn); return; }
      if (state[row + Row.lineEnd] === 0) {
        if (length + got === MAX_REQUEST_LINE) this.answer(socket, conn); // too long: 400
        return;
      }
    }
    // The header lines: read and dropped, watching for the blank line.
    const scratch = this.pool.scratch;
    for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) {
      this.stats.bytesIn += got;
      if (this.scanHead(row, scratch, 0, got, -1)) { this.answer(socket, conn); return; }
    }
  }

  onEnd(socket: TCPSocket, conn: number): void {
    const row = conn * STATE_WORDS;
    // The client closed before finishing its head.
    if (this.pool.state[row + Row.phase] !== Phase.Head) return;
    if (this.pool.state[row + Row.lineLength] === 0) {
      this.pool.state[row + Row.phase] = Phase.Done;
      this.stats.closed++;
      socket.close();
    } else {
      this.pool.state[row + Row.lineEnd] = 0; // never whole: 400
      this.answer(socket, conn);
    }
  }

  onError(_socket: TCPSocket, conn: number): void {
    this.stats.errors++;
    const row = conn * STATE_WORDS;
    const owned = this.pool.state[row + Row.phase] === Phase.Sending;
    this.pool.state[row + Row.phase] = Phase.Done;
    if (!owned) return;
    this.owner = -1;
    const next = this.longestWaiting();
    if (next < 0) return;
    this.start(next);
    this.onWritable(this.pool.sockets[next], next);
  }

  /** Runs the head scan of connection row `row` over `count` bytes of `bytes` from `from`;
   *  true once the head has ended. `lineOffset` is where `from` is in the request line
   *  (-1 past it): the line's end is noted at its first LF. */
  private scanHead(row: number, bytes: Uint8Array, from: number, count: number, lineOffset: number): boolean {
    const state = this.pool.state;
    let scan = state[row + Row.scan];
    for (let i = 0; i < count; i++) {
      scan = headScan(scan, bytes[from + i]);
      if (scan === HeadScan.Ended) return true;
      if (scan === HeadScan.AfterLf && lineOffset >= 0 && state[row + Row.lineEnd] === 0) {
        state[row + Row.lineEnd] = lineOffset + i + 1;
      }
    }
    state[row + Row.scan] = scan;
    return false;
  }

  /** The head is complete, or never will be (lineEnd 0, or a line too long: 400): answer
   *  it, now or when the reply being sent is done. */
  private answer(socket: TCPSocket, conn: number): void {
    const row = conn * STATE_WORDS;
    this.pool.state[row + Row.phase] = Phase.Waiting;
    this.drain(socket);
    if (this.owner < 0) {
      this.start(conn);
      this.onWritable(socket, conn);
    } else {
      this.pool.state[row + Row.ticket] = this.tickets;
      this.tickets = (this.tickets + 1) | 0;
    }
  }

  /** Connection `conn`'s turn: reads its request line, takes the snapshot its reply shows
   *  and measures the reply; the caller then sends it (not from here: one frame less on
   *  the XS stack under socket.write, whose call chain into the stack is deep). */
  private start(conn: number): void {
    const lineStart = conn * MAX_REQUEST_LINE;
    this.owner = conn;
    this.pool.state[conn * STATE_WORDS + Row.phase] = Phase.Sending;
    this.request.parse(this.lines, lineStart, lineStart + this.pool.state[conn * STATE_WORDS + Row.lineEnd]);
    if (this.request.status === 200) this.page.snapshot(this.ctx.scheduler.now() - this.started);
    const out = this.out;
    out.restart(COUNT);
    this.writeBody(out);
    this.bodyLength = out.pos;
    out.restart(COUNT);
    this.writeHead(out);
    this.replyLength = out.pos + (this.request.withBody ? this.bodyLength : 0);
  }

  /** Writes as much of the reply as the send buffer takes, a window of it at a time;
   *  closes once it is all written, then starts the reply of the request that has waited
   *  longest, in this same loop (not a nested call: the XS stack under socket.write is
   *  deep). Called as the socket's onWritable, and to start a reply. */
  onWritable(socket: TCPSocket, conn: number): void {
    const out = this.out;
    for (;;) {
      const row = conn * STATE_WORDS;
      if (this.pool.state[row + Row.phase] !== Phase.Sending) return;
      let sent = this.pool.state[row + Row.sent];
      while (sent < this.replyLength) {
        out.restart(sent);
        this.writeHead(out);
        if (this.request.withBody) this.writeBody(out);
        const window = Math.min(this.replyLength - sent, out.bytes.length);
        const put = socket.write(out.bytes, 0, window);
        sent += put;
        this.stats.bytesOut += put;
        if (put < window) break;
      }
      this.pool.state[row + Row.sent] = sent;
      if (sent < this.replyLength) return;
      this.drain(socket);
      this.pool.state[row + Row.phase] = Phase.Done;
      this.stats.closed++;
      socket.close();
      this.owner = -1;
      conn = this.longestWaiting();
      if (conn < 0) return;
      this.start(conn);
      socket = this.pool.sockets[conn];
    }
  }

  /** The connection whose request has waited longest for its turn, or -1. */
  private longestWaiting(): number {
    const state = this.pool.state;
    let next = -1;
    for (let conn = 0; conn < this.pool.size; conn++) {
      const row = conn * STATE_WORDS;
      if (state[row + Row.phase] !== Phase.Waiting || !this.pool.serves(conn, this)) continue;
      if (next < 0 || state[row + Row.ticket] - state[next * STATE_WORDS + Row.ticket] < 0) next = conn;
    }
    return next;
  }

  private writeHead(out: AsciiWriter): void {
    const status = this.request.status;
    out.put(HTTP_1_1);
    out.decimal(status);
    out.put(status === 200 ? REASON_200 : status === 404 ? REASON_404 : status === 405 ? REASON_405 : REASON_400);
    out.put(CONTENT_LENGTH);
    out.decimal(this.bodyLength);
    out.put(CACHE_CONTROL);
    if (status === 405) out.put(ALLOW);
    out.put(CONNECTION_CLOSE);
  }

  private writeBody(out: AsciiWriter): void {
    const request = this.request;
    const status = request.status;
    if (status === 200) this.page.render(out);
    else if (status === 404) {
      out.put(NO_PAGE);
      out.copy(this.lines, request.pathStart, request.pathEnd);
      out.byte(10);
    } else if (status === 405) out.put(ONLY_GET_AND_HEAD);
    else out.put(BAD_REQUEST);
  }

  private drain(socket: TCPSocket): void {
    const scratch = this.pool.scratch;
    for (let got = socket.read(scratch); got > 0; got = socket.read(scratch)) this.stats.bytesIn += got;
  }
}
