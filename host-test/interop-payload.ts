// Bytes the interop clients send and expect, shared by interop-client.ts (inside the
// namespace) and interop.test.ts (which computes the expected digests on its own side).
import { createHash } from 'node:crypto';
import { fillPattern } from '../firmware/apps/pattern';
import { Prng } from '../host/prng';

/** Deterministic payload bytes for a seed (host/prng.ts). */
export function payload(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  new Prng(seed).fill(b);
  return b;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the first `size` bytes of source's pattern (firmware/apps/pattern.ts). */
export function patternSha256(size: number): string {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(65536);
  for (let at = 0; at < size; at += chunk.length) {
    const count = Math.min(chunk.length, size - at);
    fillPattern(chunk, at, count);
    hash.update(chunk.subarray(0, count));
  }
  return hash.digest('hex');
}
