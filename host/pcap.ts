// Classic libpcap files (the format tcpdump, Wireshark and tshark read): LINKTYPE_RAW, so
// each record is a bare IPv4 packet, with microsecond timestamps. Writes are buffered and
// flushed when the buffer fills, on flush() and on close().
import { closeSync, openSync, writeSync } from 'node:fs';

export const PCAP_MAGIC = 0xa1b2c3d4;
/** LINKTYPE_RAW: the packet starts with the IP header (version 4 or 6). */
export const LINKTYPE_RAW = 101;
export const SNAPLEN = 65535;

export class PcapWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(1 << 16);
  private used = 0;
  packets = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    const header = this.buffer;
    header.writeUInt32LE(PCAP_MAGIC, 0);
    header.writeUInt16LE(2, 4); // version 2.4
    header.writeUInt16LE(4, 6);
    header.writeInt32LE(0, 8); // thiszone: timestamps are UTC
    header.writeUInt32LE(0, 12); // sigfigs
    header.writeUInt32LE(SNAPLEN, 16);
    header.writeUInt32LE(LINKTYPE_RAW, 20);
    this.used = 24;
    this.flush();
  }

  /** Appends one packet, stamped with the wall clock in microseconds. */
  record(packet: Uint8Array, length = packet.length): void {
    const stored = Math.min(length, SNAPLEN);
    if (this.used + 16 + stored > this.buffer.length) this.flush();
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const b = this.buffer;
    b.writeUInt32LE(Math.floor(micros / 1e6), this.used);
    b.writeUInt32LE(micros % 1e6, this.used + 4);
    b.writeUInt32LE(stored, this.used + 8);
    b.writeUInt32LE(length, this.used + 12);
    this.used += 16;
    if (stored > b.length - this.used) {
      this.flush();
      writeSync(this.fd, packet, 0, stored);
    } else {
      b.set(packet.subarray(0, stored), this.used);
      this.used += stored;
    }
    this.packets++;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface PcapRecord {
  /** Seconds and microseconds since the epoch. */
  seconds: number;
  micros: number;
  originalLength: number;
  data: Uint8Array;
}

/** Reads a classic pcap file (either byte order, microsecond timestamps). Throws on a
 *  malformed file. */
export function readPcap(file: Uint8Array): { linkType: number; snaplen: number; records: PcapRecord[] } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 24) throw new Error('pcap: shorter than its global header');
  const magic = view.getUint32(0, true);
  const little = magic === PCAP_MAGIC;
  if (!little && view.getUint32(0, false) !== PCAP_MAGIC) throw new Error(`pcap: bad magic 0x${magic.toString(16)}`);
  const u32 = (at: number) => view.getUint32(at, little);
  if (view.getUint16(4, little) !== 2 || view.getUint16(6, little) !== 4) throw new Error('pcap: not version 2.4');
  const records: PcapRecord[] = [];
  let at = 24;
  while (at < file.length) {
    if (at + 16 > file.length) throw new Error(`pcap: truncated record header at ${at}`);
    const stored = u32(at + 8);
    if (at + 16 + stored > file.length) throw new Error(`pcap: truncated record at ${at}`);
    records.push({ seconds: u32(at), micros: u32(at + 4), originalLength: u32(at + 12), data: file.slice(at + 16, at + 16 + stored) });
    at += 16 + stored;
  }
  return { linkType: u32(20), snaplen: u32(16), records };
}
