// The codec and bad input: every malformed packet is dropped and counted, never thrown.
import assert from 'node:assert/strict';
import { finishChecksum, sumBytes } from '../firmware/tcp/checksum';
import { seqAdd, seqDiff, seqGe, seqGt, seqInRange, seqLe, seqLt } from '../firmware/tcp/seq';
import { ACK, FIN, Out, PSH, RST, Refusal, SYN, Seg, SynOption, flagLetters, newSegment, parseIpv4, parsePacket, writeSegmentHeaders } from '../firmware/tcp/wire';
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
    assert.deepEqual([seg[Seg.synOptions], seg[Seg.sackCount]], [SynOption.SackPermitted, 0]);
    const edges = [0x10, 0x20, 0xfffffff0, 0x8];
    const block = edges.flatMap((v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
    const q = withOptions([1, 1, 5, 18, ...block]);
    assert.equal(parsePacket(q, q.length, seg), 0);
    assert.deepEqual([seg[Seg.synOptions], seg[Seg.sackCount], ...seg.subarray(Seg.sackBlocks, Seg.sackBlocks + 4)], [0, 2, 0x10, 0x20, -16, 8]);
    const four = withOptions([1, 1, 5, 34, ...block, ...block]);
    assert.equal(parsePacket(four, four.length, seg), 0);
    assert.equal(seg[Seg.sackCount], 4);
  });

  it('parses Window Scale as Offered | shift, a shift above 14 as 14 (RFC 7323 §2.3), beside SACK-permitted', () => {
    const seg = newSegment();
    const shiftOf = (options: number[]): number => {
      const p = withOptions(options);
      assert.equal(parsePacket(p, p.length, seg), Refusal.None);
      return seg[Seg.synOptions];
    };
    assert.equal(shiftOf([1, 3, 3, 7]), 0x17 << 8);
    assert.equal(shiftOf([1, 3, 3, 0]), 0x10 << 8);
    assert.equal(shiftOf([1, 3, 3, 15]), 0x1e << 8);
    assert.equal(shiftOf([1, 3, 3, 255]), 0x1e << 8);
    assert.equal(shiftOf([1, 1, 4, 2, 1, 3, 3, 2]), (0x12 << 8) | SynOption.SackPermitted);
    // Another length is skipped, the packet kept, as before slotcp knew the option.
    assert.equal(shiftOf([3, 4, 7, 0]), 0);
  });

  /** A SYN whose IPv4 header is rewritten by `edit`, its IP checksum then fixed over
   *  the header length the packet now states (the TCP checksum is left as it was). */
  function ipEdited(edit: (p: Uint8Array) => void, packet = buildPacket({ dstPort: 80, seq: 1, flags: SYN })): Uint8Array {
    const p = packet;
    edit(p);
    const ihl = (p[0] & 0x0f) * 4;
    p[10] = p[11] = 0;
    const ip = finishChecksum(sumBytes(p, 0, ihl, 0));
    p[10] = ip >> 8; p[11] = ip & 0xff;
    return p;
  }

  const parse = (p: Uint8Array, length = p.length): Refusal => parsePacket(p, length, newSegment());

  it('refuses a packet shorter than an IPv4 header as a bad IP header, whatever its first byte', () => {
    assert.equal(parse(new Uint8Array(0)), Refusal.BadIpHeader);
    assert.equal(parse(new Uint8Array(12).fill(0x60)), Refusal.BadIpHeader);
  });

  it('refuses an IPv4 header length under 20 bytes even when the checksum over it is right', () => {
    assert.equal(parse(ipEdited((p) => { p[0] = 0x44; })), Refusal.BadIpHeader);
  });

  it('refuses any fragment (more-fragments or an offset in either byte) and takes don\'t-fragment', () => {
    const flagged = (hi: number, lo: number): Refusal => parse(ipEdited((p) => { p[6] = hi; p[7] = lo; }));
    assert.deepEqual([flagged(0x20, 0), flagged(0x00, 1), flagged(0x01, 0), flagged(0x40, 0), flagged(0, 0)],
      [Refusal.Fragment, Refusal.Fragment, Refusal.Fragment, Refusal.None, Refusal.None]);
  });

  it('refuses a total length under the IPv4 header as a bad IP header', () => {
    assert.equal(parse(ipEdited((p) => { p[2] = 0; p[3] = 10; })), Refusal.BadIpHeader);
  });

  it('takes a 20-byte IPv4 packet with no room for a TCP header as a bad TCP header', () => {
    const p = ipEdited((q) => { q[2] = 0; q[3] = 20; }).slice(0, 20);
    assert.equal(parse(p), Refusal.BadTcpHeader);
  });

  it('refuses port 0 either side and sources no reply may go to (RFC 1122 §4.2.3.10)', () => {
    const from = (src: string, srcPort = 40000, dstPort = 80): Refusal =>
      parse(buildPacket({ src: parseIpv4(src), srcPort, dstPort, seq: 1, flags: SYN }));
    assert.deepEqual(
      [from('192.0.2.1', 40000, 0), from('0.0.0.0'), from('127.0.0.1'), from('127.255.255.254'), from('224.0.0.1'), from('240.0.0.1'),
        from('255.255.255.255'), from('126.255.255.255'), from('128.0.0.1'), from('223.255.255.254'), from('0.0.0.1')],
      [Refusal.BadAddress, Refusal.BadAddress, Refusal.BadAddress, Refusal.BadAddress, Refusal.BadAddress, Refusal.BadAddress,
        Refusal.BadAddress, Refusal.None, Refusal.None, Refusal.None, Refusal.None]);
  });

  it('refuses an option kind in the last byte of the header, with no room for its length', () => {
    assert.equal(parse(withOptions([1, 1, 1, 3])), Refusal.BadOptions);
  });

  it('refuses a SACK option whose length is not 2 + 8 per block', () => {
    assert.equal(parse(withOptions([1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0])), Refusal.BadOptions);
    assert.equal(parse(withOptions([1, 5, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])), Refusal.BadOptions);
  });

  it('writes four SACK blocks into the Seg words only, leaving the outgoing fields alone', () => {
    const seg = newSegment();
    for (let k = Seg.SIZE; k < Out.END; k++) seg[k] = 0x5a5a5a5a;
    const edges = Array.from({ length: 8 }, (_, k) => 0x01010101 * (k + 1));
    const block = edges.flatMap((v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
    const p = withOptions([1, 1, 5, 34, ...block, 1, 1, 1, 1]);
    assert.equal(parsePacket(p, p.length, seg), Refusal.None);
    assert.deepEqual([seg[Seg.sackCount], ...seg.subarray(Seg.sackBlocks, Seg.SIZE)], [4, ...edges]);
    assert.deepEqual([...seg.subarray(Seg.SIZE)], new Array(Out.END - Seg.SIZE).fill(0x5a5a5a5a));
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

describe('segment writing', () => {
  function written(mss: number, moreOptions: number): { b: Uint8Array; at: number } {
    const h = newSegment();
    h[Out.dst] = parseIpv4('192.0.2.1') | 0;
    h[Out.srcPort] = 80;
    h[Out.dstPort] = 0x9c41;
    h[Out.seq] = 0x89abcdef | 0;
    h[Out.ack] = 0x01020304;
    h[Out.flags] = SYN | ACK;
    h[Out.window] = 0xfedc;
    h[Out.mss] = mss;
    h[Out.length] = 3;
    h[Out.ipId] = 0x1234;
    const b = new Uint8Array(64).fill(0xee);
    const at = writeSegmentHeaders(b, h, 64, parseIpv4('192.0.2.2'), moreOptions);
    return { b, at };
  }

  it('writes exact IPv4 and TCP headers, and nothing past them without an MSS option', () => {
    const { b, at } = written(0, 0);
    assert.equal(at, 40);
    assert.deepEqual([...b.subarray(0, 10)], [0x45, 0, 0, 43, 0x12, 0x34, 0x40, 0, 64, 6]);
    assert.equal(finishChecksum(sumBytes(b, 0, 20, 0)), 0, 'IP header checksum');
    assert.deepEqual([...b.subarray(12, 40)], [192, 0, 2, 2, 192, 0, 2, 1, 0, 80, 0x9c, 0x41, 0x89, 0xab, 0xcd, 0xef, 1, 2, 3, 4,
      0x50, 0x12, 0xfe, 0xdc, 0, 0, 0, 0]);
    assert.deepEqual([...b.subarray(40)], new Array(24).fill(0xee), 'no option bytes written');
  });

  it('writes the MSS option after the header and counts the caller\'s option bytes in the data offset', () => {
    const { b, at } = written(1460, 8);
    assert.equal(at, 52);
    assert.deepEqual([b[2], b[3], b[32]], [0, 55, 0x80]);
    assert.deepEqual([...b.subarray(40, 48)], [2, 4, 0x05, 0xb4, 0xee, 0xee, 0xee, 0xee]);
  });
});

describe('text forms', () => {
  it('reads dotted quads and refuses anything else', () => {
    assert.deepEqual(['255.255.255.255', '0.0.0.0', '192.0.2.1', '1.2.3', '1.2.3.4.5', '1.2.3.4x', 'x1.2.3.4', '1..2.3', '256.0.0.1', '1.2.3.1000']
      .map(parseIpv4), [0xffffffff, 0, 0xc0000201, -1, -1, -1, -1, -1, -1, -1]);
  });

  it('names flags in packetdrill letters', () => {
    assert.deepEqual([0, SYN, SYN | ACK, FIN | PSH | ACK, RST, SYN | FIN | RST | PSH | ACK].map(flagLetters), ['-', 'S', 'S.', 'FP.', 'R', 'SFRP.']);
  });
});
