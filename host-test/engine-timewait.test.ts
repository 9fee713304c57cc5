// TIME-WAIT lives outside the slots: a bounded table of 20-byte records. Re-ACK of a
// retransmitted FIN and the 2MSL restart, reuse by a SYN above the old RCV.NXT (RFC 9293
// MAY-2) with its counters, several records at once and eviction; the wire of one
// record's answers is pinned by host-test/pkt/timewait/.
import assert from 'node:assert/strict';
import { Tcb } from '../firmware/tcp/slots';
import { StackConfig } from '../firmware/tcp/config';
import { TimeWaitTable } from '../firmware/tcp/timewait';
import { ACK, FIN, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client, flagString, wires } from './support/net';

/** Opens a connection from `port`, closes it actively and completes the four-way close. */
function throughTimeWait(bench: Bench, port: number, isn = 1000): Client {
  const c = new Client(bench, 80, port, isn);
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

  it('serves many more connections than slots through a small table', () => {
    const b = bench({ timeWaitCapacity: 8, slots: 2 });
    for (let i = 0; i < 200; i++) throughTimeWait(b, 20000 + i);
    assert.deepEqual(b.stack.usage(), { slotsInUse: 0, timeWait: 8 });
    assert.equal(b.stack.counters.timeWaitEntered, 200);
    assert.equal(b.stack.counters.timeWaitEvicted, 192);
  });

  // Several records at once: each answers with its own numbers, restarts and expires on its
  // own clock, and leaves the table alone when it goes (record 0 alone would not show it).
  it('answers a retransmitted FIN from each of several records with that record\'s own numbers', () => {
    const b = bench();
    const clients = [throughTimeWait(b, 40001, 1000), throughTimeWait(b, 40002, 50000), throughTimeWait(b, 40003, 900000)];
    assert.equal(b.stack.usage().timeWait, 3);
    for (const c of [clients[2], clients[0], clients[1]]) {
      c.seq = (c.seq - 1) >>> 0;
      assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }], `port ${c.port}`);
      // A bare ACK at RCV.NXT is dropped: it must be compared with this record's RCV.NXT.
      assert.deepEqual(c.segment(ACK), [], `port ${c.port}`);
    }
  });

  it('expires each record at its own 2MSL, the next deadline being the earliest', () => {
    const b = bench();
    throughTimeWait(b, 40001);
    b.advance(10000);
    const late = throughTimeWait(b, 40002, 7000);
    b.advance(10000);
    const early = throughTimeWait(b, 40003, 5000);
    // Records in rows 0, 1, 2 expire at 60 s, 70 s and 80 s; row 1 goes first once row 0
    // is gone only if each expiry is read from its own row.
    b.advance(40000 - 1);
    assert.equal(b.stack.usage().timeWait, 3);
    assert.equal(b.stack.nextDeadline(), b.clock.time + 1);
    b.advance(1);
    assert.equal(b.stack.usage().timeWait, 2, 'the first record only');
    assert.deepEqual(b.stack.connections().map((r) => r.remotePort).sort(), [40002, 40003]);
    b.advance(10000 - 1);
    assert.equal(b.stack.usage().timeWait, 2);
    b.advance(1);
    assert.deepEqual(b.stack.connections().map((r) => r.remotePort), [40003]);
    early.seq = (early.seq - 1) >>> 0;
    assert.equal(early.fin().length, 1, 'the last record still answers');
    late.seq = (late.seq - 1) >>> 0;
    assert.equal(flagString(late.fin()[0].flags), 'R', 'the expired one is gone');
  });

  it('restarts 2MSL for the record the FIN belongs to, not another', () => {
    const b = bench();
    throughTimeWait(b, 40001);
    const second = throughTimeWait(b, 40002);
    b.advance(50000);
    second.seq = (second.seq - 1) >>> 0;
    assert.equal(second.fin().length, 1);
    b.advance(10000);
    assert.deepEqual(b.stack.connections().map((r) => r.remotePort), [40002], 'row 0 expired at 60 s');
    b.advance(50000 - 1);
    assert.equal(b.stack.usage().timeWait, 1, 'row 1 restarted at 50 s');
    b.advance(1);
    assert.equal(b.stack.usage().timeWait, 0);
  });

  it('removes exactly the reused record when a new SYN reopens its 4-tuple', () => {
    const b = bench({ timeWaitCapacity: 2, slots: 2 });
    throughTimeWait(b, 40001);
    const second = throughTimeWait(b, 40002);
    const r = b.send({ srcPort: 40002, dstPort: 80, seq: (second.seq + 100000) >>> 0, flags: SYN });
    assert.equal(flagString(r[0].flags), 'S.');
    assert.ok(((r[0].seq - (second.serverIsn + 2 + 65535)) | 0) >= 0, 'ISN above the record\'s SND.NXT + 2^16');
    assert.deepEqual(b.stack.usage(), { slotsInUse: 1, timeWait: 1 });
    assert.deepEqual(b.stack.connections().filter((row) => row.state === 'TIME-WAIT').map((row) => row.remotePort), [40001]);
    // Its row is free again: the next record takes it without evicting row 0.
    throughTimeWait(b, 40003);
    assert.equal(b.stack.counters.timeWaitEvicted, 0);
    assert.equal(b.stack.usage().timeWait, 2);
  });

  it('counts the bare ACK at RCV.NXT it drops', () => {
    const b = bench();
    const c = throughTimeWait(b, 40001);
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(b.stack.counters.droppedTimeWaitAcks, 1);
    assert.equal(b.stack.counters.timeWaitReacks, 0);
  });
});

/** Inserts a record as the engine does, from a slot's row holding these fields. */
function put(t: TimeWaitTable, remoteAddr: number, remotePort: number, localPort: number, rcvNxt: number, sndNxt: number,
  expiresAt: number): boolean {
  const row = new Int32Array(Tcb.ROW);
  row[Tcb.remoteAddr] = remoteAddr;
  row[Tcb.ports] = (localPort << 16) | remotePort;
  row[Tcb.rcvNxt] = rcvNxt;
  row[Tcb.sndNxt] = sndNxt;
  return t.insert(row, 0, expiresAt);
}

describe('TimeWaitTable (unit)', () => {
  const A = 0x0a000001;
  it('with no records configured, counts each TIME-WAIT entry as evicted: the record is lost', () => {
    const b = bench({ timeWaitCapacity: 0 });
    throughTimeWait(b, 40001);
    assert.deepEqual([b.stack.counters.timeWaitEntered, b.stack.counters.timeWaitEvicted, b.stack.usage().timeWait], [1, 1, 0]);
    assert.equal(new TimeWaitTable(0).insert(new Int32Array(Tcb.ROW), 0, 1000), true);
  });

  it('is 20 bytes a record, also in the stack\'s memory figures', () => {
    assert.equal(new TimeWaitTable(4).bytesPerRecord(), 20);
    assert.equal(new Bench({ timeWaitCapacity: 3 }).stack.memory().perTimeWait, 20);
  });

  it('keeps rows apart: find, rcvNxt, sndNxt, forEach with each record\'s time left', () => {
    const t = new TimeWaitTable(3);
    assert.equal(put(t, A, 1001, 80, 11, 21, 1000), false);
    assert.equal(put(t, A + 1, 1002, 80, 12, 22, 2000), false);
    assert.equal(put(t, A + 2, 1003, 81, 13, 23, 3000), false);
    assert.deepEqual([t.find(A, 1001, 80), t.find(A + 1, 1002, 80), t.find(A + 2, 1003, 81), t.find(A, 1002, 80)], [0, 1, 2, -1]);
    assert.deepEqual([0, 1, 2].map((i) => [t.rcvNxt(i), t.sndNxt(i)]), [[11, 21], [12, 22], [13, 23]]);
    const seen: number[][] = [];
    t.forEach(500, (addr, remotePort, localPort, left) => seen.push([addr, remotePort, localPort, left]));
    assert.deepEqual(seen, [[A, 1001, 80, 500], [A + 1, 1002, 80, 1500], [A + 2, 1003, 81, 2500]]);
    assert.equal(t.msUntilNextExpiry(500), 500);
  });

  it('removes a record once: a second remove changes nothing, and its row is free again', () => {
    const t = new TimeWaitTable(2);
    put(t, A, 1001, 80, 1, 1, 1000);
    put(t, A, 1002, 80, 2, 2, 1000);
    t.remove(1);
    t.remove(1);
    assert.equal(t.size, 1);
    assert.equal(t.find(A, 1002, 80), -1);
    t.remove(0);
    assert.equal(t.size, 0);
    assert.equal(put(t, A, 1003, 80, 3, 3, 1000), false, 'a free row, no eviction');
    assert.equal(put(t, A, 1004, 80, 4, 4, 1000), false, 'the other free row');
    assert.equal(put(t, A, 1005, 80, 5, 5, 1000), true, 'now full');
    assert.deepEqual([t.find(A, 1003, 80), t.find(A, 1004, 80), t.find(A, 1005, 80)], [-1, 1, 0],
      'of records expiring together the first is evicted');
  });

  it('expires only the records that are due, and evicts the one closest to expiry', () => {
    const t = new TimeWaitTable(3);
    put(t, A, 1001, 80, 1, 1, 3000);
    put(t, A, 1002, 80, 2, 2, 1000);
    put(t, A, 1003, 80, 3, 3, 2000);
    assert.equal(t.msUntilNextExpiry(0), 1000);
    assert.equal(t.expire(1500), 1);
    assert.deepEqual([t.find(A, 1001, 80), t.find(A, 1002, 80), t.find(A, 1003, 80)], [0, -1, 2]);
    assert.equal(t.msUntilNextExpiry(1500), 500);
    put(t, A, 1004, 80, 4, 4, 4000);
    assert.equal(put(t, A, 1005, 80, 5, 5, 5000), true);
    assert.equal(t.find(A, 1003, 80), -1, 'the one due at 2 s went');
    assert.equal(t.size, 3);
  });

  it('evicts the record closest to expiry also when every record expires after the new one', () => {
    // The engine never does this (every record expires no later than the one it inserts),
    // but the table's rule does not rest on it.
    const t = new TimeWaitTable(2);
    put(t, A, 1001, 80, 1, 1, 3000);
    put(t, A, 1002, 80, 2, 2, 2000);
    assert.equal(put(t, A, 1003, 80, 3, 3, 1000), true);
    assert.deepEqual([t.find(A, 1001, 80), t.find(A, 1002, 80), t.find(A, 1003, 80)], [0, -1, 1]);
    assert.equal(t.size, 2);
  });
});

