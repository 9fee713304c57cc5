// The one seeded generator for everything outside firmware/ that wants repeatable
// randomness: link impairment (`slotcp serve --impair`: a seed replays a run), the script
// runner's and the test benches' random source (the ISN key), payload patterns, lossy
// paths and byte-primitive cases in tests and benches. mulberry32 (Tommy Ettinger's
// public-domain generator): a 32-bit Weyl sequence put through a mixing function, so
// every seed, 0 and small ones included, starts a well-spread stream; the same numbers on
// Node and XS. Not for secrets. fast-check drives the property tests on its own.

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Fills `bytes`, one number's top byte each: a firmware RandomSource. */
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.nextUint32() >>> 24;
  }
}
