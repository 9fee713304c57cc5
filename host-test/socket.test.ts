// The ECMA-419-shaped app API over the engine: listener onReadable/read, socket
// onReadable/onWritable/onEnd/onError, read() forms, write(), close(), abort().
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { Listener, TCP } from '../firmware/tcp/ecma419';
import { Tcb } from '../firmware/tcp/slots';
import { SocketLayer, TCPSocket } from '../firmware/tcp/socket';
import { WriteFlag } from '../firmware/tcp/stack';
import { ACK, RST } from '../firmware/tcp/wire';
import { Bench, Client, wires } from './support/net';

describe('ECMA-419 socket layer', () => {
  it('runs an echo service: accept, read, write back, close after the peer closes', () => {
    const bench = new Bench();
    const layer = new SocketLayer(bench.stack);
    const log: string[] = [];
    layer.listen({
      port: 7,
      onReadable(count) {
        log.push(`accept ${count}`);
        this.read({
          onWritable(bytes) { log.push(`writable ${bytes}`); },
          onReadable(bytes) {
            log.push(`readable ${bytes}`);
            const data = this.read();
            if (data) this.write(data);
          },
          onEnd() { log.push('end'); this.close(); },
        });
      },
    });
    const c = new Client(bench, 7);
    c.connect();
    assert.deepEqual(log, ['accept 1', 'writable 1072']);
    assert.deepEqual(wires(c, c.write('hello')), [{ flags: 'P.', seq: 1, ack: 6, len: 5, win: 1072 }]);
    c.ack = (c.ack + 5) >>> 0;
    assert.deepEqual(wires(c, c.fin()), [{ flags: 'F.', seq: 6, ack: 7, len: 0, win: 1072 }]);
    assert.deepEqual(log, ['accept 1', 'writable 1072', 'readable 5', 'writable 1072', 'end']);
  });

  it('read() forms: ArrayBuffer of all, at most n bytes, into a Uint8Array', () => {
    const bench = new Bench();
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    const c = new Client(bench, 7);
    c.connect();
    const socket = listener.read() as TCPSocket;
    c.write('abcdefgh');
    assert.equal(new TextDecoder().decode(socket.read(3)), 'abc');
    const into = new Uint8Array(2);
    assert.equal(socket.read(into), 2);
    assert.equal(new TextDecoder().decode(into), 'de');
    assert.equal(new TextDecoder().decode(socket.read()), 'fgh');
    assert.equal(socket.read(), undefined);
  });

  it('read() returns the right bytes when they wrap around the end of the receive ring', () => {
    const bench = new Bench({ rxBytes: 100 });
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    const c = new Client(bench, 7);
    c.connect();
    const socket = listener.read() as TCPSocket;
    c.write('a'.repeat(80));
    assert.equal(new TextDecoder().decode(socket.read()), 'a'.repeat(80));
    c.write('0123456789'.repeat(5));
    assert.equal(new TextDecoder().decode(socket.read(15)), '012345678901234', 'contiguous part');
    assert.equal(new TextDecoder().decode(socket.read()), '56789' + '0123456789'.repeat(3), 'across the wrap');
    c.write('xyz');
    const into = new Uint8Array(3);
    assert.equal(socket.read(into), 3);
    assert.equal(new TextDecoder().decode(into), 'xyz');
  });

  it('onError on a peer reset; write() on a dead socket throws', () => {
    const bench = new Bench();
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    const c = new Client(bench, 7);
    c.connect();
    const errors: number[] = [];
    const socket = listener.read({ onError(e) { errors.push(e); } }) as TCPSocket;
    c.segment(RST);
    assert.deepEqual(errors, [ConnectionError.Reset]);
    assert.equal(socket.state, 'CLOSED');
    assert.throws(() => socket.write(new Uint8Array(1)), /closed/);
  });

  it('a socket kept after close() cannot touch the next connection in its slot', () => {
    const bench = new Bench({ slots: 1 });
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    new Client(bench, 7, 40001).connect();
    const old = listener.read() as TCPSocket;
    old.abort();
    bench.take();
    new Client(bench, 7, 40002).connect();
    const fresh = listener.read() as TCPSocket;
    assert.throws(() => old.write(new Uint8Array(1)));
    old.close();
    assert.equal(fresh.state, 'ESTABLISHED');
  });

  it('read(callbacks, reuse) rebinds a socket that is no longer in use, and refuses one that is', () => {
    const bench = new Bench({ slots: 2 });
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    const spare = new TCPSocket(layer, -1, {});
    assert.equal(spare.inUse, false);
    new Client(bench, 7, 40001).connect();
    const first = listener.read({}, spare);
    assert.equal(first, spare);
    assert.equal(spare.inUse, true);
    assert.equal(spare.state, 'ESTABLISHED');
    new Client(bench, 7, 40002).connect();
    assert.throws(() => listener.read({}, spare), /still in use/);
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    assert.equal(spare.write(bytes, 1, 3), 3, 'write(data, offset, length)');
    assert.deepEqual(wires(new Client(bench, 7, 40001), bench.take()).map((w) => w.len), [3]);
    spare.close();
    assert.equal(spare.inUse, false);
    const seen: number[] = [];
    const second = listener.read({ onWritable(n) { seen.push(n); } }, spare);
    assert.equal(second, spare, 'the same object, now on the second connection');
    assert.deepEqual(seen, [], 'no callback from inside read()');
    assert.equal(bench.stack.nextDeadline(), bench.clock.time, 'a delivery is due at once');
    bench.stack.poll();
    assert.deepEqual(seen, [bench.stack.config.txBytes]);
    assert.equal(spare.state, 'ESTABLISHED');
    assert.throws(() => listener.read({}, new TCPSocket(new SocketLayer(new Bench().stack), -1, {})), /another stack/);
  });

  it('closing the listener resets connections not yet read', () => {
    const bench = new Bench();
    const layer = new SocketLayer(bench.stack);
    const listener = layer.listen({ port: 7 });
    const c = new Client(bench, 7);
    c.connect();
    listener.close();
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.equal(bench.stack.usage().slotsInUse, 0);
  });

  // Each rule of the layer and of TCPSocket with its exact result (mutation testing:
  // README, Tests, Mutation testing).
  describe('rules', () => {
    /** A listener on port 7 and a socket accepted from it (callbacks given), and its client. */
    function accepted(config = {}, callbacks = {}) {
      const bench = new Bench(config);
      const layer = new SocketLayer(bench.stack);
      const listener = layer.listen({ port: 7 });
      const c = new Client(bench, 7);
      c.connect();
      const socket = listener.read(callbacks) as TCPSocket;
      return { bench, layer, listener, c, socket };
    }

    it('SocketLayer.default: the layer made last; with none (the global cleared, as the board-budget test does) it throws', () => {
      const key = Symbol.for('slotcp.defaultLayer');
      const global = globalThis as Record<symbol, unknown>;
      const kept = global[key];
      try {
        const layer = new SocketLayer(new Bench().stack);
        assert.equal(SocketLayer.default, layer);
        global[key] = undefined;
        assert.throws(() => SocketLayer.default, { message: 'slotcp: no stack yet (make a SocketLayer for it)' });
      } finally {
        global[key] = kept;
      }
    });

    it('SocketLayer.of(stack): the stack\'s layer if it has one, else a new one', () => {
      const bench = new Bench();
      const layer = new SocketLayer(bench.stack);
      assert.equal(SocketLayer.of(bench.stack), layer);
      const other = new Bench();
      const made = SocketLayer.of(other.stack);
      assert.ok(made instanceof SocketLayer && made !== layer);
      assert.equal(other.stack.events, made);
    });

    it('read(): undefined when no connection waits; handle 0 (slot 0 once its generation wrapped) is a connection', () => {
      const bench = new Bench();
      const layer = new SocketLayer(bench.stack);
      const listener = layer.listen({ port: 7 });
      assert.equal(listener.read(), undefined);
      (bench.stack as unknown as { core: { slots: { tcb: Int32Array } } }).core.slots.tcb[Tcb.generation] = 0x7fffff;
      new Client(bench, 7).connect();
      const socket = listener.read();
      assert.ok(socket instanceof TCPSocket);
      assert.equal(socket.handle, 0);
    });

    it('listener close(): twice is harmless (the other listener still accepts); read() afterwards gives undefined, even with a socket in use to reuse', () => {
      const bench = new Bench({ listeners: 2 });
      const layer = new SocketLayer(bench.stack);
      const first = layer.listen({ port: 7 });
      const counts: number[] = [];
      const second = layer.listen({ port: 8, onReadable(n) { counts.push(n); } });
      new Client(bench, 8, 40001).connect();
      const busy = second.read() as TCPSocket;
      first.close();
      first.close();
      assert.equal(first.read({}, busy), undefined);
      new Client(bench, 8, 40002).connect();
      assert.deepEqual(counts, [1, 1], 'the second listener is untouched');
      assert.ok(second.read() instanceof TCPSocket);
    });

    it('a closed listener hears nothing of connections to a listener that later gets its id from the stack', () => {
      const bench = new Bench();
      const layer = new SocketLayer(bench.stack);
      const counts: number[] = [];
      const listener = layer.listen({ port: 7, onReadable(n) { counts.push(n); } });
      listener.close();
      bench.stack.listen(8);
      new Client(bench, 8).connect();
      assert.deepEqual(counts, []);
    });

    it('connections accepted from the stack directly (not through the layer) are left alone: data, room, FIN and reset reach no socket', () => {
      const bench = new Bench({ txBytes: 100 });
      const layer = new SocketLayer(bench.stack);
      assert.ok(layer);
      const id = bench.stack.listen(8);
      const c = new Client(bench, 8);
      c.connect();
      const handle = bench.stack.accept(id);
      assert.ok(handle >= 0);
      c.write('x');
      bench.stack.write(handle, new Uint8Array(10));
      c.ack = (c.ack + 10) >>> 0;
      c.segment(0x10);
      c.fin();
      c.segment(0x04);
      assert.equal(bench.stack.counters.appExceptions, 0);
    });

    it('a stale socket\'s close() leaves the slot\'s next owner whole: its first onWritable, its data, its error', () => {
      const bench = new Bench({ slots: 1 });
      const layer = new SocketLayer(bench.stack);
      const listener = layer.listen({ port: 7 });
      new Client(bench, 7, 40001).connect();
      const old = listener.read() as TCPSocket;
      old.abort();
      bench.take();
      const c = new Client(bench, 7, 40002);
      c.connect();
      const log: string[] = [];
      const fresh = listener.read({ onWritable(n) { log.push(`writable ${n}`); }, onReadable(n) { log.push(`readable ${n}`); }, onError(e) { log.push(`error ${e}`); } }) as TCPSocket;
      old.close();
      bench.stack.poll();
      assert.deepEqual(log, ['writable 1072'], 'the start survives the stale close()');
      old.close();
      c.write('hi');
      assert.deepEqual(log, ['writable 1072', 'readable 2'], 'so does the routing');
      assert.equal(fresh.inUse, true);
    });

    it('the error of a raw ECMA-419 TCP taken over after its slot was reused goes to the new TCP, and the slot\'s new owner still starts', () => {
      const bench = new Bench({ slots: 1 });
      const layer = new SocketLayer(bench.stack);
      const listener = new Listener({ port: 80, stack: layer });
      const a = new Client(bench, 80, 40001);
      a.connect();
      const raw = listener.read() as TCP;
      a.segment(0x04);
      new Client(bench, 80, 40002).connect();
      const log: string[] = [];
      new TCP({ from: listener.read(), onWritable(n) { log.push(`fresh writable ${n}`); } });
      new TCP({ from: raw, onError(e) { log.push(`old error ${e}`); } });
      bench.stack.poll();
      assert.deepEqual(log, [`old error ${ConnectionError.Reset}`, 'fresh writable 1072']);
    });

    it('an ECMA-419 TCP\'s waiting report of the peer\'s close survives a stale socket\'s close() in the same slot', () => {
      const bench = new Bench({ slots: 1 });
      const layer = new SocketLayer(bench.stack);
      const stale = layer.listen({ port: 7 });
      new Client(bench, 7, 40001).connect();
      const old = stale.read() as TCPSocket;
      old.abort();
      bench.take();
      const listener = new Listener({ port: 80, stack: layer });
      const c = new Client(bench, 80, 40002);
      c.connect();
      const log: string[] = [];
      const s = new TCP({ from: listener.read(), onError() { log.push('error'); } });
      c.write('hi');
      c.fin();
      s.read();
      old.close();
      bench.stack.poll();
      assert.deepEqual(log, ['error']);
    });

    it('first notifications: no onWritable with no room; onReadable for data already waiting; onEnd for a FIN already in; none missing is an error', () => {
      const bench = new Bench({ txBytes: 100, slots: 4 });
      const layer = new SocketLayer(bench.stack);
      const listener = layer.listen({ port: 7 });
      const c = new Client(bench, 7, 40001);
      c.connect();
      c.write('hi');
      c.fin();
      const log: string[] = [];
      const s = listener.read({ onWritable(n) { log.push(`writable ${n}`); }, onReadable(n) { log.push(`readable ${n}`); }, onEnd() { log.push('end'); } }) as TCPSocket;
      assert.equal(s.write(new Uint8Array(100)), 100);
      bench.stack.poll();
      // The peer's FIN came with the data: onEnd follows onReadable at once, as on the
      // socket of a connection accepted before its FIN (ECMA-419's TCP does the same).
      assert.deepEqual(log, ['readable 2', 'end']);
      s.read();
      bench.stack.poll();
      assert.deepEqual(log, ['readable 2', 'end'], 'once');
      log.length = 0;
      bench.take();
      const d = new Client(bench, 7, 40002);
      d.connect();
      d.fin();
      listener.read({ onEnd() { log.push('end d'); } });
      const e = new Client(bench, 7, 40003);
      e.connect();
      e.fin();
      listener.read({});
      bench.stack.poll();
      assert.deepEqual(log, ['end d']);
      assert.equal(bench.stack.counters.appExceptions, 0);
    });

    it('the peer\'s FIN between accept and the first delivery: onEnd once', () => {
      const bench = new Bench({ slots: 4 });
      const layer = new SocketLayer(bench.stack);
      const listener = layer.listen({ port: 7 });
      const c = new Client(bench, 7, 40001);
      c.connect();
      const log: string[] = [];
      listener.read({ onEnd() { log.push('end'); } });
      c.fin();
      bench.stack.poll();
      assert.deepEqual(log, ['end']);
      c.write('x'); // after the FIN: ignored by the stack, and no second onEnd either way
      bench.stack.poll();
      assert.deepEqual(log, ['end']);
    });

    it('a socket without callbacks: room, the peer\'s FIN and a reset call nothing', () => {
      const { bench, c, socket } = accepted({ txBytes: 100 });
      bench.stack.poll();
      socket.write(new Uint8Array(50));
      c.ack = (c.ack + 50) >>> 0;
      c.segment(0x10);
      c.fin();
      c.segment(0x04);
      assert.equal(bench.stack.counters.appExceptions, 0);
    });

    it('read(into, offset, length): from offset, clamped to the room left in into', () => {
      const { c, socket } = accepted();
      c.write('abcdefgh');
      const into = new Uint8Array(6);
      assert.equal(socket.read(into, 2), 4);
      assert.deepEqual([...into], [0, 0, 97, 98, 99, 100]);
      assert.equal(socket.read(into, 1, 100), 4, 'length clamped to 5, then to the 4 bytes waiting');
      assert.deepEqual([...into], [0, 101, 102, 103, 104, 100]);
    });

    it('write(data, offset, length): from offset, clamped to what data holds past it', () => {
      const { bench, c, socket } = accepted({}, {});
      socket.setNoDelay(true);
      bench.take();
      const bytes = new Uint8Array([1, 2, 3, 4, 5]);
      assert.equal(socket.write(bytes, 2), 3);
      assert.equal(socket.write(bytes, 1, 100), 4);
      assert.deepEqual(bench.take().map((x) => [...x.payload]), [[3, 4, 5], [2, 3, 4, 5]]);
      assert.ok(c);
    });

    it('setCork(true) holds short writes until setCork(false); write(..., more) holds until a write without it', () => {
      const { bench, c, socket } = accepted();
      socket.setNoDelay(true);
      bench.take();
      socket.setCork(true);
      socket.write(new Uint8Array(3));
      assert.deepEqual(bench.take(), [], 'corked');
      socket.setCork(false);
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 1, 3]]);
      socket.write(new Uint8Array(2), 0, 2, WriteFlag.More);
      assert.deepEqual(bench.take(), [], 'MSG_MORE');
      socket.write(new Uint8Array(1));
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 4, 3]]);
    });

    it('write(data, offset, length, WriteFlag.EndOfRecord) ends a record (MSG_EOR): Nagle\'s held tail goes alone once data follows it', () => {
      const { bench, c, socket } = accepted();
      bench.take();
      socket.write(new Uint8Array(10));
      socket.write(new Uint8Array(20), 0, undefined, WriteFlag.EndOfRecord);
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.seq, w.len]), [[1, 10]], 'Nagle holds the record');
      socket.write(new Uint8Array(30));
      // The record is no longer the queue's tail: it goes, alone and pushed; the write
      // after it is the new tail, which Nagle holds.
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq, w.len]), [['P.', 11, 20]]);
      const sent = c.segment(ACK, { ack: (c.serverIsn + 31) >>> 0 });
      assert.deepEqual(wires(c, sent).map((w) => [w.seq, w.len]), [[31, 30]], 'the tail goes once the record is ACKed');
    });

    it('write errors say why: the send side shut down, or the connection gone', () => {
      const { c, socket } = accepted();
      socket.shutdown();
      assert.throws(() => socket.write(new Uint8Array(1)), { message: 'slotcp: socket is closed for writing (its send side is closed)' });
      c.segment(0x04);
      assert.throws(() => socket.write(new Uint8Array(1)), { message: 'slotcp: socket is closed for writing (the connection is gone)' });
    });

    it('shutdown() sends FIN after the queued data; setNoDelay(true) turns Nagle off', () => {
      const { bench, c, socket } = accepted();
      bench.take();
      socket.write(new Uint8Array(1));
      socket.write(new Uint8Array(1));
      assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1], 'Nagle holds the second');
      socket.setNoDelay(true);
      assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1], 'what Nagle held goes at once');
      socket.write(new Uint8Array(1));
      assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1]);
      socket.shutdown();
      assert.deepEqual(wires(c, bench.take()).map((w) => [w.flags, w.seq]), [['F.', 4]]);
    });

    it('abort() frees the socket: no longer in use', () => {
      const { socket } = accepted();
      assert.equal(socket.inUse, true);
      socket.abort();
      assert.equal(socket.inUse, false);
    });
  });
});
