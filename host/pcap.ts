// Classic libpcap files (the format tcpdump, Wireshark and tshark read): LINKTYPE_RAW, so
// each record is a bare IPv4 packet, with microsecond timestamps. Writes are buffered and
// flushed when the buffer fills, on flush() and on close(). The file is made new, mode
// 0600 (it holds every payload byte), never through a symlink (files.ts). A failed write
// (a full disk) stops the recording, since the file may end in half a record; it is
// counted and reported through onError, never thrown into the packet path.
import { closeSync, writeSync } from 'node:fs';
import { UsageError } from './args';
import { createNewFile } from './files';

export const PCAP_MAGIC = 0xa1b2c3d4;
/** LINKTYPE_RAW: the packet starts with the IP header (version 4 or 6). */
export const LINKTYPE_RAW = 101;
export const SNAPLEN = 65535;

export class PcapWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(1 << 16);
  private used = 0;
  packets = 0;
  /** Packets not recorded because a write failed (the recording stopped there). */
  lost = 0;
  /** The failed write, if any. */
  error: Error | undefined;
  /** Told once, when a write fails. */
  onError: (err: Error) => void = () => {};

  /** Makes `path` (a new file; with `overwrite`, an existing regular file is replaced).
   *  Throws a UsageError naming --pcap when it cannot. */
  constructor(readonly path: string, options: { overwrite?: boolean } = {}) {
    this.fd = createNewFile(path, '--pcap', options.overwrite ?? false);
    const header = this.buffer;
    header.writeUInt32LE(PCAP_MAGIC, 0);
    header.writeUInt16LE(2, 4); // version 2.4
    header.writeUInt16LE(4, 6);
    header.writeInt32LE(0, 8); // thiszone: timestamps are UTC
    header.writeUInt32LE(0, 12); // sigfigs
    header.writeUInt32LE(SNAPLEN, 16);
    header.writeUInt32LE(LINKTYPE_RAW, 20);
    this.used = 24;
    try {
      this.writeBuffered();
    } catch (err) {
      closeSync(this.fd);
      throw new UsageError(`--pcap: cannot write ${path}: ${(err as Error).message}`);
    }
  }

  /** Appends one packet, stamped with the wall clock in microseconds. */
  record(packet: Uint8Array, length = packet.length): void {
    if (this.error) {
      this.lost++;
      return;
    }
    try {
      this.append(packet, length);
    } catch (err) {
      this.failed(err);
      this.lost++;
    }
  }

  private failed(err: unknown): void {
    if (this.error) return;
    this.error = err instanceof Error ? err : new Error(String(err));
    this.used = 0;
    this.onError(this.error);
  }

  private append(packet: Uint8Array, length: number): void {
    const stored = Math.min(length, SNAPLEN);
    if (this.used + 16 + stored > this.buffer.length) this.writeBuffered();
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const b = this.buffer;
    b.writeUInt32LE(Math.floor(micros / 1e6), this.used);
    b.writeUInt32LE(micros % 1e6, this.used + 4);
    b.writeUInt32LE(stored, this.used + 8);
    b.writeUInt32LE(length, this.used + 12);
    this.used += 16;
    if (stored > b.length - this.used) {
      this.writeBuffered();
      this.write(packet, stored);
    } else {
      b.set(packet.subarray(0, stored), this.used);
      this.used += stored;
    }
    this.packets++;
  }

  /** Writes what is buffered (errors as in record()). */
  flush(): void {
    if (this.error) return;
    try {
      this.writeBuffered();
    } catch (err) {
      this.failed(err);
    }
  }

  private writeBuffered(): void {
    this.write(this.buffer, this.used);
    this.used = 0;
  }

  private write(bytes: Uint8Array, length: number): void {
    for (let at = 0; at < length;) at += writeSync(this.fd, bytes, at, length - at);
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
