// SipHash-2-4 (Aumasson and Bernstein, 2012) with 64-bit output, keyed once at start-up
// for RFC 6528 ISNs and SYN cookies. Each 64-bit word is a (lo, hi) pair of uint32s:
// BigInt would be exact, but on XS every BigInt operation allocates, and 32-bit integer
// operations are what both XS and V8 run fastest.
//
// Nothing is allocated per call: the keys, v0..v3 and a message scratch live in typed
// arrays made by the constructor, the helpers below take indices into them and return nothing,
// and no object, array or closure is created. The results (the `hi`/`lo` fields and
// isnHash()'s return value) are *signed* 32-bit integers, like every 32-bit quantity in
// the core (see seq.ts): V8 keeps int32 values unboxed, but a uint32 of 2^31 or more
// leaving a function becomes a new heap number, which made allocation.test.ts see one
// per connection. XS holds either form in its slots without allocating; there int32
// also avoids software floating point on the ESP8266. Use `>>> 0` where the unsigned
// value is wanted, e.g. to print it.

/** Bytes of message scratch a SipHash24 needs. */
export const SCRATCH_BYTES = 20;

export class SipHash24 {
  /** The last result's high and low 32 bits, each as a signed 32-bit integer. */
  hi = 0;
  lo = 0;
  /** v0..v3 as [v0.lo, v0.hi, v1.lo, v1.hi, ...] (word w is at 2w (lo) and 2w + 1 (hi)),
   *  then the keys, each k0, k1 as [k0.lo, k0.hi, k1.lo, k1.hi]: one typed array, since
   *  each costs the XS heap about 8 slots whatever its length. */
  private readonly v: Uint32Array;
  /** SCRATCH_BYTES at scratchAt in `scratch` are for the callers' messages (isnHash()'s
   *  tuple, the SYN cookies' input): the stack lends a piece of its one buffer. */
  readonly scratch: Uint8Array;
  readonly scratchAt: number;

  /** `key` holds one or more 16-byte keys; hash() picks one by index. */
  constructor(key: Uint8Array, scratch: Uint8Array = new Uint8Array(SCRATCH_BYTES), scratchAt = 0) {
    if (scratchAt < 0 || scratchAt + SCRATCH_BYTES > scratch.length) throw new RangeError('SipHash24: no room for the scratch');
    this.scratch = scratch;
    this.scratchAt = scratchAt;
    if (key.length === 0 || key.length % 16 !== 0) throw new RangeError('SipHash24: keys must be 16 bytes each');
    this.v = new Uint32Array(8 + key.length / 4);
    for (let i = 0; i < key.length / 4; i++) this.v[8 + i] = readLe32(key, 4 * i);
  }

  /** Bytes of typed-array state: v0..v3, the keys, and the scratch. */
  get stateBytes(): number {
    return this.v.byteLength + SCRATCH_BYTES;
  }

  /** Hashes data[offset .. offset + length) with key number `key`; the result is left
   *  in `hi` and `lo`. */
  hash(data: Uint8Array, offset: number, length: number, key = 0): void {
    // Out-of-range reads would give undefined, which silently hashes as zero bytes.
    if (offset < 0 || length < 0 || offset + length > data.length) throw new RangeError('SipHash24: out of range');
    if (!(key >= 0 && 8 + 4 * key < this.v.length)) throw new RangeError('SipHash24: no such key');
    const v = this.v;
    const k = 8 + 4 * key;
    // The constants spell "somepseudorandomlygeneratedbytes" (big-endian words).
    v[0] = v[k] ^ 0x70736575; v[1] = v[k + 1] ^ 0x736f6d65; // v0 = k0 ^ "somepseu"
    v[2] = v[k + 2] ^ 0x6e646f6d; v[3] = v[k + 3] ^ 0x646f7261; // v1 = k1 ^ "dorandom"
    v[4] = v[k] ^ 0x6e657261; v[5] = v[k + 1] ^ 0x6c796765; // v2 = k0 ^ "lygenera"
    v[6] = v[k + 2] ^ 0x79746573; v[7] = v[k + 3] ^ 0x74656462; // v3 = k1 ^ "tedbytes"

    const tail = length & 7;
    const end = offset + length - tail;
    for (let i = offset; i < end; i += 8) compress(v, readLe32(data, i), readLe32(data, i + 4));

    // The last word: the 0..7 leftover bytes (little-endian) with length mod 256 in its top byte.
    let lo = 0;
    let hi = length << 24;
    for (let j = 0; j < tail; j++) {
      if (j < 4) lo |= data[end + j] << (8 * j);
      else hi |= data[end + j] << (8 * (j - 4));
    }
    compress(v, lo, hi);

    v[4] ^= 0xff; // v2 ^= 0xff
    for (let r = 0; r < 4; r++) round(v);
    this.lo = v[0] ^ v[2] ^ v[4] ^ v[6]; // xor of uint32s gives the signed form
    this.hi = v[1] ^ v[3] ^ v[5] ^ v[7];
  }

  /** RFC 6528's F(): the low 32 bits (signed, see above) of the hash of the 4-tuple as 12
   *  big-endian bytes: local address, local port, remote address, remote port. Addresses
   *  may be given signed or unsigned (the same bits hash alike). */
  isnHash(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, key = 0): number {
    const t = this.scratch;
    const i = this.scratchAt;
    // Uint8Array stores keep the low 8 bits, so no masking is needed.
    t[i] = localAddr >>> 24; t[i + 1] = localAddr >>> 16; t[i + 2] = localAddr >>> 8; t[i + 3] = localAddr;
    t[i + 4] = localPort >>> 8; t[i + 5] = localPort;
    t[i + 6] = remoteAddr >>> 24; t[i + 7] = remoteAddr >>> 16; t[i + 8] = remoteAddr >>> 8; t[i + 9] = remoteAddr;
    t[i + 10] = remotePort >>> 8; t[i + 11] = remotePort;
    this.hash(t, i, 12, key);
    return this.lo;
  }
}

/** Reads 4 bytes little-endian (SipHash's byte order); signed, which typed-array stores accept. */
function readLe32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Absorbs one message word m = (mHi, mLo): v3 ^= m, two SipRounds, v0 ^= m. */
function compress(v: Uint32Array, mLo: number, mHi: number): void {
  v[6] ^= mLo; v[7] ^= mHi;
  round(v);
  round(v);
  v[0] ^= mLo; v[1] ^= mHi;
}

/** One SipRound; words are numbered 0..3 for v0..v3. */
function round(v: Uint32Array): void {
  add(v, 0, 1); rotl(v, 1, 13); xor(v, 1, 0); swap(v, 0);
  add(v, 2, 3); rotl(v, 3, 16); xor(v, 3, 2);
  add(v, 0, 3); rotl(v, 3, 21); xor(v, 3, 0);
  add(v, 2, 1); rotl(v, 1, 17); xor(v, 1, 2); swap(v, 2);
}

/** Word a += word b, modulo 2^64. */
function add(v: Uint32Array, a: number, b: number): void {
  const aLo = v[2 * a];
  const lo = (aLo + v[2 * b]) >>> 0;
  // The low halves carried iff the truncated sum is below an addend.
  v[2 * a + 1] = v[2 * a + 1] + v[2 * b + 1] + (lo < aLo ? 1 : 0); // the store wraps mod 2^32
  v[2 * a] = lo;
}

/** Word a ^= word b. */
function xor(v: Uint32Array, a: number, b: number): void {
  v[2 * a] ^= v[2 * b];
  v[2 * a + 1] ^= v[2 * b + 1];
}

/** Rotates word w left by n, 0 < n < 32 (SipHash's other rotation, 32, is swap()). */
function rotl(v: Uint32Array, w: number, n: number): void {
  const lo = v[2 * w];
  const hi = v[2 * w + 1];
  v[2 * w] = (lo << n) | (hi >>> (32 - n));
  v[2 * w + 1] = (hi << n) | (lo >>> (32 - n));
}

/** Rotates word w by 32: its halves trade places. */
function swap(v: Uint32Array, w: number): void {
  const lo = v[2 * w];
  v[2 * w] = v[2 * w + 1];
  v[2 * w + 1] = lo;
}
