// The byte primitives (firmware/tcp/bytes.ts) on Node, for the host runner and the bench:
// copies between two arrays natively (a JS loop is some 20 times slower for a 1460-byte
// segment), within one array by copyWithin. Node has no native internet checksum or
// SipHash, so those stay the portable sumBytes (a DataView word loop measured no faster
// once V8 has optimized sumBytes; see README "Cost on XS") and sipHash24 (int32 locals,
// which V8 compiles to machine arithmetic).
//
// The native copy must not allocate: Node 20's Buffer.prototype.copy makes a Uint8Array
// view of the source range inside (young-generation garbage on every call, some 30 B per
// 1460-byte segment), which the no-garbage goal of the bench refuses. Node 20 and 21 have
// a copy that takes no view in their buffer binding: copyArrayBuffer(destination,
// destinationOffset, source, sourceOffset, length), a memcpy between two ArrayBuffers
// that Node's web streams use. It is reached through process.binding('buffer'), which is
// deprecated (DEP0111: a warning only under --pending-deprecation), so it is looked up
// once, on those releases only, and checked; later releases copy natively in
// Buffer.prototype.copy, which stands in wherever the binding is not used.
import { BytePrimitives, copyBytes } from '../firmware/tcp/bytes';
import { sumBytes } from '../firmware/tcp/checksum';
import { sipHash24 } from '../firmware/tcp/siphash';

type CopyArrayBuffer = (to: ArrayBufferLike, toOffset: number, from: ArrayBufferLike, fromOffset: number, length: number) => void;

function bindingCopy(): CopyArrayBuffer | undefined {
  const major = Number(process.versions.node.split('.')[0]);
  const binding = (process as { binding?: (name: string) => { copyArrayBuffer?: unknown } }).binding;
  if (major > 21 || typeof binding !== 'function') return undefined;
  try {
    const copy = binding('buffer').copyArrayBuffer;
    return typeof copy === 'function' ? (copy as CopyArrayBuffer) : undefined;
  } catch {
    return undefined;
  }
}

const copyArrayBuffer = bindingCopy();
const bufferCopy = Buffer.prototype.copy;

/** Below this many bytes a JS loop is as fast as the native call. */
const NATIVE_FROM = 64;

/** The callers check the ranges (bytes.ts): they lie within both views, so the binding's
 *  own checks (which abort the process when they fail) always pass. */
function nodeCopy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void {
  if (from === to) to.copyWithin(toOffset, fromOffset, fromOffset + length);
  else if (length < NATIVE_FROM) copyBytes(from, fromOffset, to, toOffset, length);
  else if (copyArrayBuffer !== undefined) copyArrayBuffer(to.buffer, to.byteOffset + toOffset, from.buffer, from.byteOffset + fromOffset, length);
  else bufferCopy.call(from, to, toOffset, fromOffset, fromOffset + length);
}

export const nodeBytes: BytePrimitives = Object.freeze({ sum: sumBytes, copy: nodeCopy, sipHash24 });
