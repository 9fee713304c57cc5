// Packet building for the test clients and tools (the client models, the packetdrill
// runner): writeClientSegment() writes a whole segment a client sends from a record
// filled by field name; writeHeaders() is the positional form of wire.ts's
// writeSegmentHeaders(), which the core calls with its own record.
import { Out, finishPacket, ipTosTtl, newSegment, writeSegmentHeaders } from '../firmware/tcp/wire';

const fields = newSegment();

/** Writes IPv4 and TCP headers into `b`; returns the offset where the payload goes (see
 *  writeSegmentHeaders). `tosTtl`: ipTosTtl(TOS, TTL), or a TTL alone for TOS 0. */
export function writeHeaders(
  b: Uint8Array, ipId: number, tosTtl: number,
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
  return writeSegmentHeaders(b, fields, tosTtl, src, moreOptions);
}

/** The fields of a TCP segment's headers that the tests look at or set: IPv4 addresses
 *  and ports it goes from and to, sequence and acknowledgment numbers, flags, window. */
export interface SegmentFields {
  srcAddr: number;
  dstAddr: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
}

/** A segment as a client (a peer of the stack) sends it, by field name: the test benches,
 *  the allocation-free drivers and the script runner fill one and write it with
 *  writeClientSegment(). The drivers keep one record and refill it, so nothing is
 *  allocated per segment. */
export interface ClientSegment extends SegmentFields {
  /** The MSS option's value; 0: no MSS option. */
  mss: number;
  /** Option bytes after the MSS option (a multiple of 4 long); empty: none. */
  options: ArrayLike<number>;
  /** The payload: the first `dataLength` bytes of `data`. */
  data: ArrayLike<number>;
  dataLength: number;
  /** The IPv4 header's time to live (default 64) and type of service (default 0). */
  ttl?: number;
  tos?: number;
}

const NONE: ArrayLike<number> = { length: 0 };

/** A ClientSegment with every field 0 and nothing attached. */
export function newClientSegment(): ClientSegment {
  return {
    srcAddr: 0, dstAddr: 0, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, mss: 0, options: NONE, data: NONE,
    dataLength: 0,
  };
}

/** Writes `s` into `b` as a whole IPv4/TCP packet, checksums included; returns its length.
 *  `b` must hold 60 bytes plus the options and the payload. */
export function writeClientSegment(b: Uint8Array, s: ClientSegment): number {
  const options = s.options;
  const at = writeHeaders(b, 1, ipTosTtl(s.tos ?? 0, s.ttl ?? 64), s.srcAddr, s.dstAddr, s.srcPort, s.dstPort, s.seq | 0, s.ack | 0, s.flags, s.window, s.mss,
    s.dataLength, options.length);
  for (let i = 0; i < options.length; i++) b[at - options.length + i] = options[i];
  const data = s.data;
  for (let i = 0; i < s.dataLength; i++) b[at + i] = data[i];
  return finishPacket(b);
}
