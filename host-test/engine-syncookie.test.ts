// SYN cookies (RFC 4987 §3.6): beyond halfOpenLimit half-open connections, SYNs are
// answered statelessly; the ACK returning a valid cookie opens the connection.
import assert from 'node:assert/strict';
import { ACK, PSH, SYN } from '../firmware/tcp/wire';
import { Bench, Client, flagString, sentMs, wires } from './support/net';
import { mssOption } from '../host/pkt/segments';

/** Fills the half-open allowance with SYNs that are never completed. */
function halfOpen(bench: Bench, count: number): void {
  for (let i = 0; i < count; i++) assert.equal(bench.send({ srcPort: 30000 + i, dstPort: 80, seq: 7, flags: SYN }).length, 1);
}

describe('SYN cookies', () => {
  it('answers a SYN with a cookie once half-open connections reach the limit, keeping no state', () => {
    const bench = new Bench({ slots: 4 });
    bench.stack.listen(80);
    halfOpen(bench, 2); // default limit: half of 4 slots
    const c = new Client(bench, 80);
    const synAck = c.segment(SYN, { mss: 1460 });
    assert.equal(synAck.length, 1);
    assert.equal(flagString(synAck[0].flags), 'S.');
    assert.equal(synAck[0].ack, c.seq + 1);
    assert.equal(mssOption(synAck[0].options), 536);
    assert.equal(synAck[0].window, 1072);
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 2, timeWait: 0 }, 'no slot taken by the cookie');
    assert.equal(bench.stack.counters.synCookiesSent, 1);
    assert.deepEqual(bench.advance(5000).filter((s) => s.dstPort === c.port), [], 'a cookie SYN-ACK is never retransmitted');
  });

  it('opens the connection when the ACK returns a valid cookie, with the MSS it carries', () => {
    const bench = new Bench({ slots: 4, mss: 1460, txBytes: 4000, rxBytes: 4000 });
    bench.stack.listen(80, { noDelay: true });
    halfOpen(bench, 2);
    const c = new Client(bench, 80);
    c.connect(1400); // the cookie's MSS table holds 1360 as the largest value not above 1400
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const h = bench.stack.accept(0);
    assert.equal(bench.stack.state(h), 'ESTABLISHED');
    bench.stack.write(h, new Uint8Array(2000));
    assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1360, 640]);
  });

  it("offers the listener's mss (TCP_MAXSEG) in a cookie SYN-ACK and caps the send MSS by it", () => {
    const bench = new Bench({ halfOpenLimit: 0, mss: 1460, txBytes: 4000, rxBytes: 4000 });
    bench.stack.listen(80, { noDelay: true, mss: 1000 });
    const c = new Client(bench, 80);
    assert.equal(mssOption(c.connect(1460).options), 1000);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(1500));
    // The cookie carries 1460 (its MSS table's largest not above the SYN's); ours caps it.
    assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [1000, 500]);
  });

  it('sends a cookie SYN-ACK without options for a listener with noOptions (TCP_NOOPT), the second beside one with options', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(79);
    bench.stack.listen(80, { noOptions: true });
    const c = new Client(bench, 80);
    assert.deepEqual(c.connect(1460, [4, 2]).options, []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    assert.equal(mssOption(new Client(bench, 79, 40001).connect(1460).options), 536, 'the first listener offers its MSS');
  });

  it("sends a cookie SYN-ACK with the listener's tos and ttl, and the connection it opens keeps them", () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80, { tos: 0xb8, ttl: 9, noDelay: true });
    const c = new Client(bench, 80);
    const synAck = c.connect(1460);
    assert.deepEqual([flagString(synAck.flags), synAck.tos, synAck.ttl], ['S.', 0xb8, 9]);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(10));
    assert.deepEqual(bench.take().map((s) => [s.payload.length, s.tos, s.ttl]), [[10, 0xb8, 9]]);
  });

  it('takes data on the ACK that completes a cookie handshake', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.syn();
    assert.deepEqual(c.write('hello', ACK | PSH), []);
    const h = bench.stack.accept(0);
    assert.equal(bench.stack.available(h), 5);
    assert.deepEqual(wires(c, bench.advance(200)), [{ flags: '.', seq: 1, ack: 6, len: 0, win: 1067 }]);
  });

  it('resets an ACK whose cookie is wrong, and one that comes back too late', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    const synAck = bench.send({ dstPort: 80, seq: 100, flags: SYN })[0];
    const wrong = bench.send({ dstPort: 80, seq: 101, ack: (synAck.seq + 9) >>> 0, flags: ACK });
    assert.deepEqual(wrong.map((s) => flagString(s.flags)), ['R']);
    bench.advance(140000); // cookies live for one to two 65.5 s clock counts
    const late = bench.send({ dstPort: 80, seq: 101, ack: (synAck.seq + 1) >>> 0, flags: ACK });
    assert.deepEqual(late.map((s) => flagString(s.flags)), ['R']);
    assert.equal(bench.stack.usage().slotsInUse, 0);
  });

  it('binds the cookie to the client ISN and ports', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    const synAck = bench.send({ srcPort: 40000, dstPort: 80, seq: 100, flags: SYN })[0];
    const otherPort = bench.send({ srcPort: 40001, dstPort: 80, seq: 101, ack: (synAck.seq + 1) >>> 0, flags: ACK });
    const otherIsn = bench.send({ srcPort: 40000, dstPort: 80, seq: 5001, ack: (synAck.seq + 1) >>> 0, flags: ACK });
    assert.deepEqual([...otherPort, ...otherIsn].map((s) => flagString(s.flags)), ['R', 'R']);
    assert.equal(bench.stack.counters.synCookiesAccepted, 0);
  });

  it('keeps a cookie client whose first segment found every slot taken: no RST, it gets in later', () => {
    const bench = new Bench({ slots: 1, halfOpenLimit: 0 });
    bench.stack.listen(80, { backlog: 1 });
    const a = new Client(bench, 80, 40001);
    a.connect();
    const ha = bench.stack.accept(0);
    // b's SYN came while the slot was free; its ACK and data arrive after a took it.
    const b = new Client(bench, 80, 40002);
    bench.stack.abort(ha);
    bench.take();
    b.syn();
    const c = new Client(bench, 80, 40003);
    c.connect(); // takes the only slot
    bench.take();
    assert.deepEqual(b.write('first'), [], 'valid cookie, no room: dropped');
    assert.deepEqual(b.write('second'), [], 'a later segment cannot prove the cookie: dropped, not reset');
    assert.equal(bench.stack.counters.droppedCookieFollowers, 1);
    bench.stack.abort(bench.stack.accept(0));
    bench.take();
    b.seq = (b.seq - 11) >>> 0; // the client retransmits from its first byte
    b.write('firstsecond');
    const hb = bench.stack.accept(0);
    assert.equal(bench.stack.available(hb), 11);
  });

  it('still resets a stray ACK carrying data when no cookie has been sent', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const r = bench.send({ dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(r.map((s) => flagString(s.flags)), ['R']);
  });

  it('forgets its cookies across the clock wrap: a data ACK 2^31 ms after the last cookie is reset, not held', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    bench.send({ srcPort: 40001, dstPort: 80, seq: 100, flags: SYN });
    assert.equal(bench.stack.counters.synCookiesSent, 1);
    const held = bench.send({ srcPort: 40002, dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(held, [], 'within the cookie lifetime: taken for a cookie client\'s follower');
    bench.advance(2 ** 31 + 1);
    const stray = bench.send({ srcPort: 40002, dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(stray.map((s) => flagString(s.flags)), ['R']);
    assert.equal(bench.stack.counters.droppedCookieFollowers, 1);
  });

  /** A correct cookie ACK for a 4-tuple, made by a twin stack (same seed, so the same
   *  SipHash keys) that answers the SYN by cookie at the same time. */
  function twinCookieAck(at: number, srcPort: number, isn: number) {
    const twin = new Bench({ halfOpenLimit: 0 });
    twin.clock.time = at;
    twin.stack.listen(80);
    const synAck = twin.send({ srcPort, dstPort: 80, seq: isn, flags: SYN, mss: 1460 })[0];
    assert.equal(twin.stack.counters.synCookiesSent, 1);
    return { srcPort, dstPort: 80, seq: isn + 1, ack: (synAck.seq + 1) >>> 0, flags: ACK };
  }

  /** Counts the stack's SipHash computations (ISNs and cookies share one hasher). */
  function countHashes(bench: Bench): { n: number } {
    const hash = (bench.stack as unknown as { core: { hash: { hash: (...a: unknown[]) => void } } }).core.hash;
    const counter = { n: 0 };
    const original = hash.hash.bind(hash);
    hash.hash = (...a: unknown[]) => { counter.n++; original(...a); };
    return counter;
  }

  it('refuses a correct cookie with a RST, without hashing, when it has sent no cookie', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const hashes = countHashes(bench);
    const r = bench.send(twinCookieAck(0, 40002, 500));
    assert.deepEqual(r.map((s) => flagString(s.flags)), ['R']);
    assert.equal(r[0].seq, ((twinCookieAck(0, 40002, 500).ack) >>> 0), '<SEQ=SEG.ACK><CTL=RST>, as for no connection');
    assert.equal(hashes.n, 0, 'no SipHash computed');
    assert.equal(bench.stack.counters.synCookiesAccepted, 0);
    assert.equal(bench.stack.usage().slotsInUse, 0);
  });

  it('accepts a correct cookie only while a cookie it sent may still be valid', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    bench.send({ srcPort: 40001, dstPort: 80, seq: 100, flags: SYN }); // overflow: a cookie goes out
    const hashes = countHashes(bench);
    assert.deepEqual(bench.send(twinCookieAck(0, 40002, 500)), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    assert.ok(hashes.n > 0, 'checked by SipHash');
    // The last cookie went out at 0 (clock count 0): valid through count 1, up to 131071 ms.
    bench.advance(131071);
    assert.deepEqual(bench.send(twinCookieAck(131071, 40003, 700)), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 2);
    bench.advance(1); // count 2: no cookie sent can be valid any more
    hashes.n = 0;
    const late = bench.send(twinCookieAck(131072, 40004, 900));
    assert.deepEqual(late.map((s) => flagString(s.flags)), ['R']);
    assert.equal(hashes.n, 0);
    assert.equal(bench.stack.counters.synCookiesAccepted, 2);
  });

  it('answers Window Scale with none by cookie (the cookie cannot keep the shift): windows are not scaled, even by an option on the ACK', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    assert.deepEqual(c.syn(1460, [1, 1, 4, 2, 1, 3, 3, 7]).options, [2, 4, 2, 24]);
    c.window = 100;
    assert.deepEqual(c.segment(ACK, { options: [1, 3, 3, 7] }), []); // RFC 7323 §2.2: only a SYN's counts
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const info = { state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false, sndWscale: 0, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0,
      sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0 };
    assert.ok(bench.stack.info(bench.stack.accept(0), info));
    assert.deepEqual([info.sndWnd, info.sndWscale], [100, -1]);
  });

  it('takes 536 as the MSS of a cookie client whose SYN had no MSS option (RFC 9293 §3.7.1)', () => {
    const bench = new Bench({ halfOpenLimit: 0, mss: 1460, txBytes: 2000 });
    bench.stack.listen(80, { noDelay: true });
    const c = new Client(bench, 80);
    const synAck = c.segment(SYN, { mss: 0 });
    assert.equal(bench.stack.counters.synCookiesSent, 1);
    c.serverIsn = synAck[0].seq;
    c.seq = (c.seq + 1) >>> 0;
    c.ack = (synAck[0].seq + 1) >>> 0;
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(1000));
    assert.deepEqual(wires(c, bench.take()).map((w) => w.len), [536, 464]);
  });

  it('takes no RTT sample from a cookie handshake (its SYN-ACK was not timed), in a slot other than the first', () => {
    const bench = new Bench({ slots: 2, halfOpenLimit: 1, rtoInitialMs: 3000 });
    bench.stack.listen(80, { noDelay: true });
    halfOpen(bench, 1); // slot 0, and the limit reached
    const c = new Client(bench, 80);
    bench.clock.time = 100;
    c.syn();
    bench.clock.time = 150;
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
    const h = bench.stack.accept(0);
    const info = { state: '', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0, retransmits: 0, probes: 0, mss: 0, advMss: 0, sackOk: false, sndWscale: -1, userTimeout: 0, notsentLowat: 0, tos: 0, ttl: 0,
      sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0 };
    assert.ok(bench.stack.info(h, info));
    assert.deepEqual([info.srtt, info.rttvar, info.rto], [0, 0, 3000], 'no sample: the initial RTO');
    bench.stack.write(h, new Uint8Array(10));
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'P.', seq: 1, ack: 1, len: 10, win: 1072 }]);
    const resent = bench.advance(3000).filter((s) => s.dstPort === c.port);
    assert.deepEqual(resent.map((s) => [sentMs(s), c.rel(s.seq), s.payload.length]), [[3150, 1, 10]], 'resent after the initial RTO');
  });

  it('accepts a correct cookie late in the clock\'s range (now + the last cookie\'s time would overflow 32 bits)', () => {
    const at = 0x7fff0000; // 2^31 - 65536 ms: count 32767
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.clock.time = at;
    bench.stack.listen(80);
    bench.send({ srcPort: 40001, dstPort: 80, seq: 100, flags: SYN });
    assert.equal(bench.stack.counters.synCookiesSent, 1);
    bench.advance(1000);
    assert.deepEqual(bench.send(twinCookieAck(at + 1000, 40002, 500)), []);
    assert.equal(bench.stack.counters.synCookiesAccepted, 1);
  });

  it('resets a data ACK that comes a little under 2^32 ms after the last cookie, in the same clock count', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.clock.time = 60000; // low 16 bits 60000: count 0
    bench.stack.listen(80);
    bench.send({ srcPort: 40001, dstPort: 80, seq: 100, flags: SYN });
    assert.equal(bench.stack.counters.synCookiesSent, 1);
    bench.advance(2 ** 32 - 50000); // clock 2^32 + 10000: count 0 again, the gap reads -50000
    const stray = bench.send({ srcPort: 40002, dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(stray.map((s) => flagString(s.flags)), ['R']);
    assert.equal(bench.stack.counters.droppedCookieFollowers, 0);
  });

  it('does not revive its cookies once found stale, when the clock comes round to their count again', () => {
    const bench = new Bench({ halfOpenLimit: 0 });
    bench.stack.listen(80);
    bench.send({ srcPort: 40001, dstPort: 80, seq: 100, flags: SYN });
    bench.advance(200000); // stale: found so by the next ACK
    const stale = bench.send({ srcPort: 40002, dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(stale.map((s) => flagString(s.flags)), ['R']);
    bench.advance(2 ** 32 - 200000 + 10); // clock 2^32 + 10: the last cookie's count, and a gap of 10
    const later = bench.send({ srcPort: 40002, dstPort: 80, seq: 5, ack: 77, flags: ACK | PSH, data: 'x' });
    assert.deepEqual(later.map((s) => flagString(s.flags)), ['R']);
    assert.equal(bench.stack.counters.droppedCookieFollowers, 0);
  });
});
