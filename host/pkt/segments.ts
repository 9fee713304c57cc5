// Segments the stack sent, decoded (the script runner's and the tests' one decoder), and
// TCP options to and from bytes.
import { ACK, flagLetters } from '../../firmware/tcp/wire';
import { TcpOption } from './ast';
import type { SegmentFields } from '../packet';

/** Addresses, sequence and acknowledgment numbers are unsigned 32-bit. */
export interface SentSegment extends SegmentFields {
  /** When it was sent, µs on the caller's clock. */
  usecs: number;
  /** IPv4 type of service and time to live. */
  tos: number;
  ttl: number;
  /** The TCP option bytes as sent. */
  options: number[];
  payload: Uint8Array;
}

/** Decodes an IPv4/TCP packet the stack sent (a copy: the payload is sliced out). */
export function decodeSegment(p: Uint8Array, usecs: number): SentSegment {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const ihl = (p[0] & 15) * 4;
  const doff = (p[ihl + 12] >>> 4) * 4;
  return {
    usecs,
    srcAddr: view.getUint32(12),
    dstAddr: view.getUint32(16),
    srcPort: view.getUint16(ihl),
    dstPort: view.getUint16(ihl + 2),
    seq: view.getUint32(ihl + 4),
    ack: view.getUint32(ihl + 8),
    flags: p[ihl + 13],
    window: view.getUint16(ihl + 14),
    tos: p[1],
    ttl: p[8],
    options: Array.from(p.subarray(ihl + 20, ihl + doff)),
    payload: p.slice(ihl + doff, view.getUint16(2)),
  };
}

/** The MSS option's value in option bytes, or 0 when there is none. */
export function mssOption(bytes: number[]): number {
  for (let i = 0; i < bytes.length;) {
    if (bytes[i] === 0) break;
    if (bytes[i] === 1) { i++; continue; }
    if (bytes[i] === 2) return (bytes[i + 2] << 8) | bytes[i + 3];
    i += Math.max(2, bytes[i + 1] ?? 2);
  }
  return 0;
}

/** TCP option bytes for a script's option list, padded with EOL to a multiple of 4.
 *  SACK edges are written relative to an ISN, as packetdrill does: `sackBase` is added
 *  (our ISN for the blocks a script's inbound ACKs carry; 0 for the peer's numbers). */
export function optionsToBytes(options: TcpOption[], sackBase = 0): number[] {
  const out: number[] = [];
  for (const o of options) {
    switch (o.kind) {
      case 'nop': out.push(1); break;
      case 'eol': out.push(0); break;
      case 'mss': out.push(2, 4, (o.value >>> 8) & 0xff, o.value & 0xff); break;
      case 'wscale': out.push(3, 3, o.value & 0xff); break;
      case 'sackOK': out.push(4, 2); break;
      case 'sack': {
        out.push(5, 2 + 8 * o.blocks.length);
        for (const [left, right] of o.blocks) out.push(...be32((left + sackBase) | 0), ...be32((right + sackBase) | 0));
        break;
      }
      case 'timestamp': out.push(8, 10, ...be32(o.val), ...be32(o.ecr)); break;
    }
  }
  while (out.length % 4) out.push(0);
  return out;
}

function be32At(bytes: number[], at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** One line in packetdrill's notation, seq relative to our ISN. */
export function describeSegment(s: SentSegment, localIsn: number): string {
  const flags = flagLetters(s.flags);
  const seq = (s.seq - localIsn) >>> 0;
  const end = (seq + s.payload.length) >>> 0;
  const ack = s.flags & ACK ? ` ack ${s.ack >>> 0}` : '';
  const options = s.options.length ? ` <${describeOptions(s.options)}>` : '';
  return `${flags} ${seq}:${end}(${s.payload.length})${ack} win ${s.window}${options}`;
}

function describeOptions(bytes: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length;) {
    const kind = bytes[i];
    if (kind === 0) { parts.push('eol'); i++; continue; }
    if (kind === 1) { parts.push('nop'); i++; continue; }
    const length = bytes[i + 1] ?? 2;
    if (kind === 2) parts.push(`mss ${(bytes[i + 2] << 8) | bytes[i + 3]}`);
    else if (kind === 3) parts.push(`wscale ${bytes[i + 2]}`);
    else if (kind === 4) parts.push('sackOK');
    else if (kind === 5) {
      const edges: string[] = [];
      for (let at = i + 2; at + 8 <= i + length; at += 8) edges.push(`${be32At(bytes, at)}:${be32At(bytes, at + 4)}`);
      parts.push(`sack ${edges.join(' ')}`);
    } else parts.push(`option ${kind}`);
    i += Math.max(2, length);
  }
  return parts.join(',');
}
