// TIME-WAIT lives outside the slots: a bounded table of 20-byte records. Retransmitted
// FIN → re-ACK and restart 2MSL; RST ignored (RFC 1337); a SYN above the old RCV.NXT
// opens a new connection (RFC 9293 MAY-2); full table → oldest evicted.
import assert from 'node:assert/strict';
import { StackConfig } from '../firmware/tcp/config';
import { ACK, FIN, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client, wires } from './support/net';

/** Opens a connection from `port`, closes it actively and completes the four-way close. */
function throughTimeWait(bench: Bench, port: number): Client {
  const c = new Client(bench, 80, port);
  c.connect();
  const h = bench.stack.accept(0);
  bench.stack.close(h);
  bench.take();
  c.ack = (c.ack + 1) >>> 0;
  c.fin();
  bench.take();
  return c;
}

function bench(config: Partial<StackConfig> = {}) {
  const b = new Bench({ mslMs: 30000, ...config });
  b.stack.listen(80);
  return b;
}

describe('TIME-WAIT table', () => {
  it('re-ACKs a retransmitted FIN and restarts the 2MSL timer', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    b.advance(50000);
    c.seq = (c.seq - 1) >>> 0;
    assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
    assert.equal(b.stack.counters.timeWaitReacks, 1);
    b.advance(59999);
    assert.equal(b.stack.usage().timeWait, 1, 'restarted: 60 s from the retransmitted FIN');
    b.advance(1);
    assert.equal(b.stack.usage().timeWait, 0);
  });

  it('ignores a RST (RFC 1337: no TIME-WAIT assassination)', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    assert.deepEqual(c.segment(RST), []);
    assert.deepEqual(c.segment(RST | ACK), []);
    assert.equal(b.stack.usage().timeWait, 1);
  });

  it('drops a bare ACK at RCV.NXT and ACKs anything else', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    assert.deepEqual(c.segment(ACK), []);
    assert.deepEqual(wires(c, c.segment(ACK, { seq: (c.seq + 1000) >>> 0 })),
      [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
    assert.deepEqual(wires(c, c.segment(ACK, { data: 'x' })), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
  });

  it('accepts a SYN above the old RCV.NXT as a new connection, with a larger ISN', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    const oldIsn = c.serverIsn;
    const r = b.send({ srcPort: 40001, dstPort: 80, seq: (c.seq + 100000) >>> 0, flags: SYN });
    assert.equal(r.length, 1);
    assert.equal(r[0].flags, SYN | ACK);
    assert.ok(((r[0].seq - (oldIsn + 2 + 65535)) | 0) >= 0, 'new ISN beyond the old connection\'s sequence space');
    assert.deepEqual(b.stack.usage(), { slotsInUse: 1, timeWait: 0 });
    assert.equal(b.stack.counters.timeWaitReused, 1);
  });

  it('answers a SYN at or below the old RCV.NXT with an ACK, not a new connection', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    const r = b.send({ srcPort: 40001, dstPort: 80, seq: (c.seq - 5) >>> 0, flags: SYN });
    assert.deepEqual(wires(c, r), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
    assert.deepEqual(b.stack.usage(), { slotsInUse: 0, timeWait: 1 });
  });

  it('evicts the oldest record when full, and counts it', () => {
    const b = bench({ timeWaitCapacity: 2, slots: 1 });
    throughTimeWait(b, 40001);
    b.advance(1000);
    throughTimeWait(b, 40002);
    b.advance(1000);
    throughTimeWait(b, 40003);
    assert.equal(b.stack.usage().timeWait, 2);
    assert.equal(b.stack.counters.timeWaitEvicted, 1);
    const ports = b.stack.connections().map((row) => row.remotePort).sort();
    assert.deepEqual(ports, [40002, 40003]);
    // The evicted 4-tuple is now unknown: a FIN there gets a RST.
    const r = b.send({ srcPort: 40001, dstPort: 80, seq: 5, ack: 9, flags: FIN | ACK });
    assert.equal(r[0].flags, RST);
  });

  it('keeps nothing with capacity 0, and still frees the slot', () => {
    const b = bench({ timeWaitCapacity: 0 });
    throughTimeWait(b, 40001);
    assert.deepEqual(b.stack.usage(), { slotsInUse: 0, timeWait: 0 });
    assert.equal(b.stack.counters.timeWaitEvicted, 1);
  });

  it('serves many more connections than slots through a small table', () => {
    const b = bench({ timeWaitCapacity: 8, slots: 2 });
    for (let i = 0; i < 200; i++) throughTimeWait(b, 20000 + i);
    assert.deepEqual(b.stack.usage(), { slotsInUse: 0, timeWait: 8 });
    assert.equal(b.stack.counters.timeWaitEntered, 200);
    assert.equal(b.stack.counters.timeWaitEvicted, 192);
  });
});
