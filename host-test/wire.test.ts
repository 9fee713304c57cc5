// The codec and bad input: every malformed packet is dropped and counted, never thrown.
import assert from 'node:assert/strict';
import { finishChecksum, sumBytes } from '../firmware/tcp/checksum';
import { seqAdd, seqDiff, seqGe, seqGt, seqInRange, seqLe, seqLt } from '../firmware/tcp/seq';
import { ACK, SYN, Seg, newSegment, parseIpv4, parsePacket } from '../firmware/tcp/wire';
import { Bench, CLIENT, SERVER, buildPacket } from './support/net';

describe('sequence arithmetic', () => {
  it('orders numbers across the 2^32 wrap', () => {
    assert.ok(seqLt(0xfffffff0, 5));
    assert.ok(seqGt(5, 0xfffffff0));
    assert.ok(seqLe(7, 7) && seqGe(7, 7));
    assert.ok(!seqLt(5, 0xfffffff0));
    assert.equal(seqAdd(0xffffffff, 2), 1);
    assert.equal(seqDiff(1, 0xffffffff), 2);
    assert.ok(seqInRange(2, 0xfffffffe, 10));
    assert.ok(!seqInRange(10, 0xfffffffe, 10));
  });
});

describe('checksum', () => {
  it('matches the RFC 1071 worked example', () => {
    const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    assert.equal(finishChecksum(sumBytes(bytes, 0, 8, 0)), ~0xddf2 & 0xffff);
  });
});

describe('packet parsing', () => {
  it('parses a valid SYN with MSS, NOP, an unknown option and EOL', () => {
    const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN, mss: 1400 });
    const seg = newSegment();
    assert.equal(parsePacket(p, p.length, seg), 0);
    assert.deepEqual([seg[Seg.srcAddr] >>> 0, seg[Seg.dstAddr] >>> 0, seg[Seg.dstPort], seg[Seg.seq], seg[Seg.flags], seg[Seg.mss]], [CLIENT, SERVER, 80, 1, SYN, 1400]);
    assert.equal(parseIpv4('192.0.2.300'), -1);
  });

  function withOptions(options: number[]): Uint8Array {
    const padded = [...options];
    while (padded.length % 4) padded.push(0);
    const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN });
    const out = new Uint8Array(p.length + padded.length);
    out.set(p.subarray(0, 40));
    out.set(padded, 40);
    out[3] = out.length; // total length (small packets)
    out[32] = ((20 + padded.length) / 4) << 4;
    fixChecksums(out);
    return out;
  }

  function fixChecksums(p: Uint8Array): void {
    p[10] = p[11] = 0;
    const ip = finishChecksum(sumBytes(p, 0, 20, 0));
    p[10] = ip >> 8; p[11] = ip & 0xff;
    p[36] = p[37] = 0;
    const tcpLength = p.length - 20;
    let sum = sumBytes(p, 12, 8, 0) + 6 + tcpLength;
    sum = sumBytes(p, 20, tcpLength, sum);
    const t = finishChecksum(sum);
    p[36] = t >> 8; p[37] = t & 0xff;
  }

  it('skips unknown options by length and stops at EOL', () => {
    const seg = newSegment();
    const p = withOptions([1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 2, 4, 5, 0xb4, 0]);
    assert.equal(parsePacket(p, p.length, seg), 0);
    assert.equal(seg[Seg.mss], 1460);
  });

  it('parses SACK-permitted and up to four SACK blocks as signed 32-bit edges', () => {
    const seg = newSegment();
    const p = withOptions([1, 1, 4, 2]);
    assert.equal(parsePacket(p, p.length, seg), 0);
    assert.deepEqual([seg[Seg.sackPermitted], seg[Seg.sackCount]], [1, 0]);
    const edges = [0x10, 0x20, 0xfffffff0, 0x8];
    const block = edges.flatMap((v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
    const q = withOptions([1, 1, 5, 18, ...block]);
    assert.equal(parsePacket(q, q.length, seg), 0);
    assert.deepEqual([seg[Seg.sackPermitted], seg[Seg.sackCount], ...seg.subarray(Seg.sackBlocks, Seg.sackBlocks + 4)], [0, 2, 0x10, 0x20, -16, 8]);
    const four = withOptions([1, 1, 5, 34, ...block, ...block]);
    assert.equal(parsePacket(four, four.length, seg), 0);
    assert.equal(seg[Seg.sackCount], 4);
  });

  const bad: [string, () => Uint8Array, keyof import('../firmware/tcp/counters').Counters][] = [
    ['truncated IPv4 header', () => buildPacket({ dstPort: 80, seq: 1, flags: SYN }).slice(0, 12), 'droppedBadIpHeader'],
    ['not IPv4', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[0] = 0x60; return p; }, 'droppedNotIpv4'],
    ['bad IP checksum', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[8] ^= 1; return p; }, 'droppedBadIpHeader'],
    ['IP total length beyond the packet', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); return p.slice(0, 30); }, 'droppedBadIpHeader'],
    ['fragment', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[6] = 0x20; fixChecksums(p); return p; }, 'droppedFragment'],
    ['not TCP', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[9] = 17; fixChecksums(p); return p; }, 'droppedNotTcp'],
    ['bad TCP checksum', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[25] ^= 0x40; return p; }, 'droppedBadChecksum'],
    ['data offset below 5', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[32] = 0x40; fixChecksums(p); return p; }, 'droppedBadTcpHeader'],
    ['data offset beyond the segment', () => { const p = buildPacket({ dstPort: 80, seq: 1, flags: SYN }); p[32] = 0xf0; fixChecksums(p); return p; }, 'droppedBadTcpHeader'],
    ['option length 0', () => withOptions([3, 0, 1, 1]), 'droppedBadOptions'],
    ['option running past the header', () => withOptions([1, 1, 8, 6]), 'droppedBadOptions'],
    ['MSS option of the wrong length', () => withOptions([2, 3, 5, 1]), 'droppedBadOptions'],
    ['SACK-permitted option of the wrong length', () => withOptions([4, 3, 0, 1]), 'droppedBadOptions'],
    ['SACK option with a part block', () => withOptions([5, 6, 0, 0, 0, 1]), 'droppedBadOptions'],
    ['SACK option with no block', () => withOptions([1, 1, 5, 2]), 'droppedBadOptions'],
    ['source port 0', () => buildPacket({ srcPort: 0, dstPort: 80, seq: 1, flags: SYN }), 'droppedBadAddress'],
    ['multicast source', () => buildPacket({ src: parseIpv4('224.0.0.1'), dstPort: 80, seq: 1, flags: SYN }), 'droppedBadAddress'],
    ['another destination', () => buildPacket({ dst: parseIpv4('192.0.2.9'), dstPort: 80, seq: 1, flags: SYN }), 'droppedWrongAddress'],
  ];

  for (const [name, make, counter] of bad) {
    it(`drops and counts: ${name}`, () => {
      const bench = new Bench();
      bench.stack.listen(80);
      const p = make();
      assert.doesNotThrow(() => bench.stack.receive(p, p.length));
      assert.deepEqual(bench.take(), [], 'nothing sent');
      assert.equal(bench.stack.counters[counter], 1);
      assert.equal(bench.stack.counters.segmentsIn, 0);
      assert.equal(bench.stack.usage().slotsInUse, 0);
    });
  }

  it('survives a length argument larger than the buffer', () => {
    const bench = new Bench();
    const p = buildPacket({ dstPort: 80, seq: 1, flags: ACK });
    assert.doesNotThrow(() => bench.stack.receive(p, p.length + 100));
    assert.equal(bench.stack.counters.droppedBadIpHeader, 1);
  });
});
