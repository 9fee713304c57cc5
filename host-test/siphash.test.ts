// SipHash-2-4 against the reference implementation's 64 vectors, plus the properties the
// ISN generator relies on. Runs on Node and (via xs.test.ts) on XS, so it uses no Node API.
// No heap test here: heapUsed deltas over a loop are noisy (a collection hides anything),
// whereas allocation.test.ts (V8's GC trace) and xs.test.ts (XS's exact heap count) check
// that the ISN and SYN-cookie paths using this class allocate nothing per connection.
import assert from 'node:assert/strict';
import { SipHash24 } from '../firmware/tcp/siphash';

// veorq/SipHash vectors.h, vectors_sip64: key 00 01 .. 0f, message 00 01 02 .. of length
// 0..63. Each is the 8 output bytes as the reference lists them, least significant first.
const vectors = [
  '310e0edd47db6f72', 'fd67dc93c539f874', '5a4fa9d909806c0d', '2d7efbd796666785',
  'b7877127e09427cf', '8da699cd64557618', 'cee3fe586e46c9cb', '37d1018bf50002ab',
  '6224939a79f5f593', 'b0e4a90bdf82009e', 'f3b9dd94c5bb5d7a', 'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75', '903d84c02756ea14', 'eef27a8e90ca23f7', 'e545be4961ca29a1',
  'db9bc2577fcc2a3f', '9447be2cf5e99a69', '9cd38d96f0b3c14b', 'bd6179a71dc96dbb',
  '98eea21af25cd6be', 'c7673b2eb0cbf2d0', '883ea3e395675393', 'c8ce5ccd8c030ca8',
  '94af49f6c650adb8', 'eab8858ade92e1bc', 'f315bb5bb835d817', 'adcf6b0763612e2f',
  'a5c91da7acaa4dde', '716595876650a2a6', '28ef495c53a387ad', '42c341d8fa92d832',
  'ce7cf2722f512771', 'e37859f94623f3a7', '381205bb1ab0e012', 'ae97a10fd434e015',
  'b4a31508beff4d31', '81396229f0907902', '4d0cf49ee5d4dcca', '5c73336a76d8bf9a',
  'd0a704536ba93e0e', '925958fcd6420cad', 'a915c29bc8067318', '952b79f3bc0aa6d4',
  'f21df2e41d4535f9', '87577519048f53a9', '10a56cf5dfcd9adb', 'eb75095ccd986cd0',
  '51a9cb9ecba312e6', '96afadfc2ce666c7', '72fe52975a4364ee', '5a1645b276d592a1',
  'b274cb8ebf87870a', '6f9bb4203de7b381', 'eaecb2a30b22a87f', '9924a43cc1315724',
  'bd838d3aafbf8db7', '0b1a2a3265d51aea', '135079a3231ce660', '932b2846e4d70666',
  'e1915f5cb1eca46c', 'f325965ca16d629f', '575ff28e60381be5', '724506eb4c328a95',
];

/** A vector's 32-bit half: bytes `from`..`from + 3` of the hex string, little-endian. */
function halfOf(hex: string, from: number): number {
  let word = 0;
  for (let i = 3; i >= 0; i--) word = word * 256 + parseInt(hex.slice(2 * (from + i), 2 * (from + i) + 2), 16);
  return word;
}

function assertVector(h: SipHash24, length: number): void {
  const hex = vectors[length];
  // The halves are signed 32-bit integers (see siphash.ts): compare the same bits.
  assert.equal(h.lo, halfOf(hex, 0) | 0, `low half, message length ${length}`);
  assert.equal(h.hi, halfOf(hex, 4) | 0, `high half, message length ${length}`);
}

const key = Uint8Array.from({ length: 16 }, (_, i) => i);
const message = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('SipHash-2-4', () => {
  it('reads the vectors little-endian', () => {
    // Guards the conversion itself: vector 0 is the 64-bit number 0x726fdb47dd0e0e31.
    assert.equal(halfOf(vectors[0], 0), 0xdd0e0e31);
    assert.equal(halfOf(vectors[0], 4), 0x726fdb47);
  });

  it('matches all 64 reference vectors', () => {
    const h = new SipHash24(key);
    for (let length = 0; length < 64; length++) {
      h.hash(message, 0, length);
      assertVector(h, length);
    }
  });

  it('gives the same results in any order (no state carries between calls)', () => {
    const h = new SipHash24(key);
    for (let length = 63; length >= 0; length -= 5) {
      h.hash(message, 0, length);
      assertVector(h, length);
    }
  });

  it('hashes only the given range of a larger buffer', () => {
    const h = new SipHash24(key);
    const offset = 37;
    for (const length of [0, 1, 7, 8, 9, 15, 16, 33, 63]) {
      for (const fill of [0x00, 0xee]) {
        const buffer = new Uint8Array(offset + length + 11).fill(fill);
        buffer.set(message.subarray(0, length), offset);
        h.hash(buffer, offset, length);
        assertVector(h, length);
      }
    }
  });

  it('leaves both halves as signed 32-bit integers', () => {
    const h = new SipHash24(key);
    let sawTopBit = false;
    for (let length = 0; length < 64; length++) {
      h.hash(message, 0, length);
      for (const half of [h.hi, h.lo]) {
        assert.equal(half, half | 0, `${half}`);
        if (half < 0) sawTopBit = true;
      }
    }
    assert.ok(sawTopBit, 'some vector has a half with its top bit set');
  });

  it('rejects a key that is not 16 bytes and a range outside the buffer', () => {
    assert.throws(() => new SipHash24(new Uint8Array(15)), RangeError);
    assert.throws(() => new SipHash24(new Uint8Array(17)), RangeError);
    const h = new SipHash24(key);
    assert.throws(() => h.hash(message, 60, 5), RangeError);
    assert.throws(() => h.hash(message, -1, 4), RangeError);
    assert.throws(() => h.hash(message, 0, -1), RangeError);
  });
});

describe('SipHash24.isnHash', () => {
  const tuple = [0xc0000202, 80, 0xc0000201, 40000] as const;

  it('is SipHash of the big-endian 12-byte 4-tuple, low 32 bits, signed', () => {
    const h = new SipHash24(key);
    const isn = h.isnHash(...tuple);
    assert.equal(isn, isn | 0);
    h.hash(new Uint8Array([192, 0, 2, 2, 0, 80, 192, 0, 2, 1, 0x9c, 0x40]), 0, 12);
    assert.equal(isn, h.lo);
  });

  it('is deterministic, also across instances with the same key', () => {
    const h = new SipHash24(key);
    const isn = h.isnHash(...tuple);
    h.hash(message, 0, 40); // an unrelated hash in between changes nothing
    assert.equal(h.isnHash(...tuple), isn);
    assert.equal(new SipHash24(key).isnHash(...tuple), isn);
  });

  it('changes when any field of the 4-tuple or the key changes', () => {
    const h = new SipHash24(key);
    const base = h.isnHash(...tuple);
    const otherKey = Uint8Array.from(key);
    otherKey[15] ^= 1;
    const variants = [
      h.isnHash(0xc0000203, 80, 0xc0000201, 40000),
      h.isnHash(0xc0000202, 81, 0xc0000201, 40000),
      h.isnHash(0xc0000202, 80, 0xc0000209, 40000),
      h.isnHash(0xc0000202, 80, 0xc0000201, 40001),
      // Swapping local and remote must not collide either: the tuple is ordered.
      h.isnHash(0xc0000201, 40000, 0xc0000202, 80),
      new SipHash24(otherKey).isnHash(...tuple),
    ];
    for (const v of variants) assert.notEqual(v, base);
    assert.equal(new Set(variants).size, variants.length);
  });

  it('takes signed and unsigned forms of the same address alike', () => {
    const h = new SipHash24(key);
    assert.equal(h.isnHash(0xc0000202 | 0, 80, 0xc0000201 | 0, 40000), h.isnHash(...tuple));
  });
});
