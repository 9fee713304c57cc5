// The example services (firmware/apps) on the engine with a virtual clock: exact bytes
// back for echo under flow control, source's pattern, discard's count, http's answers to
// whole and split requests, hold's RST when it closes on unread data, closer's FIN.
import assert from 'node:assert/strict';
import { Count, counterNames } from '../firmware/tcp/counters';
import { StackConfig } from '../firmware/tcp/config';
import { SocketLayer } from '../firmware/tcp/socket';
import { ACK, FIN, RST } from '../firmware/tcp/wire';
import { Cancel, Scheduler } from '../firmware/apps/scheduler';
import { Service, ServiceContext } from '../firmware/apps/service';
import { ServiceSpecError, checkServiceSpec, startService } from '../firmware/apps/services';
import { checkPattern, patternByte } from '../firmware/apps/pattern';
import { MAX_REQUEST_LINE, headEnd } from '../firmware/apps/http';
import { asciiBytes } from '../firmware/apps/ascii';
import { statusText } from '../firmware/apps/status';
import { Stack } from '../firmware/tcp/stack';
import { formatIpv4 } from '../firmware/tcp/wire';
import { Bench, Client, flagString, sentMs } from './support/net';
import { SentSegment } from '../host/pkt/segments';
import { Prng } from '../host/prng';

/** App timers on the bench's virtual clock. */
class VirtualScheduler implements Scheduler {
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  constructor(private readonly bench: Bench) {}
  now(): number { return this.bench.clock.time; }
  after(ms: number, fn: () => void): Cancel {
    const timer = { at: this.now() + ms, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => { timer.live = false; } };
  }
  /** Advances the clock by `ms`, running app timers and stack timers in time order. */
  advance(ms: number): SentSegment[] {
    const target = this.now() + ms;
    const out: SentSegment[] = [];
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      out.push(...this.bench.advance(next.at - this.now()));
      next.live = false;
      next.fn();
      out.push(...this.bench.take());
    }
    out.push(...this.bench.advance(target - this.now()));
    return out;
  }
}

function setup(spec: string, config: Partial<StackConfig> = {}) {
  const bench = new Bench({ mss: 536, ...config });
  const layer = new SocketLayer(bench.stack);
  const scheduler = new VirtualScheduler(bench);
  const service = startService({ layer, scheduler }, 80, spec);
  return { bench, layer, scheduler, service };
}

/** A client that keeps to the window the server offers, takes the server's bytes in
 *  order and ACKs them, as a real TCP would (on a lossless link). */
class Peer {
  readonly received: number[] = [];
  fin = false;
  rst = false;
  private serverAcked: number;
  private window: number;
  private pendingAck = false;

  /** Connects: SYN, SYN-ACK, ACK (whatever the service sends at accept is taken in). */
  constructor(readonly bench: Bench, readonly c: Client, readonly sched: VirtualScheduler) {
    const [synAck] = c.segment(0x02, { mss: 1460, ack: 0 });
    assert.equal(flagString(synAck.flags), 'S.');
    c.serverIsn = synAck.seq;
    c.seq = (c.seq + 1) >>> 0;
    c.ack = (synAck.seq + 1) >>> 0;
    this.serverAcked = c.seq;
    this.window = synAck.window;
    this.take(c.segment(ACK));
  }

  take(replies: SentSegment[]): void {
    for (const s of replies) {
      if (s.flags & RST) { this.rst = true; continue; }
      if (s.flags & ACK) { this.serverAcked = s.ack; this.window = s.window; }
      if (s.payload.length > 0 && s.seq === this.c.ack) {
        this.received.push(...s.payload);
        this.c.ack = (this.c.ack + s.payload.length) >>> 0;
        this.pendingAck = true;
      }
      if ((s.flags & FIN) && ((s.seq + s.payload.length) >>> 0) === this.c.ack) {
        this.c.ack = (this.c.ack + 1) >>> 0;
        this.fin = true;
        this.pendingAck = true;
      }
    }
  }

  /** Sends `payload` (then FIN if asked), ACKing everything, until `done()` or the step limit. */
  run(payload: Uint8Array, sendFin: boolean, done: () => boolean, segment = 536): void {
    let offset = 0;
    let finSent = false;
    for (let step = 0; step < 20000 && !done() && !this.rst; step++) {
      const room = ((this.serverAcked + this.window - this.c.seq) | 0);
      if (offset < payload.length && room > 0) {
        const n = Math.min(room, segment, payload.length - offset);
        this.take(this.c.write(payload.subarray(offset, offset + n)));
        offset += n;
      } else if (offset === payload.length && sendFin && !finSent) {
        finSent = true;
        this.take(this.c.fin());
      } else if (this.pendingAck) {
        this.pendingAck = false;
        this.take(this.c.segment(ACK));
      } else {
        this.take(this.sched.advance(100)); // wait for delayed ACKs, window updates, timers
      }
    }
  }
}

const patterned = (n: number, seed = 1) => {
  const b = new Uint8Array(n);
  new Prng(seed).fill(b);
  return b;
};

/** The status page as it was written with strings, from Stack.connections() and usage():
 *  the byte-written page must read the same. */
function referenceStatusText(stack: Stack, uptimeMs: number): string {
  const pad = (text: string | number, width: number) => String(text).padEnd(width);
  const config = stack.config;
  const usage = stack.usage();
  const rows = stack.connections();
  const lines = [`slotcp ${formatIpv4(config.localAddr)}  up ${Math.floor(uptimeMs / 1000)} s`,
    `slots ${usage.slotsInUse}/${config.slots} in use, TIME-WAIT ${usage.timeWait}/${config.timeWaitCapacity}`,
    '', 'connections', `${pad('local', 7)}${pad('remote', 22)}${pad('state', 13)}${pad('rx', 7)}tx`];
  for (const row of rows.filter((r) => r.handle >= 0)) {
    lines.push(`${pad(row.localPort, 7)}${pad(`${formatIpv4(row.remoteAddr)}:${row.remotePort}`, 22)}`
      + `${pad(row.state, 13)}${pad(row.rxQueued, 7)}${row.txQueued}`);
  }
  const timeWait = rows.filter((r) => r.handle < 0);
  lines.push('', `time-wait (${timeWait.length})`);
  for (const row of timeWait) lines.push(`${pad(row.localPort, 7)}${formatIpv4(row.remoteAddr)}:${row.remotePort}`);
  lines.push('', 'counters');
  const counters = stack.counters as unknown as Record<string, number>;
  for (const name of counterNames) lines.push(`${pad(name, 25)} ${counters[name]}`);
  return lines.join('\n') + '\n';
}

describe('example services (firmware/apps)', () => {
  it('echo returns every byte, in order, when the send buffer is smaller than the data', () => {
    const { bench, scheduler, service } = setup('echo', { rxBytes: 1072, txBytes: 300 });
    const peer = new Peer(bench, new Client(bench, 80), scheduler);
    const payload = patterned(20000);
    peer.run(payload, true, () => peer.fin);
    assert.equal(peer.rst, false);
    assert.equal(peer.received.length, payload.length);
    assert.deepEqual(Uint8Array.from(peer.received), payload);
    assert.equal(peer.fin, true, 'echo closes after the client closed and all was echoed');
    assert.deepEqual({ ...service.stats }, { accepted: 1, closed: 1, errors: 0, bytesIn: 20000, bytesOut: 20000 });
    peer.take(peer.c.segment(ACK));
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 0 }, 'passive close: LAST-ACK → CLOSED');
  });

  it('echo stops reading while its send buffer is full, so the window closes (flow control)', () => {
    const { bench, scheduler } = setup('echo', { rxBytes: 1072, txBytes: 300 });
    const c = new Client(bench, 80);
    const peer = new Peer(bench, c, scheduler);
    c.window = 0; // the client reads nothing: our echo data cannot leave
    peer.take(c.write(patterned(536)));
    const replies = c.write(patterned(536, 2));
    peer.take(replies);
    const h = bench.stack.connections()[0].handle;
    assert.equal(bench.stack.available(h), 1072 - 300, 'only what fits in the send buffer was read');
    // 300 bytes free is less than min(rx/2, MSS): receiver SWS avoidance keeps it at 0.
    assert.deepEqual(replies.map((s) => [flagString(s.flags), s.window]), [['.', 0]]);
    c.window = 65535; // the client reads again: everything comes back, in order
    peer.run(new Uint8Array(0), true, () => peer.fin);
    assert.deepEqual(Uint8Array.from(peer.received), Uint8Array.from([...patterned(536), ...patterned(536, 2)]));
  });

  it('discard counts every byte and closes after the client does', () => {
    const { bench, scheduler, service } = setup('discard');
    const peer = new Peer(bench, new Client(bench, 80), scheduler);
    peer.run(patterned(10000), true, () => peer.fin);
    assert.equal(peer.received.length, 0);
    assert.deepEqual({ ...service.stats }, { accepted: 1, closed: 1, errors: 0, bytesIn: 10000, bytesOut: 0 });
  });

  it('source:N sends exactly N pattern bytes, then FIN; the server ends in TIME-WAIT', () => {
    const { bench, scheduler, service } = setup('source:70000', { txBytes: 2000 });
    const peer = new Peer(bench, new Client(bench, 80), scheduler);
    peer.run(new Uint8Array(0), false, () => peer.fin);
    assert.equal(peer.received.length, 70000);
    assert.equal(checkPattern(Uint8Array.from(peer.received), 0), -1);
    peer.take(peer.c.fin());
    peer.take(peer.c.segment(ACK));
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 1 });
    assert.equal(service.stats.bytesOut, 70000);
  });

  it('the source pattern differs at every shift a lost or doubled segment would make', () => {
    const window = Array.from({ length: 4096 }, (_, i) => patternByte(100000 + i));
    for (const shift of [1, 256, 536, 1460, 65536]) {
      const shifted = Array.from({ length: 4096 }, (_, i) => patternByte(100000 + shift + i));
      assert.notDeepEqual(shifted, window, `shift ${shift}`);
    }
  });

  it('http answers GET / split over three segments with the status page, then closes first', () => {
    const { bench, scheduler } = setup('http', { txBytes: 1072 });
    const c = new Client(bench, 80, 40001);
    const peer = new Peer(bench, c, scheduler);
    for (const part of ['GE', 'T / HTTP/1.1\r\nHost: 192.0', '.2.2\r\n\r\n']) peer.take(c.write(part));
    peer.run(new Uint8Array(0), false, () => peer.fin);
    const text = new TextDecoder().decode(Uint8Array.from(peer.received));
    const split = text.indexOf('\r\n\r\n') + 4;
    const head = text.slice(0, split);
    const body = text.slice(split);
    assert.match(head, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain; charset=us-ascii\r\n/);
    assert.equal(Number(/Content-Length: (\d+)/.exec(head)?.[1]), body.length);
    assert.match(body, /^slotcp 192\.0\.2\.2 {2}up 0 s\nslots 1\/4 in use, TIME-WAIT 0\/16\n/);
    assert.match(body, /\n80 {5}192\.0\.2\.1:40001 {7}ESTABLISHED {2}0 {6}0\n/);
    assert.match(body, /\ncounters\npacketsIn {17}\d+\n/);
    assert.equal(body.split('\n').filter((l) => /^[a-zA-Z0-9]+ +\d+$/.test(l)).length,
      Object.keys(bench.stack.counters.snapshot()).length, 'every counter listed');
    peer.take(c.fin());
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 1 }, 'server closed first: TIME-WAIT');
  });

  it('the status page, written as bytes, reads as the string rendering of connections() did', () => {
    const { bench, scheduler } = setup('hold:5000', { slots: 6, timeWaitCapacity: 3 });
    const early = [40001, 40002, 40003, 40004].map((p) => new Peer(bench, new Client(bench, 80, p), scheduler));
    const closing = scheduler.advance(5000); // hold closes them: FIN, then theirs: TIME-WAIT records, one evicted
    for (const peer of early) peer.take(closing.filter((s) => s.dstPort === peer.c.port));
    for (const peer of early) peer.c.fin();
    const late = new Peer(bench, new Client(bench, 80, 50001), scheduler);
    late.c.write('some unread bytes');
    new Peer(bench, new Client(bench, 80, 50002), scheduler);
    bench.stack['core'].count[Count.packetsIn] += 4_000_000_000; // a ten-digit Counter32
    const rows = bench.stack.connections();
    assert.deepEqual([rows.filter((r) => r.handle < 0).length, rows.filter((r) => r.handle >= 0 && r.rxQueued > 0).length], [3, 1]);
    for (const uptime of [0, 999, 1000, 86_400_123]) {
      assert.equal(statusText(bench.stack, uptime), referenceStatusText(bench.stack, uptime));
    }
  });

  it('http: requests at once get their own whole replies, one after another from the one reply buffer', () => {
    const { bench, scheduler, service } = setup('http', { txBytes: 536 });
    const peers = [40001, 40002, 40003].map((p) => new Peer(bench, new Client(bench, 80, p), scheduler));
    // Every segment goes to the peer it is addressed to.
    const route = (sent: SentSegment[]) => { for (const s of sent) peers.find((p) => p.c.port === s.dstPort)?.take([s]); };
    route(peers[0].c.write('GET / HTTP/1.1\r\n\r\n'));
    route(peers[1].c.write('GET /second HTTP/1.1\r\n\r\n'));
    route(peers[2].c.write('HEAD / HTTP/1.1\r\n\r\n'));
    for (let step = 0; step < 200 && !peers.every((p) => p.fin); step++) {
      for (const peer of peers) route(peer.c.segment(ACK));
      route(scheduler.advance(100));
    }
    const texts = peers.map((p) => new TextDecoder().decode(Uint8Array.from(p.received)));
    assert.match(texts[0], /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslotcp 192\.0\.2\.2 [^]*\ncounters\n[^]*\n$/);
    const length = Number(/Content-Length: (\d+)/.exec(texts[0])?.[1]);
    assert.equal(texts[0].length - texts[0].indexOf('\r\n\r\n') - 4, length);
    assert.match(texts[1], /^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nno page \/second\n$/);
    assert.match(texts[2], /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n\r\n$/);
    assert.equal(service.stats.closed, 3);
  });

  const ask = (request: string, config: Partial<StackConfig> = {}) => {
    const { bench, scheduler, service } = setup('http', config);
    const c = new Client(bench, 80);
    const peer = new Peer(bench, c, scheduler);
    peer.run(asciiBytes(request), false, () => peer.fin);
    return { text: new TextDecoder().decode(Uint8Array.from(peer.received)), peer, service };
  };

  it('http: 404 for another path, 405 for another method, 400 for garbage, HEAD without body', () => {
    assert.match(ask('GET /nope HTTP/1.1\r\n\r\n').text, /^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nno page \/nope\n$/);
    assert.match(ask('POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc').text, /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Allow: GET, HEAD\r\n/);
    assert.match(ask('hello there\n\n').text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const head = ask('HEAD / HTTP/1.0\n\n');
    assert.match(head.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
    assert.equal(head.peer.rst, false);
  });

  it('http: a request line over MAX_REQUEST_LINE bytes gets 400; bytes after the head do not turn the close into RST', () => {
    const long = ask(`GET /${'x'.repeat(MAX_REQUEST_LINE)} HTTP/1.1\r\n\r\n`, { rxBytes: 4096 });
    assert.match(long.text, /^HTTP\/1\.1 400 /);
    assert.equal(long.peer.rst, false);
    assert.equal(long.peer.fin, true);
    const extra = ask('GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    assert.equal(extra.peer.rst, false);
    assert.equal(extra.service.stats.bytesIn, 36);
  });

  it('http: header lines are dropped as they come, however long, split anywhere', () => {
    const longest = `GET /${'x'.repeat(MAX_REQUEST_LINE - 16)} HTTP/1.1\r\n`;
    assert.equal(longest.length, MAX_REQUEST_LINE);
    assert.match(ask(`${longest}\r\n`).text, /^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nno page \/x+\n$/);
    const headers = Array.from({ length: 60 }, (_, i) => `X-Header-${i}: ${'v'.repeat(50)}\r\n`).join('');
    const big = ask(`GET / HTTP/1.1\r\nHost: 192.0.2.2\r\n${headers}\r\n`, { rxBytes: 1072 });
    assert.match(big.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(big.peer.rst, false);
    const { bench, scheduler } = setup('http');
    const c = new Client(bench, 80);
    const peer = new Peer(bench, c, scheduler);
    for (const part of ['GET /a HTTP/1.0\n', 'Host: x\r', '\n', '\r', '\n']) peer.take(c.write(part));
    peer.run(new Uint8Array(0), false, () => peer.fin);
    assert.match(new TextDecoder().decode(Uint8Array.from(peer.received)), /^HTTP\/1\.1 404 [^]*no page \/a\n$/);
  });

  it('http: a client that half-closes mid-request gets 400; one that sends nothing gets FIN', () => {
    const { bench, scheduler } = setup('http');
    const c = new Client(bench, 80);
    const peer = new Peer(bench, c, scheduler);
    peer.take(c.write('GET / HT'));
    peer.run(new Uint8Array(0), true, () => peer.fin);
    assert.match(new TextDecoder().decode(Uint8Array.from(peer.received)), /^HTTP\/1\.1 400 /);
    const quiet = new Peer(bench, new Client(bench, 80, 40002), scheduler);
    quiet.run(new Uint8Array(0), true, () => quiet.fin);
    assert.deepEqual(quiet.received, []);
  });

  it('headEnd finds CRLFCRLF and LFLF, and nothing in a partial head', () => {
    assert.equal(headEnd(asciiBytes('GET / HTTP/1.1\r\n\r\nx'), 19), 18);
    assert.equal(headEnd(asciiBytes('GET /\n\nx'), 8), 7);
    assert.equal(headEnd(asciiBytes('GET / HTTP/1.1\r\n\r'), 17), -1);
    assert.equal(headEnd(asciiBytes('GET / HTTP/1.1\r\nA: b\r\n\r\n'), 24), 24);
    assert.equal(headEnd(asciiBytes('GET /\n\r\r\n'), 9), -1);
  });

  it('hold:MS closes after MS: RST when data is unread, FIN when the client sent nothing', () => {
    const { bench, scheduler, service } = setup('hold:2000');
    const c = new Client(bench, 80);
    new Peer(bench, c, scheduler);
    c.write('unread');
    assert.deepEqual(scheduler.advance(1999).filter((s) => s.flags & (RST | FIN)), []);
    const at2000 = scheduler.advance(1);
    assert.deepEqual(at2000.map((s) => [flagString(s.flags), sentMs(s)]), [['R.', 2000]]);
    assert.equal(bench.stack.counters.resetsOnCloseUnread, 1);
    const quiet = new Client(bench, 80, 40002);
    new Peer(bench, quiet, scheduler);
    const later = scheduler.advance(2000);
    assert.deepEqual(later.map((s) => flagString(s.flags)), ['F.']);
    assert.deepEqual({ ...service.stats }, { accepted: 2, closed: 2, errors: 0, bytesIn: 0, bytesOut: 0 });
  });

  it('hold forgets its timer when the client resets first', () => {
    const { bench, scheduler, service } = setup('hold:2000');
    const c = new Client(bench, 80);
    new Peer(bench, c, scheduler);
    c.segment(RST);
    assert.deepEqual(scheduler.advance(3000), []);
    assert.deepEqual({ ...service.stats }, { accepted: 1, closed: 0, errors: 1, bytesIn: 0, bytesOut: 0 });
  });

  it('closer sends FIN right after the handshake and ends in TIME-WAIT', () => {
    const { bench, scheduler, service } = setup('closer');
    const peer = new Peer(bench, new Client(bench, 80), scheduler);
    assert.equal(peer.fin, true, 'FIN in reply to the handshake ACK');
    assert.deepEqual(peer.received, []);
    peer.take(peer.c.fin());
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 1 });
    assert.equal((service as Service).stats.closed, 1);
  });

  it('services on one context share one socket per slot: a connection holds one, whatever its port', () => {
    const bench = new Bench({ mss: 536, slots: 3 });
    const scheduler = new VirtualScheduler(bench);
    const ctx: ServiceContext = { layer: new SocketLayer(bench.stack), scheduler };
    const services = [startService(ctx, 7, 'echo'), startService(ctx, 19, 'source:3000'), startService(ctx, 80, 'http')];
    assert.equal(ctx.pool?.sockets.length, 3, 'one socket per slot, for all services together');
    const peers = [7, 19, 80].map((port, i) => new Peer(bench, new Client(bench, port, 40001 + i), scheduler));
    assert.equal(ctx.pool.sockets.filter((s) => s.inUse).length, 3, 'every slot busy, one port each');
    const route = (sent: SentSegment[]) => { for (const s of sent) peers.find((p) => p.c.port === s.dstPort)?.take([s]); };
    route(peers[0].c.write('hello'));
    route(peers[0].c.fin());
    route(peers[2].c.write('GET / HTTP/1.1\r\n\r\n'));
    for (let step = 0; step < 200 && !peers.every((p) => p.fin); step++) {
      for (const peer of peers) route(peer.c.segment(ACK));
      route(scheduler.advance(100));
    }
    assert.equal(new TextDecoder().decode(Uint8Array.from(peers[0].received)), 'hello');
    assert.equal(peers[1].received.length, 3000);
    assert.equal(checkPattern(Uint8Array.from(peers[1].received), 0), -1);
    assert.match(new TextDecoder().decode(Uint8Array.from(peers[2].received)), /^HTTP\/1\.1 200 OK\r\n[^]*\ncounters\n/);
    assert.deepEqual(services.map((s) => [s.stats.accepted, s.stats.closed, s.stats.errors]), [[1, 1, 0], [1, 1, 0], [1, 1, 0]]);
  });

  it("http's reply queue passes over another service's connection whose state row reads as waiting", () => {
    // The pool's state rows are shared: a held connection's first word (held = 1) is the
    // value of http's Phase.Waiting. When http finishes a reply it looks for the request
    // that waited longest; it must not take the hold connection's row for one (it did:
    // the http reply went into the hold connection, or its write threw).
    const bench = new Bench({ mss: 536, slots: 3, txBytes: 536 });
    const scheduler = new VirtualScheduler(bench);
    const ctx: ServiceContext = { layer: new SocketLayer(bench.stack), scheduler };
    const hold = startService(ctx, 9, 'hold:5000');
    const http = startService(ctx, 80, 'http');
    const held = new Peer(bench, new Client(bench, 9, 40001), scheduler);
    const asking = new Peer(bench, new Client(bench, 80, 40002), scheduler);
    const peers = [held, asking];
    const route = (sent: SentSegment[]) => { for (const s of sent) peers.find((p) => p.c.port === s.dstPort)?.take([s]); };
    route(asking.c.write('GET / HTTP/1.1\r\n\r\n'));
    for (let step = 0; step < 40 && !asking.fin; step++) {
      route(asking.c.segment(ACK));
      route(scheduler.advance(100));
    }
    assert.ok(asking.received.length > 536, 'the reply took more than one send buffer');
    assert.match(new TextDecoder().decode(Uint8Array.from(asking.received)), /^HTTP\/1\.1 200 OK\r\n[^]*\ncounters\n/);
    assert.equal(asking.fin, true);
    assert.deepEqual(held.received, [], 'nothing of the http reply reached the held connection');
    assert.equal(held.fin || held.rst, false);
    route(scheduler.advance(5000));
    assert.equal(held.fin, true, 'hold closes its connection at its time');
    assert.deepEqual([hold.stats.accepted, hold.stats.closed, hold.stats.errors], [1, 1, 0]);
    assert.deepEqual([http.stats.accepted, http.stats.closed, http.stats.errors], [1, 1, 0]);
  });

  it('checkServiceSpec names what is wrong', () => {
    for (const good of ['echo', 'discard', 'source:0', 'source:1048576', 'http', 'hold:2000', 'closer']) checkServiceSpec(good);
    const bad: [string, RegExp][] = [
      ['ftp', /unknown service 'ftp'/], ['echo:1', /bad service spec/], ['source', /source:BYTES must be/],
      ['source:-1', /source:BYTES must be/], ['hold:1.5', /hold:MS must be/], ['hold:5:6', /bad service spec/],
    ];
    for (const [spec, message] of bad) assert.throws(() => checkServiceSpec(spec), (e: Error) => e instanceof ServiceSpecError && message.test(e.message), spec);
  });
});
