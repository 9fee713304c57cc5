// SipHash-2-4 (Aumasson and Bernstein, 2012) with 64-bit output, keyed once at start-up
// for RFC 6528 ISNs and SYN cookies.
//
// sipHash24() is the portable implementation, one of the byte primitives (bytes.ts): a
// board passes its C one. It keeps each 64-bit word v0..v3 as two 32-bit halves in local
// variables and runs one SipRound body in a loop: no calls but two per message word, no
// object, array or closure made, and every value a signed 32-bit integer (XS holds those
// unboxed, as integers rather than doubles; V8 as small integers). Unsigned comparisons,
// for the carries, compare the halves with their sign bits flipped.
//
// SipHash24 holds the keys and a message scratch in bytes (the stack lends a piece of its
// one buffer) and reads the result. Its results (`hi`, `lo`, isnHash()) are *signed*
// 32-bit integers, like every 32-bit quantity in the core (see seq.ts): a uint32 of 2^31
// or more leaving a function becomes a new heap number on V8 (allocation.test.ts saw one
// per connection once), and a double on XS. Use `>>> 0` where the unsigned value is
// wanted, e.g. to print it.

/** Message bytes a SipHash24's scratch holds for its callers (isnHash()'s tuple, the SYN
 *  cookies' input), at scratchAt. */
export const MESSAGE_BYTES = 20;
/** The 8-byte result follows the message; the keys, 16 bytes each, follow the result. */
const RESULT_AT = MESSAGE_BYTES;
const KEYS_AT = RESULT_AT + 8;
const KEY_BYTES = 16;

/** Scratch bytes a SipHash24 with `keys` keys takes: message, result and keys. */
export function sipHashScratchBytes(keys: number): number {
  return KEYS_AT + KEY_BYTES * keys;
}

/** SipHash-2-4 of data[offset, offset + length) under the 16-byte key at key[keyAt]: the
 *  64-bit result's 8 bytes, least significant first (the reference's byte order), go to
 *  out[outAt, outAt + 8). The caller checks the ranges. */
export type SipHashFunction = (key: Uint8Array, keyAt: number, data: Uint8Array, offset: number, length: number,
  out: Uint8Array, outAt: number) => void;

export function sipHash24(key: Uint8Array, keyAt: number, data: Uint8Array, offset: number, length: number,
  out: Uint8Array, outAt: number): void {
  const k0l = readLe32(key, keyAt);
  const k0h = readLe32(key, keyAt + 4);
  const k1l = readLe32(key, keyAt + 8);
  const k1h = readLe32(key, keyAt + 12);
  // The constants spell "somepseudorandomlygeneratedbytes" (big-endian words).
  let v0l = k0l ^ 0x70736575, v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d, v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261, v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573, v3h = k1h ^ 0x74656462;
  const flip = 1 << 31; // x ^ flip orders as a signed number as x does unsigned
  const tail = length & 7;
  const end = offset + length - tail;
  let t = 0;
  // One pass per message word m: v3 ^= m, two SipRounds, v0 ^= m. The words are the
  // 8-byte groups, then the last word (the 0..7 leftover bytes with length mod 256 in its
  // top byte); after them one more pass with v2 ^= 0xff and four rounds, the finalization.
  for (let i = offset; ; i += 8) {
    let mLo = 0;
    let mHi = 0;
    let rounds = 2;
    if (i < end) {
      mLo = readLe32(data, i);
      mHi = readLe32(data, i + 4);
    } else if (i === end) {
      mHi = length << 24;
      for (let j = 0; j < tail; j++) {
        if (j < 4) mLo |= data[end + j] << (8 * j);
        else mHi |= data[end + j] << (8 * (j - 4));
      }
    } else {
      v2l ^= 0xff;
      rounds = 4;
    }
    v3l ^= mLo; v3h ^= mHi;
    for (let r = 0; r < rounds; r++) {
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + ((t ^ flip) < (v0l ^ flip) ? 1 : 0)) | 0;
      v0l = t;
      t = (v1l << 13) | (v1h >>> 19);
      v1h = ((v1h << 13) | (v1l >>> 19)) ^ v0h;
      v1l = t ^ v0l;
      t = v0l; v0l = v0h; v0h = t;
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + ((t ^ flip) < (v2l ^ flip) ? 1 : 0)) | 0;
      v2l = t;
      t = (v3l << 16) | (v3h >>> 16);
      v3h = ((v3h << 16) | (v3l >>> 16)) ^ v2h;
      v3l = t ^ v2l;
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + ((t ^ flip) < (v0l ^ flip) ? 1 : 0)) | 0;
      v0l = t;
      t = (v3l << 21) | (v3h >>> 11);
      v3h = ((v3h << 21) | (v3l >>> 11)) ^ v0h;
      v3l = t ^ v0l;
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + ((t ^ flip) < (v2l ^ flip) ? 1 : 0)) | 0;
      v2l = t;
      t = (v1l << 17) | (v1h >>> 15);
      v1h = ((v1h << 17) | (v1l >>> 15)) ^ v2h;
      v1l = t ^ v2l;
      t = v2l; v2l = v2h; v2h = t;
    }
    if (rounds === 4) break;
    v0l ^= mLo; v0h ^= mHi;
  }
  writeLe32(out, outAt, v0l ^ v1l ^ v2l ^ v3l);
  writeLe32(out, outAt + 4, v0h ^ v1h ^ v2h ^ v3h);
}

export class SipHash24 {
  /** The last result's high and low 32 bits, each as a signed 32-bit integer. */
  hi = 0;
  lo = 0;
  /** MESSAGE_BYTES at scratchAt in `scratch` are for the callers' messages; the result
   *  and the keys follow (sipHashScratchBytes()). */
  readonly scratch: Uint8Array;
  readonly scratchAt: number;
  private readonly keys: number;
  private readonly compute: SipHashFunction;

  /** `key` holds one or more 16-byte keys; hash() picks one by index. `scratch` needs
   *  sipHashScratchBytes(keys) bytes from `scratchAt`. `compute`: the implementation (the
   *  stack passes its byte primitives' sipHash24). */
  constructor(key: Uint8Array, scratch?: Uint8Array, scratchAt = 0, compute: SipHashFunction = sipHash24) {
    if (key.length === 0 || key.length % KEY_BYTES !== 0) throw new RangeError('SipHash24: keys must be 16 bytes each');
    this.keys = key.length / KEY_BYTES;
    const bytes = sipHashScratchBytes(this.keys);
    this.scratch = scratch ?? new Uint8Array(bytes);
    if (scratchAt < 0 || scratchAt + bytes > this.scratch.length) throw new RangeError('SipHash24: no room for the scratch');
    this.scratchAt = scratchAt;
    this.compute = compute;
    this.scratch.set(key, scratchAt + KEYS_AT);
  }

  /** Bytes of typed-array state: the scratch with the keys (all of it in `scratch`). */
  get stateBytes(): number {
    return sipHashScratchBytes(this.keys);
  }

  /** Hashes data[offset .. offset + length) with key number `key`; the result is left
   *  in `hi` and `lo`. */
  hash(data: Uint8Array, offset: number, length: number, key = 0): void {
    // Out-of-range reads would give undefined, which silently hashes as zero bytes.
    if (offset < 0 || length < 0 || offset + length > data.length) throw new RangeError('SipHash24: out of range');
    if (!(key >= 0 && key < this.keys)) throw new RangeError('SipHash24: no such key');
    const scratch = this.scratch;
    const at = this.scratchAt;
    this.compute(scratch, at + KEYS_AT + KEY_BYTES * key, data, offset, length, scratch, at + RESULT_AT);
    this.lo = readLe32(scratch, at + RESULT_AT);
    this.hi = readLe32(scratch, at + RESULT_AT + 4);
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

function writeLe32(b: Uint8Array, i: number, v: number): void {
  b[i] = v;
  b[i + 1] = v >>> 8;
  b[i + 2] = v >>> 16;
  b[i + 3] = v >>> 24;
}
