// Packet building for the test clients and tools (the client models, the packetdrill
// runner): the positional form of wire.ts's writeSegmentHeaders(), which the core calls
// with a record filled by field name.
import { Out, newSegment, writeSegmentHeaders } from '../firmware/tcp/wire';

const fields = newSegment();

/** Writes IPv4 and TCP headers into `b`; returns the offset where the payload goes (see
 *  writeSegmentHeaders). */
export function writeHeaders(
  b: Uint8Array, ipId: number, ttl: number,
  src: number, dst: number, srcPort: number, dstPort: number,
  seq: number, ack: number, flags: number, window: number, mssOption: number, dataLength: number,
  moreOptions = 0,
): number {
  fields[Out.ipId] = ipId;
  fields[Out.dst] = dst;
  fields[Out.srcPort] = srcPort;
  fields[Out.dstPort] = dstPort;
  fields[Out.seq] = seq;
  fields[Out.ack] = ack;
  fields[Out.flags] = flags;
  fields[Out.window] = window;
  fields[Out.mss] = mssOption;
  fields[Out.length] = dataLength;
  return writeSegmentHeaders(b, fields, ttl, src, moreOptions);
}
