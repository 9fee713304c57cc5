// The ECMA-419-shaped app API over the engine: listener onReadable/read, socket
// onReadable/onWritable/onEnd/onError, read() forms, write(), close(), abort().
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { SocketLayer, TCPSocket } from '../firmware/tcp/socket';
import { RST } from '../firmware/tcp/wire';
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
});
