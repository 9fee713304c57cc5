// Data transfer beyond what a script shows (the wire of delayed ACKs, Nagle, windows,
// retransmission, persist and out-of-order data is pinned by host-test/pkt/data/): the
// bytes the app reads, the counters, the IP ID, our sequence space across 2^32, the app
// API's range checks, the initial window's formulas, and D-SACK's counter.
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { ACK, FIN, PSH } from '../firmware/tcp/wire';
import { Tcb } from '../firmware/tcp/slots';
import { Bench, Client, established, sentMs, wires } from './support/net';
import { ConfigError, StackConfig, initialWindowBytes, makeConfig } from '../firmware/tcp/config';

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

/** A connection established in `slot` (0, or 1 beside another in slot 0), so a test
 *  also runs where the row is not the table's first. */
function establishedInSlot(slot: number, config: Parameters<typeof established>[0] = {}) {
  const first = established(config);
  const { bench, stack } = first;
  let { c, h } = first;
  if (slot === 1) {
    c = new Client(bench, 80, 40001);
    c.connect();
    h = stack.accept(0);
  }
  assert.equal(h & 0xff, slot);
  return { bench, stack, c, h };
}

describe('receiving', () => {

  it('numbers the IP header of each segment one more than the last, and counts segments and resets', () => {
    const { bench, c, h, stack } = established();
    const before = stack.counters.segmentsOut;
    stack.write(h, bytes(10));
    c.ack = (c.ack + 10) >>> 0;
    c.write('x');
    bench.advance(300);
    stack.abort(h);
    const ids = bench.sentPackets.slice(-3).map((p) => (p[4] << 8) | p[5]);
    assert.deepEqual(ids.map((id) => (id - ids[0]) & 0xffff), [0, 1, 2]);
    assert.equal(stack.counters.segmentsOut, before + 3);
    assert.equal(stack.counters.resetsSent, 1);
  });

  it('holds an out-of-order segment in the ring, sends a duplicate ACK, and delivers it when the hole fills', () => {
    const { bench, c, h, stack } = established();
    const r = bench.send({ dstPort: 80, seq: (c.seq + 10) >>> 0, ack: c.ack, flags: ACK | PSH, data: 'later' });
    assert.deepEqual(wires(c, r), [{ flags: '.', seq: 1, ack: 1, len: 0, win: 1072 }]);
    assert.equal(stack.available(h), 0, 'not readable before the hole is filled');
    assert.equal(stack.counters.outOfOrderHeld, 1);
    assert.deepEqual(wires(c, c.write('0123456789')), [{ flags: '.', seq: 1, ack: 16, len: 0, win: 1057 }]);
    const buf = new Uint8Array(32);
    assert.equal(stack.read(h, buf), 15);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 15)), '0123456789later');
  });

  it('holds up to four out-of-order ranges, merging neighbours, and drops a segment that needs a fifth', () => {
    const { bench, c, h, stack } = established({ rxBytes: 4000 });
    const at = (offset: number, text: string) =>
      bench.send({ dstPort: 80, seq: (c.seq + offset) >>> 0, ack: c.ack, flags: ACK, data: text });
    at(10, 'bb'); at(20, 'dd'); at(12, 'cc'); // 10-14 merged
    at(30, 'ee'); at(40, 'ff');
    assert.equal(stack.counters.outOfOrderHeld, 5);
    at(50, 'gg'); // a fifth range: dropped
    assert.equal(stack.counters.droppedOutOfOrder, 1);
    c.write('aaaaaaaaaa'); // 0-10: releases 10-14 only
    assert.equal(stack.available(h), 14);
    bench.send({ dstPort: 80, seq: (c.seq + 4) >>> 0, ack: c.ack, flags: ACK, data: 'xxxxxx' }); // 14-20
    assert.equal(stack.available(h), 22, 'and 20-22 with it');
  });

  it('trims a segment overlapping data already received', () => {
    const { bench, c, h, stack } = established();
    c.write('abc');
    bench.send({ dstPort: 80, seq: (c.seq - 2) >>> 0, ack: c.ack, flags: ACK | PSH, data: 'bcdef' });
    c.seq = (c.seq + 3) >>> 0;
    const buf = new Uint8Array(10);
    assert.equal(stack.read(h, buf), 6);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 6)), 'abcdef');
  });

  it('works when our ISN sits just below 2^32 (the send sequence space wraps)', () => {
    // ISN = hash(4-tuple) + 250 × ms: find the ms at which this 4-tuple's ISN is 2^32 - 100.
    const probe = new Bench();
    probe.stack.listen(80);
    const isnAt0 = probe.send({ dstPort: 80, seq: 1, flags: 0x02 })[0].seq;
    const target = 0x100000000 - 100;
    let t = 0;
    while ((isnAt0 + 250 * t) % 0x100000000 < target - 250 || (isnAt0 + 250 * t) % 0x100000000 > target) {
      t += Math.max(1, Math.floor(((target - (isnAt0 + 250 * t) % 0x100000000 + 0x100000000) % 0x100000000) / 250));
    }
    const bench = new Bench();
    bench.clock.time = t;
    bench.stack.listen(80, { noDelay: true });
    const c = new Client(bench, 80);
    c.connect();
    assert.ok(c.serverIsn > 0xfffffe00, `ISN ${c.serverIsn} near the wrap`);
    const h = bench.stack.accept(0);
    bench.stack.write(h, bytes(536));
    const out = bench.take();
    assert.equal(out.length, 1);
    assert.ok(out[0].seq > 0xfffffe00, 'the segment starts below 2^32 and ends above it');
    c.ack = (out[0].seq + 536) >>> 0;
    assert.ok(c.ack < 1000);
    c.segment(ACK);
    assert.equal(bench.stack.writable(h), 1072, 'the ACK across the wrap freed the buffer');
    bench.stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 537, ack: 1, len: 0, win: 1072 }]);
  });

  it('works across the 2^32 wrap of both sequence spaces', () => {
    const { bench, c, h, stack } = established({}, {}, 0xfffffff0);
    c.write(bytes(30, 0x41));
    assert.equal(stack.available(h), 30);
    stack.read(h, new Uint8Array(30));
    stack.write(h, bytes(40));
    const out = bench.take();
    assert.equal(out[0].ack, (0xfffffff0 + 31) >>> 0);
    c.ack = (out[0].seq + 40) >>> 0;
    c.segment(ACK);
    assert.equal(stack.writable(h), 1072);
  });

  it('counts each out-of-order segment held once, FIN or not; a bare FIN is held, not dropped; data that finds no range is dropped', () => {
    const at = (c: Client, offset: number, flags: number, data?: string) => c.segment(flags, { seq: (c.seq + offset) >>> 0, data });
    const bare = established();
    at(bare.c, 10, ACK | FIN);
    assert.deepEqual([bare.stack.counters.outOfOrderHeld, bare.stack.counters.droppedOutOfOrder], [1, 0], 'a bare FIN');
    const withData = established();
    at(withData.c, 10, ACK | FIN, 'later');
    assert.deepEqual([withData.stack.counters.outOfOrderHeld, withData.stack.counters.droppedOutOfOrder], [1, 0], 'data and FIN');
    const full = established();
    for (const offset of [10, 20, 30, 40]) at(full.c, offset, ACK, 'xx');
    at(full.c, 50, ACK | FIN, 'yy'); // a fifth range: no room
    assert.deepEqual([full.stack.counters.outOfOrderHeld, full.stack.counters.droppedOutOfOrder], [4, 1], 'no room');
  });

  it('with delayedAckMs 0, ACKs each segment as it arrives, not from a timer', () => {
    const { bench, c, stack } = established({ delayedAckMs: 0 });
    assert.deepEqual(wires(c, c.write('a')), [{ flags: '.', seq: 1, ack: 2, len: 0, win: 1071 }]);
    assert.equal(stack.nextDeadline(), -1, 'no timer left running');
    assert.deepEqual(bench.advance(1000), []);
    assert.equal(stack.counters.delayedAcks, 0);
  });

  it('forgets a FIN held out of order once data runs past it: RCV.NXT reaching its number 2^32 bytes later ends nothing', () => {
    type Inside = { core: { slots: { tcb: Int32Array } } };
    for (const slot of [0, 1]) {
      const { bench, stack, c, h } = establishedInSlot(slot);
      const fin = (c.seq + 20) >>> 0;
      c.segment(ACK | FIN, { seq: (c.seq + 10) >>> 0, data: bytes(10) }); // held
      c.write(bytes(30)); // data past that FIN: it was none
      assert.equal(stack.read(h, new Uint8Array(100)), 30);
      // As if 2^32 - 20 more bytes had come and been read since: RCV.NXT (and the window's
      // right edge with it) is 10 short of the old FIN's number again.
      const tcb = (stack as unknown as Inside).core.slots.tcb;
      tcb[slot * Tcb.ROW + Tcb.rcvNxt] = fin - 10;
      tcb[slot * Tcb.ROW + Tcb.rcvAdv] = fin - 10 + 1072;
      c.seq = (fin - 10) >>> 0;
      bench.take();
      assert.deepEqual(c.write(bytes(10)), [], `slot ${slot}: only data, its ACK delayed`);
      assert.equal(stack.state(h), 'ESTABLISHED');
      assert.deepEqual(wires(c, bench.advance(200)), [{ flags: '.', seq: 1, ack: 21, len: 0, win: 1062 }]);
    }
  });

  it('counts quick ACKs over the first data bytes mod 2^32: none again once 2^31 bytes have come, none at 2^32 with quickAcks 0', () => {
    type Inside = { core: { slots: { tcb: Int32Array } } };
    for (const quickAcks of [2, 0]) {
      for (const slot of [0, 1]) {
        const { bench, stack, c, h } = establishedInSlot(slot, { quickAcks });
        // As if 2^31 + 100 bytes (2^32 - 10 with quickAcks 0) had come and been read: the
        // IRS moved back by that much from RCV.NXT.
        const received = quickAcks !== 0 ? 2 ** 31 + 100 : 2 ** 32 - 10;
        const tcb = (stack as unknown as Inside).core.slots.tcb;
        tcb[slot * Tcb.ROW + Tcb.irs] = (c.seq - 1 - received) | 0;
        bench.take();
        assert.deepEqual(c.write(bytes(10)), [], `quickAcks ${quickAcks}, slot ${slot}: the ACK is delayed`);
        assert.deepEqual(wires(c, bench.advance(200)).map((w) => [w.flags, w.ack]), [['.', 11]]);
      }
    }
  });
});

describe('sending', () => {

  it('retransmits after the RTO with exponential backoff, then aborts and tells the app', () => {
    const { bench, c, h, stack } = established({ maxRetries: 3, rtoInitialMs: 1000, rtoMinMs: 1000 });
    const errors: number[] = [];
    stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended() {}, error: (hh, e) => errors.push(e) });
    const t0 = bench.clock.time;
    stack.write(h, bytes(100));
    bench.take();
    const out = bench.advance(100000);
    assert.deepEqual(out.map((s) => [sentMs(s) - t0, s.seq === out[0].seq, s.payload.length]),
      [[1000, true, 100], [3000, true, 100], [7000, true, 100], [15000, false, 0]]);
    assert.equal(out[3].flags & 0x04, 0x04, 'the last one is a RST');
    assert.equal(out[3].seq, (out[0].seq + 100) >>> 0, 'RST at SND.NXT');
    assert.deepEqual(errors, [ConnectionError.TimedOut]);
    assert.equal(stack.usage().slotsInUse, 0);
    assert.equal(stack.counters.retransmitTimeouts, 1);
    void c;
  });

  it('fast retransmit on the third duplicate ACK', () => {
    const { bench, c, h, stack } = established({ txBytes: 8000, mss: 1000 });
    stack.write(h, bytes(4000));
    const first = bench.take();
    assert.equal(first.length, 4);
    assert.deepEqual(c.segment(ACK), []);
    assert.deepEqual(c.segment(ACK), []);
    const r = wires(c, c.segment(ACK));
    assert.deepEqual(r, [{ flags: '.', seq: 1, ack: 1, len: 1000, win: 1072 }]);
    assert.equal(stack.counters.fastRetransmits, 1);
  });
});

describe('app API ranges', () => {
  // Every offset and length from the app is checked once, where it enters the stack: a bad
  // one throws a RangeError and changes nothing.
  function withData() {
    const e = established();
    e.c.write('hello');
    return e;
  }

  it('read(): a length beyond the buffer throws and loses nothing', () => {
    const { h, stack } = withData();
    assert.throws(() => stack.read(h, new Uint8Array(4), 0, 8), /slotcp read: length 8 is out of range for offset 0 in a buffer of 4 bytes/);
    assert.equal(stack.available(h), 5);
    const all = new Uint8Array(8);
    assert.equal(stack.read(h, all), 5);
    assert.equal(new TextDecoder().decode(all.subarray(0, 5)), 'hello');
  });

  it('read(): an offset beyond the buffer, or negative, throws', () => {
    const { h, stack } = withData();
    assert.throws(() => stack.read(h, new Uint8Array(4), 8), RangeError);
    assert.throws(() => stack.read(h, new Uint8Array(4), -1, 1), RangeError);
    assert.throws(() => stack.read(h, new Uint8Array(4), 2, 3), RangeError);
    assert.throws(() => stack.read(h, new Uint8Array(4), 0, -1), RangeError);
    assert.equal(stack.available(h), 5);
    assert.equal(stack.read(h, new Uint8Array(4), 4), 0, 'offset at the end: nothing to read into');
    assert.equal(stack.read(h, new Uint8Array(4), 1, 3), 3);
    assert.equal(stack.available(h), 2);
  });

  it('read() and readBuffer(): a fractional or non-numeric length throws; rxStart and rxLength stay in step', () => {
    const { h, stack } = withData();
    assert.throws(() => stack.read(h, new Uint8Array(8), 0, 2.5), /slotcp read: length 2.5 is not an integer/);
    assert.throws(() => stack.read(h, new Uint8Array(8), 0.5, 2), /slotcp read: offset 0.5 is not an integer/);
    assert.throws(() => stack.read(h, new Uint8Array(8), NaN, 2), RangeError);
    assert.throws(() => stack.readBuffer(h, 2.5), /slotcp readBuffer: length 2.5/);
    assert.throws(() => stack.readBuffer(h, -1), RangeError);
    assert.equal(stack.available(h), 5);
    const two = stack.readBuffer(h, 2);
    assert.equal(new TextDecoder().decode(new Uint8Array(two!)), 'he');
    const rest = new Uint8Array(8);
    assert.equal(stack.read(h, rest), 3);
    assert.equal(new TextDecoder().decode(rest.subarray(0, 3)), 'llo');
    assert.equal(stack.available(h), 0);
  });

  it('write(): a length or offset beyond the buffer, negative or fractional, throws and queues nothing', () => {
    const { bench, c, h, stack } = established();
    const buf4 = new TextEncoder().encode('abcd');
    assert.throws(() => stack.write(h, buf4, 0, 8), /slotcp write: length 8 is out of range for offset 0 in a buffer of 4 bytes/);
    assert.throws(() => stack.write(h, buf4, 8), RangeError);
    assert.throws(() => stack.write(h, buf4, 3, 2), RangeError);
    assert.throws(() => stack.write(h, buf4, -1, 1), RangeError);
    assert.throws(() => stack.write(h, buf4, 0, 1.5), /slotcp write: length 1.5 is not an integer/);
    assert.deepEqual(bench.take(), []);
    assert.equal(stack.writable(h), 1072, 'txLength untouched');
    assert.equal(stack.write(h, buf4, 1, 3), 3);
    const sent = bench.take();
    assert.deepEqual(wires(c, sent), [{ flags: 'P.', seq: 1, ack: 1, len: 3, win: 1072 }]);
    assert.equal(new TextDecoder().decode(sent[0].payload), 'bcd');
    assert.equal(stack.writable(h), 1069);
  });
});

describe('initial window (config.initialWindow)', () => {
  const firstFlight = (config: Partial<StackConfig>, mss: number, synAckLost = false) => {
    const bench = new Bench({ mss, txBytes: 65536, ...config });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.syn(mss);
    if (synAckLost) assert.equal(bench.advance(1000).length, 1, 'the SYN-ACK again');
    c.segment(ACK);
    const h = bench.stack.accept(0);
    bench.stack.write(h, bytes(60000));
    return bench.take().reduce((sum, s) => sum + s.payload.length, 0);
  };

  it("is RFC 5681's by default, RFC 6928's or N segments when asked", () => {
    assert.equal(firstFlight({}, 1460), 4380);
    assert.equal(firstFlight({}, 1000), 4000);
    assert.equal(firstFlight({ initialWindow: 'rfc6928' }, 1000), 10000);
    assert.equal(firstFlight({ initialWindow: 'rfc6928' }, 1460), 14600);
    assert.equal(firstFlight({ initialWindow: 10 }, 1000), 10000);
    assert.equal(firstFlight({ initialWindow: 2 }, 1000), 2000);
  });

  it('is one segment whatever the config when the SYN-ACK had to be sent again (RFC 5681 §3.1)', () => {
    assert.equal(firstFlight({ initialWindow: 10 }, 1000, true), 1000);
    assert.equal(firstFlight({ initialWindow: 'rfc6928' }, 1000, true), 1000);
  });

  it('computes the RFC formulas in bytes and refuses anything else', () => {
    const config = makeConfig({ localAddr: 1 });
    assert.equal(config.initialWindow, 'rfc5681');
    assert.equal(initialWindowBytes(config, 536), 2144);
    assert.equal(initialWindowBytes({ ...config, initialWindow: 'rfc6928' }, 536), 5360);
    assert.equal(initialWindowBytes({ ...config, initialWindow: 'rfc6928' }, 4000), 14600);
    assert.equal(initialWindowBytes({ ...config, initialWindow: 'rfc6928' }, 8000), 16000);
    assert.equal(initialWindowBytes({ ...config, initialWindow: 10 }, 4000), 40000);
    for (const bad of [0, 65, 2.5, 'rfc3390', '10', null]) {
      assert.throws(() => makeConfig({ localAddr: 1, initialWindow: bad as never }), ConfigError);
    }
  });
});

/** A boolean config key: false by default, true when asked, and anything but true or
 *  false refused. */
function checkBooleanKey(key: 'cwndValidation' | 'rtoMinOnVariance' | 'loneFin'): void {
  assert.equal(makeConfig({ localAddr: 1 })[key], false);
  assert.equal(makeConfig({ localAddr: 1, [key]: true })[key], true);
  for (const bad of [0, 1, 'yes', null]) {
    assert.throws(() => makeConfig({ localAddr: 1, [key]: bad as never }), ConfigError);
  }
}

// The growth itself is pinned by host-test/pkt/data/byte-counting*.pkt and
// cwnd-validation.pkt.
describe('slow start config (byteCountingLimit, cwndValidation)', () => {
  it("defaults to RFC 5681's one MSS per ACK and no validation, and refuses anything else", () => {
    const config = makeConfig({ localAddr: 1 });
    assert.equal(config.byteCountingLimit, 1);
    assert.equal(config.cwndValidation, false);
    assert.equal(makeConfig({ localAddr: 1, byteCountingLimit: 0 }).byteCountingLimit, 0);
    assert.equal(makeConfig({ localAddr: 1, byteCountingLimit: 64 }).byteCountingLimit, 64);
    for (const bad of [-1, 65, 1.5, '2', null]) {
      assert.throws(() => makeConfig({ localAddr: 1, byteCountingLimit: bad as never }), ConfigError);
    }
    checkBooleanKey('cwndValidation');
  });
});

// The RTO itself is pinned by host-test/pkt/timers/rto-min-on-variance.pkt and
// rto-min-on-rto.pkt.
describe('RTO floor config (rtoMinOnVariance)', () => {
  it("defaults to RFC 6298's floor on the whole RTO, and refuses anything but true or false", () => {
    checkBooleanKey('rtoMinOnVariance');
  });
});

// The FIN and its probe are pinned by host-test/pkt/close/lone-fin.pkt and lone-fin-off.pkt.
describe('lone FIN config (loneFin)', () => {
  it('is off by default, and refuses anything but true or false', () => {
    checkBooleanKey('loneFin');
  });
});

// CUBIC and PRR themselves are pinned by host-test/pkt/cubic/*.pkt; Reno by the rest.
describe('congestion control config (congestion)', () => {
  it("is 'reno' by default, takes 'cubic', and refuses anything else", () => {
    assert.equal(makeConfig({ localAddr: 1 }).congestion, 'reno');
    assert.equal(makeConfig({ localAddr: 1, congestion: 'cubic' }).congestion, 'cubic');
    for (const bad of ['Cubic', 'bbr', '', 1, true, null]) {
      assert.throws(() => makeConfig({ localAddr: 1, congestion: bad as never }), ConfigError);
    }
  });
});

// The ACKs themselves are pinned by host-test/pkt/data/quick-acks.pkt.
describe('quick ACK config (quickAcks)', () => {
  it('is off by default, 0 to 64 MSS, and refuses anything else', () => {
    assert.equal(makeConfig({ localAddr: 1 }).quickAcks, 0);
    assert.equal(makeConfig({ localAddr: 1, quickAcks: 64 }).quickAcks, 64);
    for (const bad of [-1, 65, 0.5, '16', true]) {
      assert.throws(() => makeConfig({ localAddr: 1, quickAcks: bad as never }), ConfigError);
    }
  });
});

describe('D-SACK (RFC 2883)', () => {
  it("goes on the first segment sent after the duplicate, data too, which alone gives it room", () => {
    const bench = new Bench({ txBytes: 4096 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect(1460, [1, 1, 4, 2]);
    const h = bench.stack.accept(0);
    let reply = false;
    bench.stack.setEvents({
      acceptable() {}, writable() {}, ended() {}, error() {},
      readable: (hh) => {
        bench.stack.read(hh, new Uint8Array(100));
        if (reply) bench.stack.write(hh, bytes(2000));
      },
    });
    assert.deepEqual(c.write(bytes(10)), []); // delayed ACK
    assert.equal(bench.advance(200).length, 1);
    reply = true;
    // 5 old bytes and 10 new: the reply's first segment carries the ACK and [6, 11) as a
    // D-SACK block (12 option bytes, so 524 bytes of data), the rest full segments.
    c.seq = (c.seq - 5) >>> 0;
    const out = c.write(bytes(15));
    const be = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const dsack = [1, 1, 5, 10, ...be(c.isn + 6), ...be(c.isn + 11)];
    assert.deepEqual(out.map((s) => [s.payload.length, s.ack - c.isn, s.options]),
      [[524, 21, dsack], [536, 21, []], [536, 21, []], [404, 21, []]]);
    assert.equal(bench.stack.counters.dsacksSent, 1);
    void h;
  });
});

// The mark itself is pinned by host-test/pkt/data/notsent-lowat*.pkt.
describe('send low-water mark config (notsentLowat)', () => {
  it('is off (0) by default, takes whole bytes up to 2^30 - 1, and refuses anything else', () => {
    assert.equal(makeConfig({ localAddr: 1 }).notsentLowat, 0);
    assert.equal(makeConfig({ localAddr: 1, notsentLowat: 0x3fffffff }).notsentLowat, 0x3fffffff);
    for (const bad of [-1, 0x40000000, 1.5, '2', null]) {
      assert.throws(() => makeConfig({ localAddr: 1, notsentLowat: bad as never }), {
        name: 'Error', message: `slotcp config: notsentLowat must be an integer from 0 to 1073741823, got ${String(bad)}`,
      });
    }
  });
});

// RACK itself is pinned by host-test/pkt/sack/rack-*.pkt; rack off by the RFC 6675
// scripts that set --rack=0.
describe('RACK config (rack)', () => {
  it('is on by default (RFC 8985 says SHOULD), and refuses anything but true or false', () => {
    assert.equal(makeConfig({ localAddr: 1 }).rack, true);
    assert.equal(makeConfig({ localAddr: 1, rack: false }).rack, false);
    for (const bad of [0, 1, 'yes', null]) {
      assert.throws(() => makeConfig({ localAddr: 1, rack: bad as never }), ConfigError);
    }
  });
});
