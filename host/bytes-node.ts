// The byte primitives (firmware/tcp/bytes.ts) on Node, for the host runner: copies
// between two arrays by Buffer.prototype.copy (native memmove; a JS loop is some 30 times
// slower for a 1460-byte segment), within one array by copyWithin. Node has no native
// internet checksum, so the sum stays the portable sumBytes (a DataView word loop measured
// no faster once V8 has optimized sumBytes; see README "Cost on XS").
//
// Node 20's Buffer.prototype.copy makes a short-lived Uint8Array view inside (young
// generation garbage, one per call of 64 bytes or more); later Node releases copy
// natively without it. The runner allocates per packet anyway (each datagram sent is a
// copy), and the no-garbage test (allocation.test.ts) runs the default jsBytes.
import { BytePrimitives, copyBytes } from '../firmware/tcp/bytes';
import { sumBytes } from '../firmware/tcp/checksum';

const bufferCopy = Buffer.prototype.copy;

/** Below this many bytes a JS loop is as fast as the native call. */
const NATIVE_FROM = 64;

function nodeCopy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void {
  if (from === to) to.copyWithin(toOffset, fromOffset, fromOffset + length);
  else if (length >= NATIVE_FROM) bufferCopy.call(from, to, toOffset, fromOffset, fromOffset + length);
  else copyBytes(from, fromOffset, to, toOffset, length);
}

export const nodeBytes: BytePrimitives = Object.freeze({ sum: sumBytes, copy: nodeCopy });
