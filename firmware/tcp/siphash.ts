// SipHash-2-4 (Aumasson and Bernstein, 2012) with 64-bit output, computed on pairs of
// 32-bit halves: no BigInt (XS has it, but every BigInt operation allocates) and no
// allocation per call. Used keyed once at start-up to make RFC 6528 ISNs.

export class SipHash24 {
  /** The result of the last hash(): high and low 32 bits, as signed 32-bit integers
   *  (kept out of the double range so V8 never boxes them; see seq.ts). */
  hi = 0;
  lo = 0;
  /** k0 and k1 as [k0.hi, k0.lo, k1.hi, k1.lo]. */
  private readonly key = new Uint32Array(4);
  /** v0..v3 as [v0.hi, v0.lo, v1.hi, v1.lo, ...]. */
  private readonly v = new Uint32Array(8);
  private readonly tuple = new Uint8Array(12);

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new Error('SipHash24: the key must be 16 bytes');
    this.key[0] = readLe32(key, 4);
    this.key[1] = readLe32(key, 0);
    this.key[2] = readLe32(key, 12);
    this.key[3] = readLe32(key, 8);
  }

  /** Hashes `length` bytes of `data` from `offset`; the result is in hi/lo. */
  hash(data: Uint8Array, offset: number, length: number): void {
    const v = this.v;
    const k = this.key;
    // "somepseudorandomlygeneratedbytes" xor the key.
    v[0] = k[0] ^ 0x736f6d65; v[1] = k[1] ^ 0x70736575;
    v[2] = k[2] ^ 0x646f7261; v[3] = k[3] ^ 0x6e646f6d;
    v[4] = k[0] ^ 0x6c796765; v[5] = k[1] ^ 0x6e657261;
    v[6] = k[2] ^ 0x74656462; v[7] = k[3] ^ 0x79746573;
    const end = offset + length - (length & 7);
    for (let i = offset; i < end; i += 8) this.absorb(readLe32(data, i + 4), readLe32(data, i));
    // Last block: the remaining bytes, and the length's low byte in the top byte.
    let hi = (length & 0xff) << 24;
    let lo = 0;
    const left = length & 7;
    for (let j = 0; j < left; j++) {
      const b = data[end + j];
      if (j < 4) lo |= b << (8 * j);
      else hi |= b << (8 * (j - 4));
    }
    this.absorb(hi, lo);
    v[5] ^= 0xff; // v2 ^= 0xff
    this.round();
    this.round();
    this.round();
    this.round();
    this.hi = v[0] ^ v[2] ^ v[4] ^ v[6];
    this.lo = v[1] ^ v[3] ^ v[5] ^ v[7];
  }

  /** RFC 6528's F(): the low 32 bits (signed) of the hash of the 4-tuple (big-endian). */
  isnHash(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    const t = this.tuple;
    t[0] = localAddr >>> 24; t[1] = localAddr >>> 16; t[2] = localAddr >>> 8; t[3] = localAddr;
    t[4] = localPort >>> 8; t[5] = localPort;
    t[6] = remoteAddr >>> 24; t[7] = remoteAddr >>> 16; t[8] = remoteAddr >>> 8; t[9] = remoteAddr;
    t[10] = remotePort >>> 8; t[11] = remotePort;
    this.hash(t, 0, 12);
    return this.lo;
  }

  private absorb(mHi: number, mLo: number): void {
    const v = this.v;
    v[6] ^= mHi; v[7] ^= mLo; // v3 ^= m
    this.round();
    this.round();
    v[0] ^= mHi; v[1] ^= mLo; // v0 ^= m
  }

  /** One SipRound on v0..v3. */
  private round(): void {
    const v = this.v;
    add(v, 0, 2); rotl(v, 2, 13); v[2] ^= v[0]; v[3] ^= v[1]; rotl(v, 0, 32);
    add(v, 4, 6); rotl(v, 6, 16); v[6] ^= v[4]; v[7] ^= v[5];
    add(v, 0, 6); rotl(v, 6, 21); v[6] ^= v[0]; v[7] ^= v[1];
    add(v, 4, 2); rotl(v, 2, 17); v[2] ^= v[4]; v[3] ^= v[5]; rotl(v, 4, 32);
  }
}

function readLe32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** v[a] += v[b] as 64-bit numbers (index a/b is the high half, +1 the low half). */
function add(v: Uint32Array, a: number, b: number): void {
  const lo = v[a + 1] + v[b + 1];
  v[a] = v[a] + v[b] + (lo > 0xffffffff ? 1 : 0);
  v[a + 1] = lo;
}

/** Rotates the 64-bit number at v[i], v[i+1] left by n bits (0 < n < 64). */
function rotl(v: Uint32Array, i: number, n: number): void {
  const hi = v[i];
  const lo = v[i + 1];
  if (n === 32) {
    v[i] = lo;
    v[i + 1] = hi;
  } else if (n < 32) {
    v[i] = (hi << n) | (lo >>> (32 - n));
    v[i + 1] = (lo << n) | (hi >>> (32 - n));
  } else {
    v[i] = (lo << (n - 32)) | (hi >>> (64 - n));
    v[i + 1] = (hi << (n - 32)) | (lo >>> (64 - n));
  }
}
