// SACK end to end on the virtual clock: slotcp sends 256 KB to a model receiver over a
// seeded lossy path (data and ACKs dropped, segments reordered), the receiver answering
// as RFC 2018 says (up to four blocks, the newest first). Every byte must arrive intact,
// and the same paths must need fewer retransmission timeouts with SACK than without.
import assert from 'node:assert/strict';
import { ACK } from '../firmware/tcp/wire';
import { Bench, Client, buildPacket } from './support/net';
import { SentSegment } from '../host/pkt/segments';
import { Prng } from '../host/prng';

const TOTAL = 262144;
const SACK_PERMITTED = [1, 1, 4, 2];

/** The far end: reassembles what arrives and ACKs every segment, with SACK blocks for
 *  what it holds out of order. Sequence numbers are relative to the server's ISN + 1. */
class Receiver {
  readonly data = new Uint8Array(TOTAL);
  next = 0;
  /** Held out-of-order ranges, the newest first. */
  ranges: [number, number][] = [];

  take(at: number, bytes: Uint8Array): void {
    const end = at + bytes.length;
    if (end <= this.next) return;
    this.data.set(bytes.subarray(0, Math.min(bytes.length, TOTAL - at)), at);
    let start = at;
    let stop = end;
    // Merge with every held range it touches; the result is the newest.
    this.ranges = this.ranges.filter(([a, b]) => {
      if (a > stop || b < start) return true;
      start = Math.min(start, a);
      stop = Math.max(stop, b);
      return false;
    });
    if (start <= this.next) {
      this.next = Math.max(this.next, stop);
      this.ranges = this.ranges.filter(([, b]) => b > this.next);
    } else {
      this.ranges.unshift([start, stop]);
    }
  }

  sackOption(base: number, sack: boolean): number[] | undefined {
    if (!sack || this.ranges.length === 0) return undefined;
    const blocks = this.ranges.slice(0, 4);
    const bytes = [1, 1, 5, 2 + 8 * blocks.length];
    for (const [a, b] of blocks) {
      for (const v of [(base + a) >>> 0, (base + b) >>> 0]) bytes.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    }
    return bytes;
  }
}

interface Outcome {
  intact: boolean;
  virtualMs: number;
  timeouts: number;
  sackRetransmits: number;
  lostResends: number;
  lossProbes: number;
}

function transfer(seed: number, sack: boolean, loss: number): Outcome {
  const bench = new Bench({ slots: 2, mss: 1000, rxBytes: 4096, txBytes: 16384, rtoMinMs: 200, sack });
  bench.stack.listen(80);
  const client = new Client(bench, 80, 40000, 5000);
  const synAck = client.connect(1000, SACK_PERMITTED);
  const agreed = synAck.options.join(',').includes('4,2');
  assert.equal(agreed, sack, 'SACK is agreed exactly when configured');
  const h = bench.stack.accept(0);
  const source = new Uint8Array(TOTAL);
  for (let i = 0; i < TOTAL; i++) source[i] = (i * 7 + (i >>> 8)) & 0xff;
  let written = 0;
  const receiver = new Receiver();
  const prng = new Prng(seed);
  const random = () => prng.next();
  const base = (client.serverIsn + 1) >>> 0;
  let held: SentSegment | undefined;

  const deliver = (s: SentSegment) => {
    if (s.payload.length > 0) receiver.take((s.seq - base) >>> 0, s.payload);
    if (random() < loss) return; // the ACK is lost
    client.ack = (base + receiver.next) >>> 0;
    bench.stack.receive(ackPacket(client, receiver.sackOption(base, sack)));
  };

  for (let step = 0; step < 100000 && receiver.next < TOTAL; step++) {
    if (written < TOTAL) written += bench.stack.write(h, source, written, TOTAL - written);
    let out = bench.take();
    // Nothing on the way: let time pass so the timers (the RTO above all) can act.
    if (out.length === 0) out = bench.advance(10);
    for (const s of out) {
      if (random() < loss) continue; // the segment is lost
      if (!held && random() < 0.05) {
        held = s; // reordered: delivered after the next one
        continue;
      }
      deliver(s);
      if (held) {
        const late = held;
        held = undefined;
        deliver(late);
      }
    }
  }
  const c = bench.stack.counters;
  return {
    intact: receiver.next === TOTAL && same(receiver.data, source),
    virtualMs: bench.clock.time,
    timeouts: c.retransmitTimerExpiries,
    sackRetransmits: c.sackRetransmits,
    lostResends: c.lostResends,
    lossProbes: c.lossProbes,
  };
}

/** The receiver's ACK as bytes (Client.segment() would hand it to the stack at once). */
function ackPacket(client: Client, options: number[] | undefined): Uint8Array {
  return buildPacket({ srcPort: client.port, dstPort: client.serverPort, seq: client.seq, ack: client.ack, flags: ACK,
    window: client.window, options });
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('SACK over a lossy path (virtual clock)', function () {
  this.timeout(60000);
  const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i * 7919);

  it('delivers 256 KB intact through 5% and 15% loss of data and ACKs, with SACK and without', () => {
    for (const loss of [0.05, 0.15]) {
      for (const seed of seeds) {
        for (const sack of [true, false]) {
          const r = transfer(seed, sack, loss);
          assert.ok(r.intact, `seed ${seed}, loss ${loss}, sack ${sack}: not delivered intact after ${r.virtualMs} virtual ms`);
        }
      }
    }
  });

  it('needs fewer retransmission timeouts with SACK (and its tail loss probes) than with NewReno alone on the same paths', () => {
    let withSack = 0;
    let without = 0;
    let sackRetransmits = 0;
    let lostResends = 0;
    let lossProbes = 0;
    for (const seed of seeds) {
      const a = transfer(seed, true, 0.05);
      const b = transfer(seed, false, 0.05);
      withSack += a.timeouts;
      without += b.timeouts;
      sackRetransmits += a.sackRetransmits;
      lostResends += a.lostResends;
      lossProbes += a.lossProbes;
      assert.equal(b.lossProbes, 0, 'no tail loss probes without SACK');
    }
    // (XS has no console: the figures are in the failure message there.)
    globalThis.console?.log(`      ${seeds.length} transfers at 5% loss: ${withSack} timeouts with SACK, ${without} without; `
      + `${sackRetransmits} holes resent from the scoreboard, ${lostResends} lost resends found, ${lossProbes} tail loss probes`);
    assert.ok(sackRetransmits > 0, 'the scoreboard resent holes');
    assert.ok(lostResends > 0, 'lost resends were found without a timeout');
    assert.ok(lossProbes > 0, 'tail loss probes went out');
    assert.ok(withSack < without, `${withSack} timeouts with SACK, ${without} without`);
  });
});
