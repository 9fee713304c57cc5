// ECMA-419's TCP socket and Listener (4th edition: §"TCP socket", §"TCP listener
// socket", the IO Class Pattern and Annex A), one rule a test, on slotcp's Listener and
// TCP (firmware/tcp/ecma419.ts). Also runs on XS (xs.test.ts).
import assert from 'node:assert/strict';
import { ConnectionErrors, Listener, TCP } from '../firmware/tcp/ecma419';
import { Tcb } from '../firmware/tcp/slots';
import { ACK } from '../firmware/tcp/wire';
import { SocketLayer } from '../firmware/tcp/socket';
import { Bench, Client, sentMs, wires } from './support/net';

function setup(config = {}) {
  const bench = new Bench(config);
  const layer = new SocketLayer(bench.stack);
  return { bench, layer };
}

/** A listener on port 80 whose connections are taken by `new TCP({from, ...options})`. */
function serve(bench: Bench, options: Record<string, unknown>, log: string[] = []) {
  const sockets: TCP[] = [];
  const listener = new Listener({
    port: 80,
    onReadable(count) {
      log.push(`requests ${count}`);
      for (let i = 0; i < count; i++) sockets.push(new TCP({ from: this.read(), ...options }));
    },
  });
  return { listener, sockets, log };
}

/** One client connected to `serve(bench, options)` with its SYN-ACK taken: the bench,
 *  the client and the server's TCP. */
function connectedSocket(options: Record<string, unknown>) {
  const { bench } = setup();
  const { sockets } = serve(bench, options);
  const c = new Client(bench, 80);
  c.connect();
  bench.take();
  return { bench, c, s: sockets[0] };
}

const text = (b: ArrayBuffer | number | undefined) => new TextDecoder().decode(b as ArrayBuffer);

describe('ECMA-419 Listener and TCP', () => {
  describe('Listener', () => {
    it('onReadable(requests) gets the count of pending connections; read() returns a connected TCP with no callbacks', () => {
      const { bench } = setup();
      const counts: number[] = [];
      const listener = new Listener({ port: 80, onReadable(n) { counts.push(n); } });
      new Client(bench, 80, 40001).connect();
      new Client(bench, 80, 40002).connect();
      assert.deepEqual(counts, [1, 2]);
      const a = listener.read() as TCP;
      assert.ok(a instanceof TCP);
      assert.equal(a.remotePort, 40001);
      assert.equal(a.state, 'ESTABLISHED');
      assert.equal((listener.read() as TCP).remotePort, 40002);
      assert.equal(listener.read(), undefined, 'none left');
    });

    it('port property; format is "socket/tcp" and nothing else; write() throws', () => {
      setup();
      const listener = new Listener({ port: 8080 });
      assert.equal(listener.port, 8080);
      assert.equal(listener.format, 'socket/tcp');
      listener.format = 'socket/tcp';
      assert.throws(() => { listener.format = 'buffer' as 'socket/tcp'; }, RangeError);
      assert.throws(() => listener.write(), Error);
      assert.throws(() => new Listener({ port: 81, format: 'buffer' as 'socket/tcp' }), RangeError);
    });

    it('bad options: not an object, port out of range, a callback that is not a function, another address', () => {
      setup();
      assert.throws(() => new Listener(undefined as never), TypeError);
      assert.throws(() => new Listener({ port: 70000 }), RangeError);
      assert.throws(() => new Listener({ port: 1.5 }), RangeError);
      assert.throws(() => new Listener({ port: 80, onReadable: 5 as never }), TypeError);
      assert.throws(() => new Listener({ port: 80, address: '10.9.9.9' }), /not this stack's address/);
      new Listener({ port: 80, address: '192.0.2.2' });
      new Listener({ port: 81, address: '0.0.0.0' });
    });

    it('slotcp difference: port 0 (an ephemeral port) is refused', () => {
      setup();
      assert.throws(() => new Listener({}), /needs a port/);
    });

    it('target is kept as given', () => {
      setup();
      const target = { any: 'thing' };
      assert.equal(new Listener({ port: 80, target }).target, target);
    });

    it('close(): connections not yet read are reset; afterwards read() and port throw; close() again does nothing', () => {
      const { bench } = setup();
      const listener = new Listener({ port: 80 });
      const c = new Client(bench, 80);
      c.connect();
      listener.close();
      assert.deepEqual(wires(c, bench.take()).map((w) => w.flags), ['R.']);
      assert.throws(() => listener.read(), /closed/);
      assert.throws(() => listener.port, /closed/);
      listener.close();
    });
  });

  describe('TCP', () => {
    it('new TCP({from}) takes the connection over; the original instance is closed', () => {
      const { bench } = setup();
      const listener = new Listener({ port: 80 });
      new Client(bench, 80).connect();
      const raw = listener.read() as TCP;
      const tcp = new TCP({ from: raw });
      assert.equal(tcp.state, 'ESTABLISHED');
      assert.throws(() => raw.read(), /closed/);
      assert.throws(() => raw.write(new Uint8Array(1)), /closed/);
    });

    it('no active open: without from it throws; from must be a TCP', () => {
      setup();
      assert.throws(() => new TCP({ address: '192.0.2.1', port: 80 }), /no active open/);
      assert.throws(() => new TCP({ from: {} as TCP }), TypeError);
      assert.throws(() => new TCP(undefined as never), /options must be an object/);
    });

    it('onWritable is first called after the constructor returns, at the next delivery, with the writable count', () => {
      const { bench } = setup({ txBytes: 2000 });
      const listener = new Listener({ port: 80 });
      new Client(bench, 80).connect();
      const seen: number[] = [];
      const tcp = new TCP({ from: listener.read(), onWritable(n) { seen.push(n); } });
      assert.deepEqual(seen, [], 'not from inside the constructor');
      assert.equal(bench.stack.nextDeadline(), bench.clock.time, 'a delivery is due now');
      bench.stack.poll();
      assert.deepEqual(seen, [2000]);
      assert.ok(tcp);
    });

    it('inside the listener\'s onReadable, the socket\'s first onWritable follows once that callback has returned', () => {
      const { bench } = setup();
      const log: string[] = [];
      let inside = false;
      new Listener({
        port: 80,
        onReadable() {
          inside = true;
          new TCP({ from: this.read(), onWritable(n) { log.push(`writable ${n} inside=${inside}`); } });
          inside = false;
        },
      });
      new Client(bench, 80).connect();
      assert.deepEqual(log, ['writable 1072 inside=false']);
    });

    it('onReadable(bytes) gets the count waiting; read() gives an ArrayBuffer of all of it, then undefined', () => {
      const { bench } = setup();
      const { sockets, log } = serve(bench, { onReadable(this: TCP, n: number) { log.push(`readable ${n}`); } });
      const c = new Client(bench, 80);
      c.connect();
      c.write('hello');
      assert.deepEqual(log, ['requests 1', 'readable 5']);
      const data = sockets[0].read();
      assert.ok(data instanceof ArrayBuffer);
      assert.equal(text(data), 'hello');
      assert.equal(sockets[0].read(), undefined);
    });

    it('read(byteLength): an ArrayBuffer of at most byteLength bytes; a byteLength that is not a positive integer throws', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      c.write('abcdef');
      const s = sockets[0];
      assert.equal(text(s.read(4)), 'abcd');
      assert.throws(() => s.read(0), RangeError);
      assert.throws(() => s.read(-1), RangeError);
      assert.throws(() => s.read(1.5), RangeError);
      assert.equal(text(s.read(100)), 'ef');
      assert.equal(s.read(1), undefined);
    });

    it('read(buffer): fills as many bytes as it can from any Byte Buffer and returns the count', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      c.write('0123456789');
      const s = sockets[0];
      const ab = new ArrayBuffer(3);
      assert.equal(s.read(ab), 3);
      assert.equal(text(ab), '012');
      const dv = new DataView(new ArrayBuffer(6), 2, 2);
      assert.equal(s.read(dv), 2);
      assert.equal(text(dv.buffer.slice(2, 4)), '34');
      const big = new Uint8Array(10);
      assert.equal(s.read(big), 5);
      assert.equal(text(big.buffer.slice(0, 5)), '56789');
      assert.equal(s.read(new Uint8Array(4)), undefined, 'nothing waits');
      assert.throws(() => s.read(new Uint16Array(2) as never), TypeError);
    });

    it('format "number": read() returns one byte at a time, write(byte) sends one; arguments are checked', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, { format: 'number' });
      const c = new Client(bench, 80);
      c.connect();
      bench.stack.poll();
      const s = sockets[0];
      assert.equal(s.format, 'number');
      c.write('AB');
      assert.equal(s.read(), 65);
      assert.equal(s.read(), 66);
      assert.equal(s.read(), undefined);
      assert.throws(() => s.read(1), TypeError);
      assert.equal(s.write(0x43), 1071);
      assert.deepEqual(bench.take().map((x) => [...x.payload]), [[0x43]]);
      assert.throws(() => s.write(256), RangeError);
      assert.throws(() => s.write(new Uint8Array(1)), RangeError);
    });

    it('format: "buffer" by default; set to anything else throws and leaves it unchanged', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      assert.equal(s.format, 'buffer');
      assert.throws(() => { s.format = 'string' as 'buffer'; }, RangeError);
      assert.equal(s.format, 'buffer');
      s.format = 'number';
      assert.equal(s.format, 'number');
      new Client(bench, 80, 40009).connect();
      assert.throws(() => new TCP({ from: sockets[1], format: 'json' as 'buffer' }), RangeError);
    });

    it('write(buffer): all or nothing; returns the writable count left; throws when it does not fit, sending nothing', () => {
      const { bench } = setup({ txBytes: 100 });
      const { sockets } = serve(bench, { noDelay: true });
      const c = new Client(bench, 80);
      c.connect();
      bench.stack.poll();
      const s = sockets[0];
      assert.equal(s.write(new Uint8Array(60)), 40);
      assert.equal(bench.take().length, 1);
      assert.throws(() => s.write(new ArrayBuffer(41)), /would block/);
      assert.deepEqual(bench.take(), [], 'nothing of it sent');
      assert.equal(s.write(new Int8Array(40)), 0);
      assert.throws(() => s.write('hello'), TypeError, 'a string is not a Byte Buffer');
      assert.throws(() => s.write(42), TypeError, 'nor is a number in the buffer format');
    });

    it('write options: more and byteLength are checked', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      s.write(new Uint8Array(2), { more: true, byteLength: 4 });
      s.write(new Uint8Array(2), { more: false });
      assert.throws(() => s.write(new Uint8Array(1), { more: 1 as never }), TypeError);
      assert.throws(() => s.write(new Uint8Array(1), { byteLength: 0 }), RangeError);
    });

    it('onError() when the peer closes, once everything it sent has been read (Moddable #1430); close() then sends our FIN', () => {
      const { bench } = setup();
      const log: string[] = [];
      const { sockets } = serve(bench, {
        onReadable(this: TCP, n: number) { log.push(`readable ${n}`); },
        onError(this: TCP) { log.push('error'); this.close(); },
      }, log);
      const c = new Client(bench, 80);
      c.connect();
      c.write('bye');
      assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 1, ack: 5, len: 0, win: 1068 }], 'the FIN ACKed at once (the right edge stays)');
      assert.deepEqual(log, ['requests 1', 'readable 3'], 'no error while data waits');
      assert.equal(text(sockets[0].read()), 'bye');
      assert.deepEqual(log, ['requests 1', 'readable 3'], 'not from inside read()');
      bench.stack.poll();
      assert.deepEqual(log, ['requests 1', 'readable 3', 'error']);
      assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 5, len: 0, win: 1072 }], 'our FIN after close()');
      assert.equal(sockets[0].state, 'CLOSED');
      assert.equal(bench.stack.connections()[0].state, 'LAST-ACK');
    });

    it('an app with only onReadable and onError frees the slot of every client that closes (4 clients, 4 slots)', () => {
      const { bench } = setup({ slots: 4 });
      serve(bench, {
        onReadable(this: TCP) { this.read(); },
        onError(this: TCP) { this.close(); },
      });
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) {
          const c = new Client(bench, 80, 41000 + round * 10 + i, 5000 + round * 100000);
          c.connect();
          c.write('x');
          const fin = c.fin().find((x) => x.flags & 1);
          assert.ok(fin, `round ${round} client ${i}: our FIN`);
          c.ack = (fin.seq + 1) >>> 0;
          assert.deepEqual(c.segment(0x10), []);
        }
        assert.equal(bench.stack.usage().slotsInUse, 0, `round ${round}: every slot free`);
      }
    });

    it('onError once: a reset after the peer\'s close was reported (onError(), the socket kept open) is not told again', () => {
      const { bench } = setup();
      const errors: unknown[][] = [];
      const { sockets } = serve(bench, { onError(this: TCP, ...args: unknown[]) { errors.push(args); } });
      const c = new Client(bench, 80);
      c.connect();
      c.write('bye');
      c.fin();
      assert.equal(text(sockets[0].read()), 'bye');
      bench.stack.poll();
      assert.deepEqual(errors, [[]], 'the peer\'s close, as an error with no argument');
      c.segment(0x04); // RST at RCV.NXT
      bench.stack.poll();
      assert.deepEqual(errors, [[]], 'no second onError');
      assert.throws(() => sockets[0].write(new Uint8Array(1)), /failed/);
      sockets[0].close();
    });

    it('onError(reason) on a reset; afterwards write() throws; close() is still allowed', () => {
      const { bench } = setup();
      const errors: unknown[] = [];
      const { sockets } = serve(bench, { onError(this: TCP, e?: number) { errors.push(e); } });
      const c = new Client(bench, 80);
      c.connect();
      c.segment(0x04); // RST at RCV.NXT
      assert.deepEqual(errors, [ConnectionErrors.Reset]);
      assert.throws(() => sockets[0].write(new Uint8Array(1)), /failed/);
      sockets[0].close();
    });

    it('close() with unread data resets the connection (RFC 2525 §2.17), without it sends FIN', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const a = new Client(bench, 80, 40001);
      a.connect();
      a.write('unread');
      bench.take();
      sockets[0].close();
      assert.deepEqual(wires(a, bench.take()).map((w) => w.flags), ['R.']);
      const b = new Client(bench, 80, 40002);
      b.connect();
      sockets[1].close();
      assert.deepEqual(wires(b, bench.take()).map((w) => w.flags), ['F.']);
    });

    it('after close(), read, write, format and remoteAddress throw; close() again does nothing; no callback comes', () => {
      const { bench } = setup();
      const log: string[] = [];
      const { sockets } = serve(bench, { onWritable() { log.push('writable'); }, onReadable() { log.push('readable'); } });
      const c = new Client(bench, 80);
      c.connect();
      const s = sockets[0];
      log.length = 0;
      s.close();
      c.write('more');
      bench.stack.poll();
      assert.deepEqual(log, []);
      assert.throws(() => s.read(), /closed/);
      assert.throws(() => s.write(new Uint8Array(1)), /closed/);
      assert.throws(() => s.format, /closed/);
      assert.throws(() => s.remoteAddress, /closed/);
      s.close();
    });

    it('remoteAddress and remotePort', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80, 45678).connect();
      assert.equal(sockets[0].remoteAddress, '192.0.2.1');
      assert.equal(sockets[0].remotePort, 45678);
    });

    it('bad options: callbacks that are not functions, noDelay not a boolean, keepAlive not a positive integer', () => {
      const { bench } = setup({ slots: 8 });
      const listener = new Listener({ port: 80 });
      let port = 40000;
      for (const bad of [{ onReadable: 1 }, { onWritable: 'x' }, { onError: {} }, { noDelay: 1 }, { keepAlive: 0 }, { keepAlive: 1.5 }]) {
        new Client(bench, 80, port++).connect();
        const raw = listener.read() as TCP;
        assert.throws(() => new TCP({ from: raw, ...bad } as never), bad.keepAlive !== undefined ? RangeError : TypeError, JSON.stringify(bad));
        raw.close();
        bench.take();
      }
    });

    it('keepAlive (ms): probes after that much quiet, then as often; nine unanswered end it with RST and onError', () => {
      const { bench } = setup();
      const errors: unknown[] = [];
      serve(bench, { keepAlive: 1000, onError(this: TCP, e?: number) { errors.push(e); } });
      const c = new Client(bench, 80);
      c.connect();
      const sent = bench.advance(20000).map((x) => ({ t: sentMs(x), ...wires(c, [x])[0] }));
      assert.deepEqual(sent.slice(0, 2), [
        { t: 1000, flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
        { t: 2000, flags: '.', seq: 0, ack: 1, len: 0, win: 1072 },
      ]);
      assert.deepEqual(sent.map((x) => x.flags), [...Array(9).fill('.'), 'R.']);
      assert.equal(sent[9].t, 10000);
      assert.deepEqual(errors, [ConnectionErrors.TimedOut]);
    });

    it('extension linger (SO_LINGER {1, N}): close() resets when the FIN is not acknowledged in time; 0 resets at once', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, { linger: 2000 });
      const c = new Client(bench, 80, 40001);
      c.connect();
      sockets[0].close();
      assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
      const later = bench.advance(3000).map((x) => ({ t: sentMs(x), ...wires(c, [x])[0] }));
      assert.deepEqual(later, [
        { t: 1000, flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 },
        { t: 2000, flags: 'R.', seq: 2, ack: 1, len: 0, win: 0 },
      ]);
      assert.equal(bench.stack.counters.resetsOnLinger, 1);
      const d = new Client(bench, 80, 40002);
      d.connect();
      assert.throws(() => new TCP({ from: sockets[1], linger: -1 }), RangeError);
      assert.throws(() => new TCP({ from: sockets[1], linger: 0.5 }), RangeError);
      const now = new TCP({ from: sockets[1], linger: 0 });
      now.close();
      assert.deepEqual(wires(d, bench.take()).map((w) => w.flags), ['R.']);
    });

    it('extension userTimeout (TCP_USER_TIMEOUT, ms): data unacknowledged that long ends the connection with RST and onError(TimedOut)', () => {
      const { bench } = setup();
      const errors: unknown[] = [];
      const { sockets } = serve(bench, { userTimeout: 2500, onError(this: TCP, e?: number) { errors.push(e); } });
      const c = new Client(bench, 80, 40001);
      c.connect();
      sockets[0].write(new Uint8Array(10));
      assert.deepEqual(wires(c, bench.take()), [{ flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 }]);
      const later = bench.advance(5000).map((x) => ({ t: sentMs(x), ...wires(c, [x])[0] }));
      assert.deepEqual(later, [
        { t: 1000, flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 },
        { t: 2500, flags: 'R.', seq: 11, ack: 1, len: 0, win: 0 },
      ]);
      assert.deepEqual(errors, [ConnectionErrors.TimedOut]);
      const d = new Client(bench, 80, 40002);
      d.connect();
      for (const bad of [-1, 1.5, 2 ** 30]) assert.throws(() => new TCP({ from: sockets[1], userTimeout: bad }), RangeError, `${bad}`);
      assert.throws(() => new TCP({ from: sockets[1], userTimeout: '1' } as never), TypeError);
      new TCP({ from: sockets[1], userTimeout: 0 });
    });

    it('extension notsentLowat (TCP_NOTSENT_LOWAT, bytes): writable only while fewer bytes than that are unsent', () => {
      const { bench } = setup();
      const writable: number[] = [];
      const { sockets } = serve(bench, { notsentLowat: 100, onWritable(this: TCP, n: number) { writable.push(n); } });
      const c = new Client(bench, 80, 40001);
      c.window = 536; // one segment out at a time: what the app writes beyond it waits unsent
      c.connect();
      bench.advance(0);
      assert.deepEqual(writable, [1072]);
      assert.equal(sockets[0].write(new Uint8Array(600)), 472, '64 bytes unsent, under the mark: the room');
      assert.deepEqual(wires(c, bench.take()), [{ flags: '.', seq: 1, ack: 1, len: 536, win: 1072 }]);
      assert.equal(sockets[0].write(new Uint8Array(100)), 0, '164 bytes unsent: not writable, 372 bytes of room or not');
      assert.throws(() => sockets[0].write(new Uint8Array(1)), /would block \(1 bytes, room for 0\)/);
      c.ack = (c.serverIsn + 537) >>> 0;
      c.window = 0;
      assert.deepEqual(wires(c, c.segment(ACK)), [], 'ACKed, the window shut: 164 bytes still unsent');
      assert.deepEqual(writable, [1072], 'room, but not under the mark');
      c.window = 536;
      assert.deepEqual(wires(c, c.segment(ACK)), [{ flags: 'P.', seq: 537, ack: 1, len: 164, win: 1072 }]);
      assert.deepEqual(writable, [1072, 908], 'a window update sent the rest, nothing ACKed: writable again');
      const d = new Client(bench, 80, 40002);
      d.connect();
      for (const bad of [-1, 1.5, 2 ** 30]) assert.throws(() => new TCP({ from: sockets[1], notsentLowat: bad }), RangeError, `${bad}`);
      assert.throws(() => new TCP({ from: sockets[1], notsentLowat: '1' } as never), TypeError);
      new TCP({ from: sockets[1], notsentLowat: 0 });
    });

    it('Listener extensions mss (TCP_MAXSEG) and userTimeout: the SYN-ACK offers that MSS; bad values throw', () => {
      const { bench } = setup({ listeners: 8 });
      for (const bad of [{ mss: 63 }, { mss: 537 }, { mss: 100.5 }, { userTimeout: -1 }, { userTimeout: 2 ** 30 }]) {
        assert.throws(() => new Listener({ port: 80, ...bad }), RangeError, JSON.stringify(bad));
      }
      for (const bad of [{ mss: '300' }, { userTimeout: true }]) assert.throws(() => new Listener({ port: 80, ...bad } as never), TypeError);
      assert.throws(() => new Listener({ port: 80, mss: '300' } as never), { name: 'TypeError', message: 'mss must be a number' });
      assert.throws(() => new Listener({ port: 80, mss: 537 }), { name: 'RangeError', message: 'mss must be a whole number from 64 to 536' });
      // Both bounds are taken.
      new Listener({ port: 81, mss: 536, userTimeout: 2 ** 30 - 1 }).close();
      new Listener({ port: 81, mss: 64, userTimeout: 0 }).close();
      new Listener({ port: 80, mss: 300, userTimeout: 3000 });
      const c = new Client(bench, 80);
      assert.deepEqual(c.connect(1460).options.slice(0, 4), [2, 4, 1, 44], 'MSS option 300');
    });

    it('extensions tos and ttl (IP_TOS, IP_TTL): the Listener\'s go on its SYN-ACKs and its connections, a TCP\'s on its own; bad values throw', () => {
      const { bench } = setup({ listeners: 8 });
      for (const bad of [{ tos: -1 }, { tos: 256 }, { tos: 1.5 }, { ttl: 0 }, { ttl: 256 }]) {
        assert.throws(() => new Listener({ port: 80, ...bad }), RangeError, JSON.stringify(bad));
      }
      assert.throws(() => new Listener({ port: 80, tos: '32' } as never), { name: 'TypeError', message: 'tos must be a number' });
      assert.throws(() => new Listener({ port: 80, ttl: 0 }), { name: 'RangeError', message: 'ttl must be a whole number from 1 to 255' });
      const sockets: TCP[] = [];
      new Listener({
        port: 80, tos: 0x2b, ttl: 9,
        onReadable(count) { while (count--) sockets.push(new TCP({ from: this.read(), ...(sockets.length ? { tos: 0xb8, ttl: 200 } : {}) })); },
      });
      const c = new Client(bench, 80, 40001);
      const synAck = c.connect();
      assert.deepEqual([synAck.tos, synAck.ttl], [0x28, 9], "the Listener's, ECN bits cleared");
      const d = new Client(bench, 80, 40002);
      d.connect();
      for (const socket of sockets) socket.write(new Uint8Array(4));
      assert.deepEqual(bench.take().map((x) => [x.dstPort, x.tos, x.ttl]), [[40001, 0x28, 9], [40002, 0xb8, 200]]);
      assert.throws(() => new TCP({ from: sockets[0], ttl: 256 }), RangeError);
      assert.throws(() => new TCP({ from: sockets[0], tos: true } as never), TypeError);
    });

    it('an exception thrown by a callback leaves the stack whole: the held ACK goes out, other connections run, then it is rethrown', () => {
      const { bench } = setup();
      const got: string[] = [];
      serve(bench, {
        onReadable(this: TCP) {
          const data = text(this.read());
          got.push(data);
          if (data === 'boom') throw new Error('app bug');
        },
      });
      const a = new Client(bench, 80, 40001);
      a.connect();
      const b = new Client(bench, 80, 40002);
      b.connect();
      bench.take();
      assert.throws(() => a.write('boom'), /app bug/);
      assert.deepEqual(wires(a, bench.take()).map((w) => [w.flags, w.ack]), [], 'a delayed ACK (one segment)');
      b.write('fine');
      assert.deepEqual(got, ['boom', 'fine']);
      assert.equal(bench.stack.counters.appExceptions, 1);
    });

    it('extensions: onEnd instead of onError for the peer\'s half-close, shutdown(), abort()', () => {
      const { bench } = setup();
      const log: string[] = [];
      const { sockets } = serve(bench, {
        onEnd(this: TCP) { log.push('end'); this.write(new TextEncoder().encode('late')); this.close(); },
        onError() { log.push('error'); },
      });
      const c = new Client(bench, 80);
      c.connect();
      assert.deepEqual(wires(c, c.fin()), [
        { flags: 'P.', seq: 1, ack: 2, len: 4, win: 1072 },
        { flags: 'F.', seq: 5, ack: 2, len: 0, win: 1072 },
      ], 'the reply, then the FIN, after the half-close');
      assert.deepEqual(log, ['end']);
      const d = new Client(bench, 80, 40009);
      d.connect();
      sockets[1].shutdown();
      assert.deepEqual(wires(d, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
      d.write('still read');
      assert.equal(text(sockets[1].read()), 'still read', 'reading goes on after shutdown()');
      sockets[1].abort();
      assert.deepEqual(wires(d, bench.take()).map((w) => w.flags), ['R.']);
      assert.throws(() => sockets[1].read(), /closed/);
    });
  });

  // Each argument check with its error (type and message), and each value at its bound
  // (mutation testing: README, Tests, Mutation testing).
  describe('argument checks', () => {
    /** A raw TCP (Listener.read()) of a fresh connection from `port`. */
    function raw(bench: Bench, listener: Listener, port: number): TCP {
      new Client(bench, 80, port).connect();
      return listener.read() as TCP;
    }

    it('Listener options: each bad value throws its own error; null callbacks, port 65535 and format "socket/tcp" are accepted', () => {
      setup({ listeners: 4 });
      assert.throws(() => new Listener(null as never), { name: 'TypeError', message: 'options must be an object' });
      assert.throws(() => new Listener(5 as never), { name: 'TypeError', message: 'options must be an object' });
      for (const port of [-1, 65536, 1.5, '80']) {
        assert.throws(() => new Listener({ port } as never), { name: 'RangeError', message: 'port must be an integer from 0 to 65535' }, String(port));
      }
      assert.throws(() => new Listener({ port: 80, address: 5 } as never), { name: 'TypeError', message: 'address must be a string' });
      assert.throws(() => new Listener({ port: 80, address: 'nowhere' }), { name: 'RangeError', message: "bad address 'nowhere'" });
      assert.throws(() => new Listener({ port: 80, onReadable: 5 } as never), { name: 'TypeError', message: 'onReadable must be a function' });
      assert.throws(() => new Listener({ port: 80, onError: 5 } as never), { name: 'TypeError', message: 'onError must be a function' });
      assert.throws(() => new Listener({ port: 80, format: 'buffer' } as never), { name: 'RangeError', message: 'format must be "socket/tcp"' });
      assert.equal(new Listener({ port: 65535, onReadable: null, onError: null } as never).port, 65535);
      assert.equal(new Listener({ port: 80, format: 'socket/tcp' }).format, 'socket/tcp');
    });

    it('Listener options: the extensions backlog, noDelay and keepalive reach the stack', () => {
      const { bench } = setup();
      const listener = new Listener({ port: 80, backlog: 1, noDelay: true });
      const a = new Client(bench, 80, 40001);
      a.connect();
      const b = new Client(bench, 80, 40002);
      assert.equal(b.segment(0x02, { mss: 1460, ack: 0 }).length, 0, 'a backlog of 1: the second SYN is not answered');
      const s = new TCP({ from: listener.read() });
      bench.take();
      s.write(new Uint8Array(1));
      s.write(new Uint8Array(1));
      assert.deepEqual(wires(a, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 1], ['P.', 2, 1]], 'noDelay: no Nagle hold');
    });

    it('Listener stack option: a Stack (not only a SocketLayer) picks the stack to listen on', () => {
      const one = new Bench();
      const two = new Bench();
      new SocketLayer(two.stack); // the default layer is now two's
      const counts: number[] = [];
      new Listener({ port: 80, stack: one.stack, onReadable(n) { counts.push(n); } });
      new Client(one, 80).connect();
      assert.deepEqual(counts, [1]);
    });

    it('Listener after close(): write, format (get and set) throw "the listener is closed"; before it, write throws "a listener cannot be written"', () => {
      setup();
      const listener = new Listener({ port: 80 });
      assert.throws(() => listener.write(), { message: 'a listener cannot be written' });
      assert.throws(() => { listener.format = 'x' as never; }, { name: 'RangeError', message: 'format must be "socket/tcp"' });
      listener.close();
      for (const f of [() => listener.write(), () => listener.format, () => { listener.format = 'socket/tcp'; }]) {
        assert.throws(f, { message: 'slotcp: the listener is closed' });
      }
    });

    it('TCP options: each bad value throws its own error', () => {
      const { bench } = setup({ slots: 4 });
      const listener = new Listener({ port: 80 });
      const r = raw(bench, listener, 40001);
      assert.throws(() => new TCP(null as never), { name: 'TypeError', message: 'options must be an object' });
      for (const o of [{}, { from: undefined }]) {
        assert.throws(() => new TCP(o), { message: /^slotcp: no active open/ }, JSON.stringify(o));
      }
      assert.throws(() => new TCP({ from: {} as TCP }), { name: 'TypeError', message: 'from must be a TCP socket' });
      assert.throws(() => new TCP({ from: r, noDelay: 1 as never }), { name: 'TypeError', message: 'noDelay must be true or false' });
      for (const keepAlive of [0, 1.5, '1000', 2 ** 30]) {
        assert.throws(() => new TCP({ from: r, keepAlive } as never), { name: 'RangeError', message: 'keepAlive must be a positive integer (ms)' }, String(keepAlive));
      }
      for (const linger of [-1, 0.5, '5', 2 ** 30]) {
        assert.throws(() => new TCP({ from: r, linger } as never), { name: 'RangeError', message: 'linger must be a whole number of ms (0 or more)' }, String(linger));
      }
      assert.throws(() => new TCP({ from: r, format: 'json' } as never), { name: 'RangeError', message: 'format must be "buffer" or "number"' });
      assert.throws(() => new TCP({ from: r, onEnd: 'x' } as never), { name: 'TypeError', message: 'onEnd must be a function' });
      assert.equal(r.state, 'ESTABLISHED', 'r is still open after all those');
    });

    it('TCP options at their bounds: keepAlive 1 and 2^30 - 1 (the stack\'s timer limit), linger 2^30 - 1, null callbacks are accepted; target is kept', () => {
      const { bench } = setup({ slots: 4 });
      const listener = new Listener({ port: 80 });
      const target = {};
      const a = new TCP({ from: raw(bench, listener, 40001), keepAlive: 1, onReadable: null, onError: null, target } as never);
      assert.equal(a.target, target);
      const c = new Client(bench, 80, 40002);
      c.connect();
      const b = new TCP({ from: listener.read(), keepAlive: 2 ** 30 - 1, linger: 2 ** 30 - 1 });
      bench.take();
      b.close();
      assert.deepEqual(wires(c, bench.take()).map((w) => w.flags), ['F.'], 'close() with the longest linger sends its FIN');
    });

    it('write options: not an object, more and byteLength: each throws its own error; byteLength 1 is accepted', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      for (const options of [null, 5]) {
        assert.throws(() => s.write(new Uint8Array(1), options as never), { name: 'TypeError', message: 'write options must be an object' });
      }
      assert.throws(() => s.write(new Uint8Array(1), { more: 1 as never }), { name: 'TypeError', message: 'more must be true or false' });
      for (const byteLength of [0, 1.5, '4']) {
        assert.throws(() => s.write(new Uint8Array(1), { byteLength } as never), { name: 'RangeError', message: 'byteLength must be a positive integer' }, String(byteLength));
      }
      assert.equal(s.write(new Uint8Array(1), { byteLength: 1 }), 1071);
    });

    it('write data: a SharedArrayBuffer is a byte buffer; anything else throws naming the kinds; "number" takes 0 to 255', () => {
      const { bench, c, s } = connectedSocket({});
      assert.equal(s.write(new SharedArrayBuffer(3)), 1069);
      assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [3]);
      assert.throws(() => s.write('x'), { name: 'TypeError', message: 'slotcp: not a byte buffer (ArrayBuffer, SharedArrayBuffer, Uint8Array, Int8Array or DataView)' });
      s.format = 'number';
      for (const bad of [-1, 256, 1.5, '1']) {
        assert.throws(() => s.write(bad), { name: 'RangeError', message: 'write takes a byte (0 to 255) in the "number" format' }, String(bad));
      }
      assert.equal(s.write(0), 1068);
      assert.equal(s.write(255), 1067);
    });
  });

  // What a socket made by Listener.read() holds, and what a TCP made from it inherits:
  // the peer's close or an error that came before the takeover, data already waiting,
  // room already used (mutation testing: README, Tests, Mutation testing).
  describe('takeover and first notifications', () => {
    function accept(bench: Bench, port = 40001) {
      const listener = new Listener({ port: 80 });
      const c = new Client(bench, 80, port);
      c.connect();
      return { listener, c };
    }

    it('a raw socket (Listener.read()) is "buffer", writes, and its close() sends FIN with no linger (no RST later)', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const r = listener.read() as TCP;
      assert.equal(r.format, 'buffer');
      assert.equal(r.write(new Uint8Array(2)), 1070);
      r.close();
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.len]), [['P.', 2], ['F.', 0]]);
      assert.deepEqual(wires(c, bench.advance(3000)).map((w) => [w.flags, w.len]), [['FP.', 2], ['FP.', 2]], 'retransmissions, no RST');
    });

    it('a TCP without linger closes with FIN and retransmits it; no RST', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      sockets[0].close();
      assert.deepEqual(wires(c, bench.take()).map((w) => w.flags), ['F.']);
      assert.deepEqual(wires(c, bench.advance(3000)).map((w) => w.flags), ['F.', 'F.']);
    });

    it('a reset before the takeover: the new TCP gets onError(Reset) at the next delivery; the raw socket\'s write says closed for writing', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const r = listener.read() as TCP;
      c.segment(0x04);
      assert.throws(() => r.write(new Uint8Array(1)), { message: 'slotcp: the socket is closed for writing' });
      const errors: unknown[] = [];
      const s = new TCP({ from: r, onError(e) { errors.push(e); } });
      assert.deepEqual(errors, [], 'not from inside the constructor');
      bench.stack.poll();
      assert.deepEqual(errors, [ConnectionErrors.Reset]);
      assert.throws(() => s.write(new Uint8Array(1)), { message: 'slotcp: the connection has failed' });
    });

    it('a TCP that failed cannot be handed to another: new TCP({from}) throws', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).segment(0x04, {}); // nothing: no connection yet
      const c = new Client(bench, 80);
      c.connect();
      c.segment(0x04);
      assert.throws(() => new TCP({ from: sockets[0] }), { message: 'slotcp: that socket has failed' });
    });

    it('a reset with no onError is no error for the app', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      c.segment(0x04);
      assert.equal(bench.stack.counters.appExceptions, 0);
      assert.equal(sockets[0].state, 'CLOSED');
    });

    it('the peer\'s FIN told to a raw socket: the TCP made from it gets onError() (no argument) at its first delivery', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const r = listener.read() as TCP;
      c.fin();
      bench.stack.poll();
      const calls: number[] = [];
      new TCP({ from: r, onError(...args: unknown[]) { calls.push(args.length); } });
      bench.stack.poll();
      assert.deepEqual(calls, [0]);
    });

    it('the peer\'s FIN before the connection was read: the TCP gets onError() at its first delivery', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      c.fin();
      const log: string[] = [];
      new TCP({ from: listener.read(), onError() { log.push('error'); } });
      bench.stack.poll();
      assert.deepEqual(log, ['error']);
    });

    it('data and FIN before the connection was read: onReadable first, onError() (no argument) once it is read', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      c.write('hi');
      c.fin();
      const log: string[] = [];
      const s = new TCP({ from: listener.read(), onReadable(n) { log.push(`readable ${n}`); }, onError(...args: unknown[]) { log.push(`error, ${args.length} arguments`); } });
      bench.stack.poll();
      assert.deepEqual(log, ['readable 2']);
      assert.equal(text(s.read()), 'hi');
      bench.stack.poll();
      assert.deepEqual(log, ['readable 2', 'error, 0 arguments']);
    });

    it('the peer\'s FIN between the takeover and the first delivery: onError once (the first delivery and the FIN\'s own event both see it)', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const log: string[] = [];
      new TCP({ from: listener.read(), onError() { log.push('error'); } });
      c.fin();
      bench.stack.poll();
      assert.deepEqual(log, ['error']);
    });

    it('read() with nothing waiting before the first delivery changes nothing: onWritable, then onError for a FIN already in', () => {
      for (const format of ['number', 'buffer'] as const) {
        const { bench } = setup();
        const { listener, c } = accept(bench);
        c.fin();
        const log: string[] = [];
        const s = new TCP({ from: listener.read(), format, onWritable(n) { log.push(`writable ${n}`); }, onError() { log.push('error'); } });
        assert.equal(s.read(format === 'number' ? undefined : new Uint8Array(4)), undefined);
        bench.stack.poll();
        assert.deepEqual(log, ['writable 1072', 'error'], format);
      }
    });

    it('with onEnd and onError, the peer\'s close is onEnd alone, also once its data is read; writing goes on', () => {
      const { bench } = setup();
      const log: string[] = [];
      const { sockets } = serve(bench, { onEnd() { log.push('end'); }, onError() { log.push('error'); } });
      const c = new Client(bench, 80);
      c.connect();
      c.write('hi');
      c.fin();
      assert.equal(text(sockets[0].read()), 'hi');
      bench.stack.poll();
      assert.deepEqual(log, ['end']);
      assert.equal(sockets[0].write(new Uint8Array(1)), 1071);
    });

    it('data and FIN told to a raw socket: with onEnd, onReadable then onEnd at the first delivery', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const r = listener.read() as TCP;
      c.write('hi');
      c.fin();
      bench.stack.poll();
      const log: string[] = [];
      new TCP({ from: r, onReadable(n) { log.push(`readable ${n}`); }, onEnd() { log.push('end'); } });
      bench.stack.poll();
      assert.deepEqual(log, ['readable 2', 'end']);
    });

    it('with onEnd, the peer\'s FIN between the takeover and the first delivery: onEnd once (the first delivery and the FIN\'s own event both see it)', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      const log: string[] = [];
      const s = new TCP({ from: listener.read(), onWritable(n) { log.push(`writable ${n}`); }, onEnd() { log.push('end'); } });
      c.fin();
      bench.stack.poll();
      assert.deepEqual(log, ['writable 1072', 'end']);
      assert.equal(s.read(), undefined);
      bench.stack.poll();
      assert.deepEqual(log, ['writable 1072', 'end'], 'and not again');
    });

    it('with onEnd, data and FIN before the connection was read: onReadable then onEnd at the first delivery, once', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      c.write('hello');
      c.fin();
      const log: string[] = [];
      const s = new TCP({ from: listener.read(), onReadable(n) { log.push(`readable ${n}`); }, onEnd() { log.push('end'); } });
      bench.stack.poll();
      assert.deepEqual(log, ['readable 5', 'end'], 'as when the FIN was told to a raw socket');
      assert.equal(text(s.read()), 'hello');
      bench.stack.poll();
      assert.deepEqual(log, ['readable 5', 'end'], 'and not again once the data is read');
      assert.equal(s.write(new Uint8Array(1)), 1071, 'writing goes on');
    });

    it('with onEnd, data and FIN before the connection was read, the data read before the first delivery: onEnd once', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      c.write('hello');
      c.fin();
      const log: string[] = [];
      const s = new TCP({ from: listener.read(), onWritable(n) { log.push(`writable ${n}`); }, onReadable(n) { log.push(`readable ${n}`); }, onEnd() { log.push('end'); } });
      assert.equal(text(s.read()), 'hello');
      bench.stack.poll();
      bench.stack.poll();
      assert.deepEqual(log, ['writable 1072', 'end']);
    });

    it('closed from its first onWritable, or its first onReadable: no more callbacks, and the unread data resets', () => {
      for (const from of ['onWritable', 'onReadable']) {
        const { bench } = setup();
        const { listener, c } = accept(bench);
        const r = listener.read() as TCP;
        c.write('hi');
        c.fin();
        bench.stack.poll();
        bench.take();
        const log: string[] = [];
        new TCP({
          from: r,
          onWritable() { log.push('writable'); if (from === 'onWritable') this.close(); },
          onReadable() { log.push('readable'); if (from === 'onReadable') this.close(); },
          onError() { log.push('error'); },
        });
        bench.stack.poll();
        assert.deepEqual(log, from === 'onWritable' ? ['writable'] : ['writable', 'readable'], from);
        assert.deepEqual(wires(c, bench.take()).map((w) => w.flags), ['R.'], from);
      }
    });

    it('data waiting at the first delivery and no onReadable: nothing is called', () => {
      const { bench } = setup();
      const { listener, c } = accept(bench);
      c.write('hi');
      const s = new TCP({ from: listener.read() });
      bench.stack.poll();
      assert.equal(bench.stack.counters.appExceptions, 0);
      assert.equal(text(s.read()), 'hi');
    });

    it('no first onWritable when the raw socket filled the send buffer or shut it down', () => {
      const { bench } = setup({ txBytes: 100, slots: 4 });
      const listener = new Listener({ port: 80 });
      new Client(bench, 80, 40001).connect();
      new Client(bench, 80, 40002).connect();
      const full = listener.read() as TCP;
      assert.equal(full.write(new Uint8Array(100)), 0);
      const shut = listener.read() as TCP;
      shut.shutdown();
      const seen: number[] = [];
      new TCP({ from: full, onWritable(n) { seen.push(n); } });
      new TCP({ from: shut, onWritable(n) { seen.push(n); } });
      bench.stack.poll();
      assert.deepEqual(seen, []);
    });
  });

  describe('writing', () => {
    it('onWritable when an ACK opens room; none once the peer\'s close was reported', () => {
      const { bench } = setup({ txBytes: 100 });
      const seen: string[] = [];
      const { sockets } = serve(bench, { noDelay: true, onWritable(n: number) { seen.push(`writable ${n}`); }, onError() { seen.push('error'); } });
      const c = new Client(bench, 80);
      c.connect();
      const s = sockets[0];
      seen.length = 0;
      s.write(new Uint8Array(60));
      c.ack = (c.ack + 20) >>> 0;
      c.segment(0x10);
      assert.deepEqual(seen, ['writable 60']);
      c.fin();
      assert.deepEqual(seen, ['writable 60', 'error']);
      c.ack = (c.ack + 40) >>> 0;
      c.segment(0x10);
      assert.deepEqual(seen, ['writable 60', 'error'], 'no onWritable after onError');
    });

    it('without onWritable, room opening up calls nothing', () => {
      const { bench } = setup({ txBytes: 100 });
      const { sockets } = serve(bench, { noDelay: true });
      const c = new Client(bench, 80);
      c.connect();
      bench.stack.poll();
      assert.equal(sockets[0].write(new Uint8Array(60)), 40);
      c.ack = (c.ack + 60) >>> 0;
      c.segment(0x10);
      assert.equal(bench.stack.counters.appExceptions, 0);
      assert.equal(sockets[0].write(new Uint8Array(100)), 0, 'the room is back');
    });

    it('abort() before the first delivery: nothing is delivered to the aborted socket', () => {
      const { bench } = setup();
      const listener = new Listener({ port: 80 });
      const c = new Client(bench, 80);
      c.connect();
      const s = new TCP({ from: listener.read(), onWritable() { throw new Error('called after abort()'); } });
      s.abort();
      bench.stack.poll();
      assert.equal(bench.stack.counters.appExceptions, 0);
      assert.deepEqual(wires(c, bench.take()).map((w) => w.flags), ['R.']);
    });

    it('write after shutdown() throws "closed for writing" (not "would block"), empty or not; an empty write with no room returns 0', () => {
      const { bench } = setup({ txBytes: 100 });
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      assert.equal(s.write(new Uint8Array(100)), 0);
      assert.equal(s.write(new Uint8Array(0)), 0);
      assert.throws(() => s.write(new Uint8Array(1)), { message: 'slotcp: would block (1 bytes, room for 0)' });
      s.shutdown();
      assert.throws(() => s.write(new Uint8Array(1)), { message: 'slotcp: the socket is closed for writing' });
      assert.throws(() => s.write(new Uint8Array(0)), { message: 'slotcp: the socket is closed for writing' });
    });

    it('noDelay (set): true turns Nagle off, false (and anything but true) back on', () => {
      const { bench, c, s } = connectedSocket({});
      const sent = (n: number) => { s.write(new Uint8Array(n)); return wires(c, bench.take()).map((w) => w.len); };
      assert.deepEqual(sent(1), [1]);
      assert.deepEqual(sent(1), [], 'Nagle holds a small segment while one is unacknowledged');
      s.noDelay = true;
      assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1], 'noDelay: what is held goes at once');
      assert.deepEqual(sent(1), [1], 'and nothing is held after it');
      s.noDelay = 1 as never;
      assert.deepEqual(sent(1), [], 'only true turns it off');
    });

    it('write option more (MSG_MORE): a short write waits for the next write without it, which goes with PSH', () => {
      const { bench, c, s } = connectedSocket({ noDelay: true });
      s.write(new Uint8Array(3), { more: true });
      assert.deepEqual(bench.take(), [], 'held, though Nagle is off');
      s.write(new Uint8Array(2), { more: false });
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 5]]);
    });

    it('cork (set, extension): true holds short writes, false (and anything but true) sends them', () => {
      const { bench, c, s } = connectedSocket({ noDelay: true });
      s.cork = true;
      s.write(new Uint8Array(3));
      s.write(new Uint8Array(2));
      assert.deepEqual(bench.take(), [], 'held, though Nagle is off');
      s.cork = 1 as never;
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 5]], 'only true corks');
    });
  });

  describe('reading, state after the peer\'s close, and more edges', () => {
    it('read() argument errors name the rule', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      assert.throws(() => s.read(0), { name: 'RangeError', message: 'read(byteLength) needs a positive integer' });
      s.format = 'number';
      assert.throws(() => s.read(1), { name: 'TypeError', message: 'read takes no argument in the "number" format' });
    });

    it('format "number": the peer\'s close is reported once its last byte is read', () => {
      const { bench } = setup();
      const log: string[] = [];
      const { sockets } = serve(bench, { format: 'number', onError() { log.push('error'); } });
      const c = new Client(bench, 80);
      c.connect();
      c.write('A');
      c.fin();
      assert.equal(sockets[0].read(), 65);
      assert.deepEqual(log, []);
      bench.stack.poll();
      assert.deepEqual(log, ['error']);
    });

    it('the peer\'s close with no onError: nothing is called; write then throws "has failed"', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      c.fin();
      assert.equal(bench.stack.counters.appExceptions, 0);
      assert.throws(() => sockets[0].write(new Uint8Array(1)), { message: 'slotcp: the connection has failed' });
    });

    it('format set: "buffer" and "number" are taken, anything else throws its message; after close() it throws closed', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      new Client(bench, 80).connect();
      const s = sockets[0];
      s.format = 'number';
      s.format = 'buffer';
      assert.equal(s.format, 'buffer');
      assert.throws(() => { s.format = 'x' as never; }, { name: 'RangeError', message: 'format must be "buffer" or "number"' });
      s.close();
      assert.throws(() => { s.format = 'number'; }, { message: 'slotcp: the socket is closed' });
    });

    it('remoteAddress and remotePort are undefined once the connection is gone (the socket not yet closed)', () => {
      const { bench } = setup();
      const { sockets } = serve(bench, {});
      const c = new Client(bench, 80);
      c.connect();
      c.segment(0x04);
      assert.equal(sockets[0].remoteAddress, undefined);
      assert.equal(sockets[0].remotePort, undefined);
    });

    it('noDelay option true: two small writes go out at once', () => {
      const { bench, c, s } = connectedSocket({ noDelay: true });
      s.write(new Uint8Array(1));
      s.write(new Uint8Array(1));
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.seq, w.len]), [[1, 1], [2, 1]]);
    });

    it('write option endOfRecord (MSG_EOR): the record is never sent with what follows; anything but a boolean throws', () => {
      const { bench, c, s } = connectedSocket({});
      assert.throws(() => s.write(new Uint8Array(1), { endOfRecord: 1 as never }), { name: 'TypeError', message: 'endOfRecord must be true or false' });
      s.write(new Uint8Array(10));
      s.write(new Uint8Array(20), { endOfRecord: true }); // held by Nagle behind the first
      s.write(new Uint8Array(30), { endOfRecord: false });
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.seq, w.len]), [[1, 10], [11, 20]]);
    });

    it('a Uint8Array of another realm (its prototype not this realm\'s Uint8Array.prototype) is a byte buffer', () => {
      const { bench, s } = connectedSocket({});
      const foreign = new Uint8Array([7, 8, 9]);
      Object.setPrototypeOf(foreign, Object.create(Object.getPrototypeOf(Uint8Array.prototype)));
      assert.ok(!(foreign instanceof Uint8Array));
      assert.equal(s.write(foreign), 1069);
      assert.deepEqual(bench.take().map((x) => [...x.payload]), [[7, 8, 9]]);
    });

    it('handle 0 (slot 0 once its generation wrapped) is a connection like any other', () => {
      const { bench } = setup();
      const tcb = (bench.stack as unknown as { core: { slots: { tcb: Int32Array } } }).core.slots.tcb;
      tcb[Tcb.generation] = 0x7fffff; // slot 0's row: the next reset wraps it to 0
      const listener = new Listener({ port: 80 });
      new Client(bench, 80).connect();
      const r = listener.read();
      assert.ok(r instanceof TCP);
      assert.equal(r.handle, 0);
    });
  });
});
