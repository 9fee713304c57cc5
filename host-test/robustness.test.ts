// Hardening: fuzzing of the whole receive path, a SYN flood beside a real client, blind
// attacks (RFC 5961) on a live transfer, TIME-WAIT assassination, a churn soak and ISN
// properties. Seeded: set FUZZ_SEED / FUZZ_RUNS to replay or lengthen (npm run fuzz).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Stack } from '../firmware/tcp/stack';
import { Slots, Tcb } from '../firmware/tcp/slots';
import { ACK, FIN, PSH, RST, SYN } from '../firmware/tcp/wire';
import { ChurnDriver, churnConfig } from './support/churn';
import { Bench, CLIENT, Client, SERVER, buildPacket, flagString } from './support/net';

const seed = Number(process.env.FUZZ_SEED ?? 20261122);
const runs = Number(process.env.FUZZ_RUNS ?? 300);

/** Accounting that must hold after any input. */
function checkInvariants(stack: Stack): void {
  const c = stack.counters;
  const usage = stack.usage();
  const rows = stack.connections();
  assert.ok(usage.slotsInUse <= stack.config.slots);
  assert.ok(usage.timeWait <= stack.config.timeWaitCapacity);
  assert.equal(rows.filter((r) => r.handle >= 0).length, usage.slotsInUse, 'every slot in use is listed once');
  assert.equal(rows.filter((r) => r.handle < 0).length, usage.timeWait, 'every TIME-WAIT record is listed once');
  const halfOpen = rows.filter((r) => r.state === 'SYN-RECEIVED').length;
  assert.ok(halfOpen <= stack.config.halfOpenLimit, 'half-open connections within their limit');
  const refused = c.droppedNotIpv4 + c.droppedBadIpHeader + c.droppedFragment + c.droppedNotTcp + c.droppedBadTcpHeader
    + c.droppedBadChecksum + c.droppedBadOptions + c.droppedBadAddress + c.droppedWrongAddress;
  assert.equal(c.packetsIn, c.segmentsIn + refused, 'every packet is either a segment or counted as dropped');
}

/** Two established connections (ports 50001, 50002) the fuzzer must not disturb. */
function liveStack() {
  const bench = new Bench({ slots: 6, timeWaitCapacity: 4 });
  bench.stack.listen(80);
  const clients = [new Client(bench, 80, 50001, 1000), new Client(bench, 80, 50002, 900000)];
  const handles = clients.map((c) => {
    c.connect();
    return bench.stack.accept(0);
  });
  bench.take();
  return { bench, clients, handles };
}

/** Segments seen in real traffic on port 80 from a third client: the mutation corpus. */
const templates: Uint8Array[] = [
  buildPacket({ srcPort: 40000, dstPort: 80, seq: 7, flags: SYN, mss: 1460 }),
  buildPacket({ srcPort: 40000, dstPort: 80, seq: 8, ack: 12345, flags: ACK }),
  buildPacket({ srcPort: 40000, dstPort: 80, seq: 8, ack: 12345, flags: ACK | PSH, data: 'GET / HTTP/1.0\r\n\r\n' }),
  buildPacket({ srcPort: 40000, dstPort: 80, seq: 26, ack: 12345, flags: FIN | ACK }),
  buildPacket({ srcPort: 40000, dstPort: 80, seq: 26, flags: RST }),
  buildPacket({ srcPort: 40000, dstPort: 81, seq: 1, flags: SYN }),
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(0, 2, 3, 6, 9, 32, 33, 46, 47), value: fc.integer({ min: 0, max: 255 }) }),
);

const packet = fc.oneof(
  fc.uint8Array({ maxLength: 120 }).map((bytes) => ({ bytes, fix: false })),
  fc.record({ template: fc.integer({ min: 0, max: templates.length - 1 }), mutations: fc.array(mutation, { maxLength: 4 }), fix: fc.boolean() })
    .map(({ template, mutations, fix }) => {
      let bytes = templates[template].slice();
      for (const m of mutations) {
        if (m.kind === 'truncate') bytes = bytes.slice(0, m.at % (bytes.length + 1));
        else if (bytes.length === 0) continue;
        else if (m.kind === 'flip') bytes[m.at % bytes.length] ^= 1 << m.bit;
        else if (m.kind === 'set') bytes[m.at % bytes.length] = m.value;
        else if (m.field < bytes.length) bytes[m.field] = m.value;
      }
      return { bytes, fix };
    }),
);

/** Recomputes both checksums so mutations reach the TCP logic instead of the checksum test. */
function fixChecksums(p: Uint8Array): void {
  if (p.length < 20 || p[0] >> 4 !== 4) return;
  const ihl = (p[0] & 15) * 4;
  const total = (p[2] << 8) | p[3];
  if (ihl < 20 || total > p.length || total < ihl + 20) return;
  const sum = (from: number, to: number, acc: number) => {
    for (let i = from; i < to; i += 2) acc += (p[i] << 8) | (i + 1 < to ? p[i + 1] : 0);
    while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
    return acc;
  };
  p[10] = p[11] = 0;
  const ip = ~sum(0, ihl, 0) & 0xffff;
  p[10] = ip >> 8; p[11] = ip & 0xff;
  p[ihl + 16] = p[ihl + 17] = 0;
  const pseudo = sum(12, 20, 0) + 6 + (total - ihl);
  const tcp = ~sum(ihl, total, pseudo) & 0xffff;
  p[ihl + 16] = tcp >> 8; p[ihl + 17] = tcp & 0xff;
}

describe('robustness', function () {
  this.timeout(120000);

  it(`fuzzes the receive path (${runs} runs of up to 40 packets, seed ${seed}): nothing thrown, accounting exact, live connections intact`, () => {
    let inputs = 0;
    fc.assert(fc.property(fc.array(packet, { maxLength: 40 }), (list) => {
      const { bench, clients, handles } = liveStack();
      for (const { bytes, fix } of list) {
        if (fix) fixChecksums(bytes);
        bench.stack.receive(bytes, bytes.length);
        inputs++;
        checkInvariants(bench.stack);
        bench.advance(7);
      }
      // The live connections still carry data both ways.
      clients.forEach((c, i) => {
        bench.take();
        c.write('ping');
        const buf = new Uint8Array(16);
        assert.equal(bench.stack.read(handles[i], buf), 4, `connection ${i} still receives`);
        assert.equal(bench.stack.write(handles[i], buf, 0, 4), 4, `connection ${i} still sends`);
      });
    }), { seed, numRuns: runs });
    assert.ok(inputs > runs);
  });

  it(`fuzzes SACK: ${runs} runs of arbitrary ACKs and SACK blocks against data in flight; the scoreboard stays sound and the data still arrives`, () => {
    // Blocks anywhere near the flight: honest, overlapping, reversed, beyond SND.MAX,
    // below SND.UNA, and ACK numbers that move backwards or jump.
    // Edges mostly on the boundaries of segments sent (as a real peer's), sometimes anywhere.
    const edge = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 5 }).map((k) => k * 1460), weight: 4 },
      { arbitrary: fc.integer({ min: -600, max: 9000 }), weight: 1 });
    const block = fc.oneof({ arbitrary: fc.tuple(edge, fc.integer({ min: 1, max: 3 })).map(([l, k]) => [l, l + k * 1460]), weight: 3 },
      { arbitrary: fc.tuple(edge, edge), weight: 1 });
    const event = fc.record({
      ack: edge,
      blocks: fc.array(block, { maxLength: 4 }),
      window: fc.constantFrom(65535, 65535, 3000, 0),
      ms: fc.constantFrom(0, 0, 5, 300, 1200),
    });
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      const bench = new Bench({ rxBytes: 4096, txBytes: 8192, rtoMinMs: 200, maxRetries: 30 });
      bench.stack.listen(80);
      const c = new Client(bench, 80, 40000, 5000);
      c.connect(1460, [1, 1, 4, 2]);
      const h = bench.stack.accept(0);
      const data = new Uint8Array(8192).map((_, i) => (i * 13) & 0xff);
      assert.equal(bench.stack.write(h, data), 8192);
      const slots = (bench.stack as unknown as { core: { slots: Slots } }).core.slots;
      const base = (c.serverIsn + 1) >>> 0;
      const seen = new Uint8Array(8192);
      const got = new Uint8Array(8192);
      const collect = (list: { seq: number; payload: Uint8Array }[]) => {
        for (const s of list) {
          const at = (s.seq - base) | 0;
          for (let i = 0; i < s.payload.length; i++) {
            if (at + i >= 0 && at + i < 8192) {
              got[at + i] = s.payload[i];
              seen[at + i] = 1;
            }
          }
        }
      };
      collect(bench.take());
      for (const e of events) {
        const options = e.blocks.length === 0 ? undefined : [1, 1, 5, 2 + 8 * e.blocks.length,
          ...e.blocks.flatMap(([l, r]) => [base + l, base + r].flatMap((v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]))];
        c.ack = (base + e.ack) >>> 0;
        c.window = e.window;
        collect(c.segment(ACK, { options }));
        collect(bench.advance(e.ms));
        checkScoreboard();
      }
      // The scoreboard: at most 4 ranges, each non-empty, within (SND.UNA, SND.MAX], none
      // overlapping or touching another.
      function checkScoreboard() {
        const n = slots.tcb[0 * Tcb.ROW + Tcb.sackedCount];
        assert.ok(n <= 4);
        const una = slots.tcb[0 * Tcb.ROW + Tcb.sndUna];
        const max = slots.tcb[0 * Tcb.ROW + Tcb.sndMax];
        for (let k = 0; k < n; k++) {
          const a = slots.tcb[Tcb.sackedStart + k];
          const b = slots.tcb[Tcb.sackedEnd + k];
          assert.ok(((b - a) | 0) > 0 && ((a - una) | 0) > 0 && ((max - b) | 0) >= 0, `range ${a - una}..${b - una} outside (0, ${max - una}]`);
          for (let j = k + 1; j < n; j++) {
            assert.ok(((slots.tcb[Tcb.sackedStart + j] - b) | 0) > 0 || ((a - slots.tcb[Tcb.sackedEnd + j]) | 0) > 0, 'ranges apart');
          }
        }
      }
      // An honest peer from here on: it ACKs what it has, the stack resends the rest (timers
      // included), and every byte arrives as written.
      c.window = 65535;
      for (let round = 0; round < 200; round++) {
        let next = 0;
        while (next < 8192 && seen[next]) next++;
        c.ack = (base + next) >>> 0;
        collect(c.segment(ACK));
        checkScoreboard();
        if (next === 8192) break;
        collect(bench.advance(250));
      }
      assert.ok(seen.every((x) => x === 1), 'every byte was sent');
      assert.deepEqual(got, data, 'and is the byte written');
      assert.equal(bench.stack.state(h), 'ESTABLISHED');
      assert.deepEqual([(slots.tcb[0 * Tcb.ROW + Tcb.sndUna] - base) | 0, slots.tcb[0 * Tcb.ROW + Tcb.sackedCount]], [8192, 0], 'all acknowledged, nothing left on the scoreboard');
    }), { seed, numRuns: runs });
  });

  it('serves a real client through a flood of 100,000 spoofed SYNs, with half-open connections bounded', () => {
    const d = new ChurnDriver(churnConfig);
    const before = d.stack.memory();
    let served = 0;
    for (let round = 0; round < 10; round++) {
      assert.equal(d.flood(10000, round * 10000), 10000, 'every spoofed SYN answered (SYN-ACK or cookie), none kept beyond the limit');
      checkInvariants(d.stack);
      // A real client arriving mid-flood: handshake, 100 bytes each way, close.
      if (d.connection(5000 + round, round * 77777)) served++;
    }
    assert.equal(served, 10, 'the real client was served every time, within its own round trip');
    assert.equal(d.stack.counters.passiveOpens, 10 + d.stack.config.halfOpenLimit);
    assert.equal(d.stack.counters.synCookiesAccepted, 10);
    assert.equal(d.stack.counters.synCookiesSent, 100000 + 10 - d.stack.config.halfOpenLimit);
    assert.deepEqual(d.stack.memory(), before);
  });

  it('survives blind RST, SYN and data injection across the whole sequence space during a transfer', () => {
    const bench = new Bench({ rxBytes: 4096, challengeAcksPerSecond: 10 });
    bench.stack.listen(80);
    const c = new Client(bench, 80, 40000, 5000);
    c.connect();
    const h = bench.stack.accept(0);
    const received: number[] = [];
    const sentByClient: number[] = [];
    const buf = new Uint8Array(4096);
    let challengeAcks = 0;
    for (let chunk = 0; chunk < 40; chunk++) {
      const data = new Uint8Array(500).map((_, i) => (chunk * 31 + i) & 0xff);
      c.write(data);
      sentByClient.push(...data);
      // Attacker: RSTs and SYNs at 64 positions around and far from the window (never the
      // exact RCV.NXT, which a blind attacker cannot know), and data with ACKs outside
      // [SND.UNA - MAX.SND.WND, SND.NXT].
      for (let k = 0; k < 64; k++) {
        const offset = ((k * 0x4000001) | 0) + 1 + (k % 2 === 0 ? (k * 37) % 4096 : 0);
        const spoof = (c.seq + offset) | 0;
        const replies = [
          ...bench.send({ srcPort: 40000, dstPort: 80, seq: spoof >>> 0, flags: RST }),
          ...bench.send({ srcPort: 40000, dstPort: 80, seq: spoof >>> 0, flags: SYN }),
          ...bench.send({ srcPort: 40000, dstPort: 80, seq: c.seq, ack: (c.ack + 100000 + k) >>> 0, flags: ACK | PSH, data: 'EVIL' }),
          ...bench.send({ srcPort: 40000, dstPort: 80, seq: c.seq, ack: (c.ack - 100000 - k) >>> 0, flags: ACK | PSH, data: 'EVIL' }),
        ];
        for (const r of replies) {
          assert.equal(flagString(r.flags), '.', 'only ACKs answer the attacker');
          challengeAcks++;
        }
      }
      const n = bench.stack.read(h, buf);
      received.push(...buf.subarray(0, n));
      bench.advance(100);
    }
    assert.equal(bench.stack.state(h), 'ESTABLISHED');
    assert.deepEqual(received, sentByClient, 'the transfer is intact and nothing injected was accepted');
    // 10,240 spoofed segments over 4 s of virtual time: at most 10 challenge ACKs a second
    // (stack-wide) and one out-of-window ACK per 500 ms (per connection) went out.
    assert.ok(challengeAcks <= 10 * 5 + 9, `${challengeAcks} ACKs to the attacker`);
    assert.ok(bench.stack.counters.challengeAcksSuppressed > 0);
    assert.ok(bench.stack.counters.outOfWindowAcksSuppressed > 0);
  });

  it('ignores RSTs aimed at TIME-WAIT records (RFC 1337)', () => {
    const d = new ChurnDriver({ timeWaitCapacity: 8 });
    d.churn(8, 20000);
    const records = () => d.stack.connections().filter((r) => r.state === 'TIME-WAIT')
      .map((r) => `${r.remoteAddr}:${r.remotePort}>${r.localPort}`).sort();
    const before = records();
    // The records' own 4-tuples: churn(8, 20000) used client ports 1024 + 20000 + i.
    assert.deepEqual(before.map((r) => Number(r.split(':')[1].split('>')[0])), [21024, 21025, 21026, 21027, 21028, 21029, 21030, 21031]);
    const counters = d.stack.counters;
    const sentBefore = counters.segmentsOut;
    let rsts = 0;
    for (let i = 0; i < 8; i++) {
      // Across the whole sequence space, and exactly at the record's RCV.NXT (the client's
      // ISN + SYN + 100 bytes + FIN).
      const rcvNxt = (Math.imul(i, 7919 * 65536) + 102) >>> 0;
      for (const seq of [rcvNxt, ...Array.from({ length: 256 }, (_, k) => k * 0x1000000)]) {
        d.stack.receive(buildPacket({ src: CLIENT, srcPort: 21024 + i, dstPort: 80, seq, flags: RST }));
        rsts++;
      }
    }
    assert.deepEqual(records(), before, 'every record still there');
    assert.equal(counters.droppedResets, rsts, 'each RST ignored by its record');
    assert.equal(counters.segmentsOut, sentBefore, 'and none answered');
  });

  it('churns 100,000 connections through 4 slots and 8 TIME-WAIT records', () => {
    const d = new ChurnDriver({ slots: 4, timeWaitCapacity: 8 });
    assert.equal(d.churn(100000), 100000);
    const c = d.stack.counters;
    assert.deepEqual(d.stack.usage(), { slotsInUse: 0, timeWait: 8 });
    assert.equal(c.passiveOpens, 100000);
    assert.equal(c.timeWaitEntered, 100000);
    assert.equal(c.timeWaitEvicted + c.timeWaitExpired + 8, 100000);
    assert.equal(c.resetsSent, 0);
  });

  it('makes ISNs that grow with time for one 4-tuple and differ across 4-tuples and keys (RFC 6528)', () => {
    const isnAt = (time: number, port: number, key: number) => {
      const bench = new Bench({}, key);
      bench.clock.time = time;
      bench.stack.listen(80);
      return bench.send({ src: CLIENT, dst: SERVER, srcPort: port, dstPort: 80, seq: 1, flags: SYN })[0].seq;
    };
    const t0 = isnAt(1000, 40000, 1);
    assert.equal((isnAt(1001, 40000, 1) - t0) >>> 0, 250, '4 µs ticks: +250 a millisecond');
    assert.equal((isnAt(61000, 40000, 1) - t0) >>> 0, 15000000);
    const others = [isnAt(1000, 40001, 1), isnAt(1000, 40000, 2), isnAt(1000, 40002, 1)];
    for (const o of others) assert.notEqual(o, t0);
    assert.equal(new Set(others).size, 3);
  });
});
