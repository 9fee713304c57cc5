// syncookie.ts on its own (RFC 4987 §3.6): the cookie's MSS index, its validity window of
// this and the previous clock count, and a MAC over every byte of the 4-tuple and the
// client's ISN. engine-syncookie tests the stack's use of it.
import assert from 'node:assert/strict';
import { SipHash24, sipHashScratchBytes } from '../firmware/tcp/siphash';
import { checkCookie, makeCookie } from '../firmware/tcp/syncookie';
import { Seg, Segment, newSegment } from '../firmware/tcp/wire';

const LOCAL = 0xc0000201 | 0; // 192.0.2.1
const COUNT = 65536; // ms per clock count

/** A hasher with two fixed keys (the cookies use the second), its scratch not at 0 as in
 *  the stack's buffer. */
function hasher(): SipHash24 {
  const keys = Uint8Array.from({ length: 32 }, (_, k) => (k * 37 + 11) & 0xff);
  return new SipHash24(keys, new Uint8Array(24 + sipHashScratchBytes(2)), 24);
}

function syn(): Segment {
  const seg = newSegment();
  seg[Seg.srcAddr] = 0xc6336407 | 0; // 198.51.100.7
  seg[Seg.dstAddr] = LOCAL;
  seg[Seg.srcPort] = 0x9c41;
  seg[Seg.dstPort] = 0x1f90;
  seg[Seg.seq] = 0x12345678;
  return seg;
}

/** The client's ACK of the cookie SYN-ACK: SEQ = its ISN + 1, ACK = the cookie + 1. */
function ackOf(seg: Segment, cookie: number): Segment {
  const ack = newSegment();
  ack.set(seg);
  ack[Seg.seq] = (seg[Seg.seq] + 1) | 0;
  ack[Seg.ack] = (cookie + 1) | 0;
  return ack;
}

describe('syncookie.ts', () => {
  it('carries the largest table MSS not above the peer\'s as the low 3 bits', () => {
    const hash = hasher();
    const offered = [0, 215, 216, 535, 536, 1023, 1024, 1219, 1220, 1359, 1360, 1439, 1440, 1451, 1452, 1459, 1460, 9000, 65535];
    const carried = offered.map((mss) => {
      const cookie = makeCookie(hash, 1000, LOCAL, syn(), mss);
      return [cookie & 7, checkCookie(hash, 1000, LOCAL, ackOf(syn(), cookie))];
    });
    assert.deepEqual(carried, [[0, 216], [0, 216], [0, 216], [0, 216], [1, 536], [1, 536], [2, 1024], [2, 1024], [3, 1220],
      [3, 1220], [4, 1360], [4, 1360], [5, 1440], [5, 1440], [6, 1452], [6, 1452], [7, 1460], [7, 1460], [7, 1460]]);
  });

  it('is valid in its own clock count and the next, not before nor after', () => {
    const hash = hasher();
    const madeAt = 5 * COUNT + 100;
    const cookie = makeCookie(hash, madeAt, LOCAL, syn(), 1460);
    const at = (now: number): number => checkCookie(hash, now, LOCAL, ackOf(syn(), cookie));
    assert.deepEqual([4 * COUNT + COUNT - 1, 5 * COUNT, madeAt, 6 * COUNT + COUNT - 1, 7 * COUNT, 8 * COUNT].map(at),
      [0, 1460, 1460, 1460, 0, 0]);
  });

  it('stays valid across the 32-bit clock wrap (count 0xffff, then 0)', () => {
    const hash = hasher();
    const cookie = makeCookie(hash, 0xffff0005, LOCAL, syn(), 536);
    const at = (now: number): number => checkCookie(hash, now, LOCAL, ackOf(syn(), cookie));
    assert.deepEqual([0xffffffff, 0, COUNT - 1, COUNT, 0xfffeffff].map(at), [536, 536, 536, 0, 0]);
    const older = makeCookie(hash, 0xfffe0005, LOCAL, syn(), 536);
    assert.equal(checkCookie(hash, 5, LOCAL, ackOf(syn(), older)), 0, 'two counts old across the wrap');
  });

  it('is refused when any byte of the addresses, the ports or the client ISN differs', () => {
    const hash = hasher();
    const cookie = makeCookie(hash, 1000, LOCAL, syn(), 1460);
    assert.equal(checkCookie(hash, 1000, LOCAL, ackOf(syn(), cookie)), 1460);
    const refused: string[] = [];
    const fields: [string, Seg | 'local', number][] = [
      ['local address', 'local', 4], ['remote address', Seg.srcAddr, 4], ['client ISN', Seg.seq, 4],
      ['local port', Seg.dstPort, 2], ['remote port', Seg.srcPort, 2],
    ];
    for (const [name, field, bytes] of fields) {
      for (let k = 0; k < bytes; k++) {
        const flip = 1 << (8 * k);
        const ack = ackOf(syn(), cookie);
        let local = LOCAL;
        if (field === 'local') local ^= flip;
        else ack[field] ^= flip;
        if (checkCookie(hash, 1000, local, ack) === 0) refused.push(`${name} byte ${k}`);
      }
    }
    assert.deepEqual(refused, fields.flatMap(([name, , bytes]) => Array.from({ length: bytes }, (_, k) => `${name} byte ${k}`)));
    assert.equal(checkCookie(hash, 1000, LOCAL, ackOf(syn(), cookie ^ 8)), 0, 'a MAC bit');
  });
});
