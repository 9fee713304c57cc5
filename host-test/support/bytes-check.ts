// Checks a set of byte primitives (firmware/tcp/bytes.ts) against plain reference code:
// the sum on every offset 0..7 and length 0..67 plus longer runs, with initial sums from
// 0 to 2^32 - 1, on random, all-zero and all-0xff bytes; copies between two arrays,
// within one array (overlapping both ways) and between disjoint views of one buffer.
// Portable (no Node APIs): host-test/bytes.test.ts runs it on Node, host-test/
// xs-host.test.ts on the XS host with the C primitives.
import type { BytePrimitives } from '../../firmware/tcp/bytes';
import { Prng } from '../../host/prng';

/** RFC 1071's sum, by the definition: big-endian words, a last odd byte as a high byte,
 *  the exact total folded to 1..0xffff (0 only for a zero total). */
export function referenceSum(bytes: Uint8Array, offset: number, length: number, initial: number): number {
  let total = initial;
  for (let i = 0; i < length; i++) total += (i & 1) === 0 ? bytes[offset + i] * 256 : bytes[offset + i];
  return total === 0 ? 0 : ((total - 1) % 0xffff) + 1;
}

/** A result of BytePrimitives.sum folded the same way (it must be an integer in [0, 2^31)). */
export function foldSum(sum: number): number {
  if (!Number.isInteger(sum) || sum < 0 || sum >= 2 ** 31) throw new Error(`sum result ${sum} is not an integer in [0, 2^31)`);
  return sum === 0 ? 0 : ((sum - 1) % 0xffff) + 1;
}

/** The same cases on every engine: host/prng.ts's numbers, as a function. */
function prng(seed: number): () => number {
  const generator = new Prng(seed);
  return () => generator.nextUint32();
}

export function checkSum(impl: BytePrimitives, bytes: Uint8Array, offset: number, length: number, initial: number): void {
  const got = foldSum(impl.sum(bytes, offset, length, initial));
  const want = referenceSum(bytes, offset, length, initial);
  if (got !== want) {
    throw new Error(`sum(offset ${offset}, length ${length}, initial ${initial}) folds to ${got}, the reference to ${want}`
      + ` (view at byteOffset ${bytes.byteOffset})`);
  }
}

/** Copies with `impl` and with a reference on two equal arrays; compares all their bytes. */
export function checkCopy(impl: BytePrimitives, name: string, make: () => [Uint8Array, Uint8Array, Uint8Array[]],
  fromOffset: number, toOffset: number, length: number): void {
  const [from, to, all] = make();
  const [rFrom, rTo, rAll] = make();
  impl.copy(from, fromOffset, to, toOffset, length);
  // The reference: through a temporary, so overlap cannot matter.
  const run: number[] = [];
  for (let i = 0; i < length; i++) run.push(rFrom[fromOffset + i]);
  for (let i = 0; i < length; i++) rTo[toOffset + i] = run[i];
  for (let k = 0; k < all.length; k++) {
    for (let i = 0; i < all[k].length; i++) {
      if (all[k][i] !== rAll[k][i]) {
        throw new Error(`copy ${name} (from ${fromOffset} to ${toOffset}, length ${length}): byte ${i} of array ${k} is ${all[k][i]}, want ${rAll[k][i]}`);
      }
    }
  }
}

function filled(length: number, random: () => number): Uint8Array {
  const a = new Uint8Array(length);
  for (let i = 0; i < length; i++) a[i] = random() & 0xff;
  return a;
}

/** Runs the edge cases and `randomCases` random ones; throws on the first mismatch.
 *  Returns the number of cases checked. */
export function checkBytePrimitives(impl: BytePrimitives, randomCases: number, seed = 17): number {
  const random = prng(seed);
  let cases = 0;
  const backing = new Uint8Array(4096 + 16);
  const random4k = filled(4096 + 16, random);
  const initials = [0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0x3fffc, 0x7fffffff, 0xffffffff, 0x12345678];
  for (const content of ['random', 'zero', 'ones']) {
    for (let i = 0; i < backing.length; i++) backing[i] = content === 'random' ? random4k[i] : content === 'zero' ? 0 : 0xff;
    // Views that start at odd and even byteOffsets: the native code sees every alignment.
    for (let base = 0; base < 4; base++) {
      const view = backing.subarray(base, base + 4096);
      for (let offset = 0; offset < 8; offset++) {
        for (let length = 0; length < 68; length++) {
          for (const initial of (length % 7 === 0 ? initials : [0, 0xffffffff])) {
            checkSum(impl, view, offset, length, initial);
            cases++;
          }
        }
        for (const length of [255, 256, 257, 1459, 1460, 1461, 4096 - 8]) {
          checkSum(impl, view, offset, length, 0x1fffe);
          cases++;
        }
      }
    }
  }
  for (let c = 0; c < randomCases; c++) {
    const offset = random() % 2048;
    const length = random() % (4096 - offset);
    checkSum(impl, random4k, offset, length, random() % 4 === 0 ? random() : random() & 0x3ffff);
    cases++;
  }

  // Copies. Arrays of 200 bytes; lengths around the word and unroll sizes.
  const lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100];
  const two = (): [Uint8Array, Uint8Array, Uint8Array[]] => {
    const r = prng(99);
    const a = filled(200, r);
    const b = filled(200, r);
    return [a, b, [a, b]];
  };
  const one = (): [Uint8Array, Uint8Array, Uint8Array[]] => {
    const a = filled(200, prng(98));
    return [a, a, [a]];
  };
  // Two views of one buffer that do not overlap (as the stack's out and memory would).
  const views = (): [Uint8Array, Uint8Array, Uint8Array[]] => {
    const whole = filled(400, prng(97));
    return [whole.subarray(0, 200), whole.subarray(201, 401 - 1), [whole]];
  };
  for (const length of lengths) {
    for (const fromOffset of [0, 1, 2, 3, 50, 99]) {
      for (const toOffset of [0, 1, 2, 3, 51, 99]) {
        checkCopy(impl, 'between two arrays', two, fromOffset, toOffset, length);
        checkCopy(impl, 'within one array', one, fromOffset, toOffset, length);
        checkCopy(impl, 'between views of one buffer', views, fromOffset, toOffset, Math.min(length, 199 - Math.max(fromOffset, toOffset)));
        cases += 3;
      }
    }
  }
  for (let c = 0; c < randomCases; c++) {
    const length = random() % 100;
    const fromOffset = random() % (200 - length + 1);
    const toOffset = random() % (200 - length + 1);
    checkCopy(impl, 'between two arrays', two, fromOffset, toOffset, length);
    checkCopy(impl, 'within one array', one, fromOffset, toOffset, length);
    cases += 2;
  }
  return cases;
}
