// IPv4 + TCP header codec over one packet buffer. Parsing fills a preallocated Segment
// and returns why a packet was refused; building writes headers in place. Nothing here
// allocates, and nothing throws on bad input.
import { BytePrimitives, jsBytes } from './bytes';
import { finishChecksum, pseudoHeaderSum } from './checksum';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

export const IPV4_HEADER = 20;
export const TCP_HEADER = 20;
export const MSS_OPTION = 4;
/** The MSS an end assumes when the other sends no MSS option (RFC 9293 §3.7.1). */
export const DEFAULT_MSS = 536;
/** nop, nop, SACK-permitted (RFC 2018 §2), as Linux lays it out after the MSS. */
export const SACK_PERMITTED_OPTION = 4;
/** nop, Window Scale (RFC 7323 §2.2), as Linux lays it out after SACK-permitted. */
export const WINDOW_SCALE_OPTION = 4;
/** SACK blocks a segment can carry (40 option bytes, no timestamps). */
export const MAX_SACK_BLOCKS = 4;

/** Option bytes for `blocks` SACK blocks: nop, nop, kind, length, 8 bytes per block. */
export function sackOptionLength(blocks: number): number {
  return blocks > 0 ? 4 + 8 * blocks : 0;
}

/** A Window Scale option in one byte, as Seg.synOptions and Tcb.probes keep it: 0 when
 *  the SYN carried none, else Offered | the shift count. */
export const enum WindowScale {
  Offered = 0x10,
  SHIFT_MASK = 0x0f,
  /** RFC 7323 §2.3: a larger shift is taken as 14, so that a window stays below 2^30,
   *  within the half of the sequence space that comparisons need. */
  MAX_SHIFT = 14,
}

/** Seg.synOptions: what a SYN's options ask for (RFC 2018 SACK-permitted; RFC 7323
 *  Window Scale, the WindowScale byte from WINDOW_SCALE_AT). Read only on a SYN. */
export const enum SynOption {
  SackPermitted = 1,
  WINDOW_SCALE_AT = 8,
}

/** Why a packet was dropped by the codec (0 = accepted). Indexes into the counters. */
export const enum Refusal {
  None = 0,
  NotIpv4,
  BadIpHeader,
  Fragment,
  NotTcp,
  BadTcpHeader,
  BadChecksum,
  BadOptions,
  BadAddress,
}

/** The fields of one received TCP segment, as words of one Int32Array (Seg.SIZE long;
 *  core.ts makes the one that every packet reuses): `seg[Seg.seq]`. */
export const enum Seg {
  srcAddr,
  dstAddr,
  srcPort,
  dstPort,
  seq,
  ack,
  flags,
  window,
  /** The peer's MSS option, or 0 when the segment carries none. */
  mss,
  /** Bits of SynOption: SACK-permitted, and the Window Scale option's byte. */
  synOptions,
  /** Where the payload starts in the packet buffer, and its length. */
  dataOffset,
  dataLength,
  /** SACK blocks (RFC 2018): sackCount pairs of left and right edges, signed 32-bit. */
  sackCount,
  sackBlocks,
  SIZE = sackBlocks + 2 * 4, // MAX_SACK_BLOCKS pairs
}

/** The segment being built, filled by field name (output.ts) and written out by
 *  writeSegmentHeaders(): words of the same Int32Array as the parsed segment, after its
 *  Seg fields (one typed array costs the XS heap about 8 slots, a word 4 bytes). */
export const enum Out {
  dst = Seg.SIZE,
  srcPort,
  dstPort,
  seq,
  ack,
  flags,
  window,
  /** The MSS option's value, or 0 for none. */
  mss,
  /** The slot whose tx ring holds the payload and whose SACK state goes in the options,
   *  or -1 (a reply for no connection). */
  slot,
  /** The payload: `length` bytes of the slot's tx ring from `offset` bytes after SND.UNA. */
  offset,
  length,
  /** The IPv4 identification of the last packet sent. */
  ipId,
  /** The IPv4 TOS and TTL: tos << 8 | ttl (ipTosTtl()): the connection's (Tcb.tosTtlMss), the
   *  listener's for a cookie SYN-ACK, the stack's (config.ttl, TOS 0) for other replies. */
  ip,
  END,
}

/** The parsed segment's fields (Seg), then the outgoing one's (Out). */
export type Segment = Int32Array;

export function newSegment(): Segment {
  return new Int32Array(Out.END);
}

/** Sequence space the segment occupies: data plus one each for SYN and FIN. */
export function seqLength(seg: Segment): number {
  return seg[Seg.dataLength] + (seg[Seg.flags] & SYN ? 1 : 0) + (seg[Seg.flags] & FIN ? 1 : 0);
}

function read16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

function read32(b: Uint8Array, i: number): number {
  return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]; // signed: see seq.ts
}

function write32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

/** A source no reply may ever go to (RFC 1122 §4.2.3.10): 0.0.0.0, 127/8, class D and E. */
function isUnanswerableSource(addr: number): boolean {
  const first = (addr >>> 24) & 0xff;
  return addr === 0 || first === 127 || first >= 224;
}

/** Parses the TCP options in [start, end) into seg (MSS, SACK-permitted, Window Scale,
 *  SACK blocks). Returns false on a malformed list. */
function parseOptions(b: Uint8Array, start: number, end: number, seg: Segment): boolean {
  let i = start;
  while (i < end) {
    const kind = b[i];
    if (kind === 0) return true; // end of option list
    if (kind === 1) {
      i++; // no-operation
      continue;
    }
    if (i + 1 >= end) return false;
    const length = b[i + 1];
    if (length < 2 || i + length > end) return false;
    if (kind === 2) {
      if (length !== 4) return false;
      seg[Seg.mss] = read16(b, i + 2);
    } else if (kind === 4) {
      if (length !== 2) return false;
      seg[Seg.synOptions] |= SynOption.SackPermitted;
    } else if (kind === 3 && length === 3) {
      // Another length is skipped, as before slotcp knew the option (and as Linux does).
      const shift = b[i + 2] < WindowScale.MAX_SHIFT ? b[i + 2] : WindowScale.MAX_SHIFT;
      seg[Seg.synOptions] = (seg[Seg.synOptions] & SynOption.SackPermitted) | ((WindowScale.Offered | shift) << SynOption.WINDOW_SCALE_AT);
    } else if (kind === 5) {
      // At most MAX_SACK_BLOCKS: the option list holds 40 bytes, and the length test above
      // keeps the option within it, so (40 - 2) >> 3 = 4 blocks is the most there can be.
      const blocks = (length - 2) >> 3;
      if (blocks < 1 || length !== 2 + 8 * blocks) return false;
      for (let k = 0; k < 2 * blocks; k++) seg[Seg.sackBlocks + k] = read32(b, i + 2 + 4 * k);
      seg[Seg.sackCount] = blocks;
    }
    i += length; // every other option is skipped by its length
  }
  return true;
}

/** Parses one IPv4 packet of `length` bytes into `seg`, checksums by `bytes`. */
export function parsePacket(b: Uint8Array, length: number, seg: Segment, bytes: BytePrimitives = jsBytes): Refusal {
  if (length < IPV4_HEADER || b.length < length) return Refusal.BadIpHeader;
  if (b[0] >>> 4 !== 4) return Refusal.NotIpv4;
  // Read byte by byte rather than through read16/read32 (on XS a call costs more than
  // the loads it saves writing out), as in writeSegmentHeaders.
  const ipHeader = (b[0] & 0x0f) * 4;
  const totalLength = (b[2] << 8) | b[3];
  if (ipHeader < IPV4_HEADER || totalLength < ipHeader || totalLength > length) return Refusal.BadIpHeader;
  if (finishChecksum(bytes.sum(b, 0, ipHeader, 0)) !== 0) return Refusal.BadIpHeader;
  // More-fragments set or a non-zero offset: slotcp does no reassembly.
  if ((b[6] & 0x3f) !== 0 || b[7] !== 0) return Refusal.Fragment;
  if (b[9] !== 6) return Refusal.NotTcp;

  const t = ipHeader;
  const tcpLength = totalLength - ipHeader;
  // No separate test of tcpLength < TCP_HEADER: the data offset is then either below 20 or
  // beyond tcpLength, and refused either way (a byte past the buffer reads as undefined,
  // whose >>> 4 is 0).
  const tcpHeader = (b[t + 12] >>> 4) * 4;
  if (tcpHeader < TCP_HEADER || tcpHeader > tcpLength) return Refusal.BadTcpHeader;

  const srcAddr = (b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15];
  const dstAddr = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
  seg[Seg.srcAddr] = srcAddr;
  seg[Seg.dstAddr] = dstAddr;
  const sum = bytes.sum(b, t, tcpLength, pseudoHeaderSum(srcAddr, dstAddr, tcpLength));
  if (finishChecksum(sum) !== 0) return Refusal.BadChecksum;

  const srcPort = (b[t] << 8) | b[t + 1];
  const dstPort = (b[t + 2] << 8) | b[t + 3];
  seg[Seg.srcPort] = srcPort;
  seg[Seg.dstPort] = dstPort;
  seg[Seg.seq] = (b[t + 4] << 24) | (b[t + 5] << 16) | (b[t + 6] << 8) | b[t + 7];
  seg[Seg.ack] = (b[t + 8] << 24) | (b[t + 9] << 16) | (b[t + 10] << 8) | b[t + 11];
  seg[Seg.flags] = b[t + 13] & 0x3f;
  seg[Seg.window] = (b[t + 14] << 8) | b[t + 15];
  seg[Seg.mss] = 0;
  seg[Seg.synOptions] = 0;
  seg[Seg.sackCount] = 0;
  seg[Seg.dataOffset] = t + tcpHeader;
  seg[Seg.dataLength] = tcpLength - tcpHeader;
  if (srcPort === 0 || dstPort === 0 || isUnanswerableSource(srcAddr)) return Refusal.BadAddress;
  if (tcpHeader > TCP_HEADER && !parseOptions(b, t + TCP_HEADER, t + tcpHeader, seg)) return Refusal.BadOptions;
  return Refusal.None;
}

/** One word for an IPv4 header's TOS and TTL (both 8 bits), as Out.ip, Tcb.tosTtlMss and
 *  Lst.ipTosTtl keep them. */
export function ipTosTtl(tos: number, ttl: number): number {
  return (tos << 8) | ttl;
}

/** Writes the IPv4 and TCP headers of the segment described by h's Out fields into `b`
 *  and returns the offset where its payload goes. `tosTtl` is ipTosTtl(TOS, TTL) (a TTL
 *  alone is TOS 0). An MSS option is written if h[Out.mss] > 0; `moreOptions` bytes are
 *  left for the caller to fill just before the payload. Call finishPacket() once the
 *  payload is in place. */
export function writeSegmentHeaders(b: Uint8Array, h: Segment, tosTtl: number, src: number, moreOptions: number,
  bytes: BytePrimitives = jsBytes): number {
  // Stored byte by byte rather than through write16/write32: this runs for every segment
  // sent, and on XS a call costs more than the stores it saves writing out. A Uint8Array
  // keeps the low 8 bits of what is stored.
  const mssOption = h[Out.mss];
  const tcpHeader = TCP_HEADER + (mssOption > 0 ? MSS_OPTION : 0) + moreOptions;
  const total = IPV4_HEADER + tcpHeader + h[Out.length];
  const ipId = h[Out.ipId];
  const dst = h[Out.dst];
  b[0] = 0x45; // version 4, 20-byte header
  b[1] = tosTtl >>> 8;
  b[2] = total >>> 8; b[3] = total;
  b[4] = ipId >>> 8; b[5] = ipId;
  b[6] = 0x40; b[7] = 0; // don't fragment
  b[8] = tosTtl;
  b[9] = 6;
  b[10] = 0; b[11] = 0;
  b[12] = src >>> 24; b[13] = src >>> 16; b[14] = src >>> 8; b[15] = src;
  b[16] = dst >>> 24; b[17] = dst >>> 16; b[18] = dst >>> 8; b[19] = dst;
  const ipChecksum = finishChecksum(bytes.sum(b, 0, IPV4_HEADER, 0));
  b[10] = ipChecksum >>> 8; b[11] = ipChecksum;

  const srcPort = h[Out.srcPort];
  const dstPort = h[Out.dstPort];
  const seq = h[Out.seq];
  const ack = h[Out.ack];
  const window = h[Out.window];
  b[20] = srcPort >>> 8; b[21] = srcPort;
  b[22] = dstPort >>> 8; b[23] = dstPort;
  b[24] = seq >>> 24; b[25] = seq >>> 16; b[26] = seq >>> 8; b[27] = seq;
  b[28] = ack >>> 24; b[29] = ack >>> 16; b[30] = ack >>> 8; b[31] = ack;
  b[32] = (tcpHeader / 4) << 4;
  b[33] = h[Out.flags];
  b[34] = window >>> 8; b[35] = window;
  b[36] = 0; b[37] = 0; // checksum, filled by finishPacket()
  b[38] = 0; b[39] = 0; // urgent pointer
  if (mssOption > 0) {
    b[40] = 2;
    b[41] = 4;
    b[42] = mssOption >>> 8; b[43] = mssOption;
  }
  return IPV4_HEADER + tcpHeader;
}

export function writeSackPermitted(b: Uint8Array, at: number): void {
  b[at] = 1;
  b[at + 1] = 1;
  b[at + 2] = 4;
  b[at + 3] = 2;
}

/** nop, Window Scale with `shift` (RFC 7323 §2.2). */
export function writeWindowScale(b: Uint8Array, at: number, shift: number): void {
  b[at] = 1;
  b[at + 1] = 3;
  b[at + 2] = 3;
  b[at + 3] = shift;
}

/** The head of a SACK option with `blocks` blocks; the blocks follow at at + 4 + 8k. */
export function writeSackHead(b: Uint8Array, at: number, blocks: number): void {
  b[at] = 1;
  b[at + 1] = 1;
  b[at + 2] = 5;
  b[at + 3] = 2 + 8 * blocks;
}

export function writeSackBlock(b: Uint8Array, at: number, left: number, right: number): void {
  write32(b, at, left);
  write32(b, at + 4, right);
}

/** Fills in the TCP checksum of the packet written by writeSegmentHeaders(); returns its length. */
export function finishPacket(b: Uint8Array, bytes: BytePrimitives = jsBytes): number {
  const total = (b[2] << 8) | b[3];
  const tcpLength = total - IPV4_HEADER;
  // The pseudo-header's addresses as 16-bit words (pseudoHeaderSum's sum, without the calls).
  const pseudo = ((b[12] << 8) | b[13]) + ((b[14] << 8) | b[15]) + ((b[16] << 8) | b[17]) + ((b[18] << 8) | b[19]) + 6 + tcpLength;
  const sum = finishChecksum(bytes.sum(b, IPV4_HEADER, tcpLength, pseudo));
  b[IPV4_HEADER + 16] = sum >>> 8;
  b[IPV4_HEADER + 17] = sum;
  return total;
}

/** TCP flags in packetdrill's letters (S F R P .), '-' for none: for logs and listings. */
export function flagLetters(flags: number): string {
  let text = '';
  if (flags & SYN) text += 'S';
  if (flags & FIN) text += 'F';
  if (flags & RST) text += 'R';
  if (flags & PSH) text += 'P';
  if (flags & ACK) text += '.';
  return text || '-';
}

/** "a.b.c.d" → unsigned 32-bit address, or -1 when the text is not a dotted quad.
 *  (The core keeps addresses as `addr | 0`; formatIpv4 takes either.) */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let addr = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return -1;
    const n = Number(part);
    if (n > 255) return -1;
    addr = addr * 256 + n;
  }
  return addr;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}
