// ECMA-419's TCP socket and Listener (4th edition: §"TCP socket", §"TCP listener
// socket", the IO Class Pattern and Annex A), one rule a test, on slotcp's Listener and
// TCP (firmware/tcp/ecma419.ts). Also runs on XS (xs.test.ts).
import assert from 'node:assert/strict';
import { ConnectionErrors, Listener, TCP } from '../firmware/tcp/ecma419';
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

    it('Listener extensions mss (TCP_MAXSEG) and userTimeout: the SYN-ACK offers that MSS; bad values throw', () => {
      const { bench } = setup({ listeners: 8 });
      for (const bad of [{ mss: 63 }, { mss: 537 }, { mss: 100.5 }, { userTimeout: -1 }, { userTimeout: 2 ** 30 }]) {
        assert.throws(() => new Listener({ port: 80, ...bad }), RangeError, JSON.stringify(bad));
      }
      for (const bad of [{ mss: '300' }, { userTimeout: true }]) assert.throws(() => new Listener({ port: 80, ...bad } as never), TypeError);
      new Listener({ port: 80, mss: 300, userTimeout: 3000 });
      const c = new Client(bench, 80);
      assert.deepEqual(c.connect(1460).options.slice(0, 4), [2, 4, 1, 44], 'MSS option 300');
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
});
