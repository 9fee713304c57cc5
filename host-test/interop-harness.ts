// Test side of the interop suite: starts `slotcp tun` in a namespace of its own, runs
// commands and the clients of interop-client.ts inside that namespace (Linux's own TCP
// as the client), reads --stats, and always removes what it started.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readPcap } from '../host/pcap';
import { SentSegment, decodeSegment } from '../host/pkt/segments';
import { parseIpv4 } from '../firmware/tcp/wire';
import { namespaceExists, namespacePids, removeNamespace, which } from '../host/serve/netns';

export const ROOT = resolve(__dirname, '..', '..');
export const SLOTCP = join(ROOT, 'bin', 'slotcp.js');
const CLIENT = join(__dirname, 'interop-client.js');

/** Why the interop tests cannot run here, or undefined when they can. */
export function interopSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (network namespaces and TUN devices need root)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  if (!which('socat')) return 'socat is missing (apt-get install socat)';
  return undefined;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (killed after `timeoutMs`). */
export function runCommand(command: string, args: string[], timeoutMs: number, env?: Record<string, string>): Promise<Ran> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? -1 : null), stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

let sequence = 0;
const live = new Set<Tun>();

/** A client left running inside a namespace (interop-client.ts); see Tun.background(). */
export class BackgroundClient {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    this.exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  }

  /** The JSON lines printed so far. */
  lines(): any[] {
    return this.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  /** Waits (at most `timeoutMs`) for a printed JSON line that `match` accepts. */
  async line(match: (line: any) => boolean, timeoutMs: number): Promise<any> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.lines().find(match);
      if (found) return found;
      if (performance.now() > deadline || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`background client printed no matching line:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** One `slotcp tun` process and its namespace. */
export class Tun {
  readonly ns = `slotcp-t${process.pid}-${++sequence}`;
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly clients: BackgroundClient[] = [];

  private constructor(args: string[]) {
    this.child = spawn(process.execPath, [SLOTCP, 'tun', '--netns', this.ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    live.add(this);
  }

  /** Starts `slotcp tun ARGS` and waits for its ready line. */
  static async start(args: string[] = [], timeoutMs = 20000): Promise<Tun> {
    const tun = new Tun(args);
    const deadline = performance.now() + timeoutMs;
    while (!/^slotcp tun: ready/m.test(tun.output)) {
      if (tun.child.exitCode !== null || performance.now() > deadline) {
        tun.dispose();
        throw new Error(`slotcp tun did not become ready:\n${tun.output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return tun;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs a command inside the namespace. */
  exec(command: string, args: string[], timeoutMs = 60000, env?: Record<string, string>): Promise<Ran> {
    return runCommand('ip', ['netns', 'exec', this.ns, command, ...args], timeoutMs, env);
  }

  /** Runs an interop-client.ts mode inside the namespace; returns its JSON result. The
   *  client gives up after `timeoutMs` (its deadline); then this throws, unless
   *  `deadlineOk`, when the client's `{error: 'deadline', progress}` line is returned. */
  async client(mode: string, args: (string | number)[], timeoutMs = 60000, deadlineOk = false): Promise<any> {
    const ran = await this.exec(process.execPath, [CLIENT, mode, ...args.map(String)], timeoutMs + 5000,
      { SLOTCP_CLIENT_DEADLINE_MS: String(timeoutMs) });
    const line = ran.stdout.trim().split('\n').pop() ?? '';
    let result: any;
    try {
      result = JSON.parse(line);
    } catch {
      throw new Error(`client ${mode} printed no result (exit ${ran.code}): ${ran.stdout}${ran.stderr}`);
    }
    if (deadlineOk && ran.code === 3 && result.error === 'deadline') return result;
    if (ran.code !== 0 || result.error === 'deadline') throw new Error(`client ${mode} failed (exit ${ran.code}): ${line}\n${ran.stderr}`);
    return result;
  }

  /** Starts an interop-client.ts mode inside the namespace and leaves it running (killed
   *  after `timeoutMs` by its own deadline, and by dispose()). */
  background(mode: string, args: (string | number)[], timeoutMs = 60000): BackgroundClient {
    const child = spawn('ip', ['netns', 'exec', this.ns, process.execPath, CLIENT, mode, ...args.map(String)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLOTCP_CLIENT_DEADLINE_MS: String(timeoutMs) } });
    const client = new BackgroundClient(child);
    this.clients.push(client);
    return client;
  }

  /** Puts raw bytes on the link as the kernel's side would: an AF_PACKET write on the TUN
   *  device (socat's INTERFACE address), so they reach the runner through socat exactly
   *  like the kernel's own packets. `file` is a scratch path for the bytes. */
  async inject(bytes: Uint8Array, file: string): Promise<void> {
    writeFileSync(file, bytes);
    const ran = await this.exec('socat', ['-u', `OPEN:${file}`, 'INTERFACE:slot0'], 10000);
    if (ran.code !== 0) throw new Error(`socat INTERFACE:slot0 failed (exit ${ran.code}): ${ran.stderr}`);
  }

  /** Sends one UDP datagram to the runner's port (9001) from inside the namespace, from a
   *  port other than socat's (the link must drop it as foreign). */
  async datagramToRunner(bytes: Uint8Array, file: string): Promise<void> {
    writeFileSync(file, bytes);
    const ran = await this.exec('socat', ['-u', `OPEN:${file}`, 'UDP-SENDTO:127.0.0.1:9001'], 10000);
    if (ran.code !== 0) throw new Error(`socat UDP-SENDTO failed (exit ${ran.code}): ${ran.stderr}`);
  }

  /** The pid of the `slotcp serve` runner inside the namespace. */
  runnerPid(): number | undefined {
    return namespacePids(this.ns).find((pid) => {
      try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve'); } catch { return false; }
    });
  }

  /** Asks the runner for --stats (SIGUSR1 through slotcp tun) and reads the file. */
  async stats(file: string): Promise<any> {
    rmSync(file, { force: true });
    this.child.kill('SIGUSR1');
    for (let waited = 0; waited < 5000; waited += 10) {
      if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no stats in ${file} 5 s after SIGUSR1`);
  }

  /** Polls stats until `ready(stats)` (e.g. the last connection has finished closing). */
  async statsWhen(file: string, ready: (s: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.stats(file);
      if (ready(s) || performance.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops slotcp tun with a signal; resolves with its exit status. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Kills everything left and removes the namespace (for after hooks). */
  dispose(): void {
    for (const c of this.clients) c.kill();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    removeNamespace(this.ns);
    live.delete(this);
  }

  namespaceExists(): boolean {
    return namespaceExists(this.ns);
  }
}

/** Stops and removes every Tun still running (afterEach). */
export async function disposeAll(): Promise<void> {
  for (const tun of [...live]) {
    await tun.stop('SIGTERM', 5000).catch(() => undefined);
    tun.dispose();
  }
}

/** The TCP segments of a pcap file (LINKTYPE_RAW) in order, decoded by the script
 *  runner's decoder with their time in µs since the epoch (anything else is skipped). */
export function pcapSegments(path: string): SentSegment[] {
  const out: SentSegment[] = [];
  for (const r of readPcap(readFileSync(path)).records) {
    const d = r.data;
    if (d.length < 40 || d[0] >> 4 !== 4 || d[9] !== 6) continue;
    out.push(decodeSegment(d, r.seconds * 1e6 + r.micros));
  }
  return out;
}

/** The byte stream one side sent on one connection, rebuilt from its data segments by
 *  sequence number (relative to its SYN), with retransmissions and duplicates checked
 *  against what is already there. `size` bounds the stream. */
export function reassemble(segments: SentSegment[], from: { addr: string; port: number }, to: { addr: string; port: number },
  size: number): { bytes: Uint8Array; covered: number; conflicts: number; contiguous: number } {
  const [fromAddr, toAddr] = [parseIpv4(from.addr) >>> 0, parseIpv4(to.addr) >>> 0];
  const mine = segments.filter((s) => s.srcAddr === fromAddr && s.srcPort === from.port && s.dstAddr === toAddr && s.dstPort === to.port);
  const syn = mine.find((s) => s.flags & 0x02);
  if (!syn) throw new Error(`no SYN from ${from.addr}:${from.port} in the pcap`);
  const bytes = new Uint8Array(size);
  const have = new Uint8Array(size);
  let covered = 0;
  let conflicts = 0;
  for (const s of mine) {
    if (s.payload.length === 0) continue;
    const offset = (s.seq - syn.seq - 1) >>> 0;
    for (let i = 0; i < s.payload.length; i++) {
      const at = offset + i;
      if (at >= size) { conflicts++; break; }
      if (have[at]) {
        if (bytes[at] !== s.payload[i]) conflicts++;
      } else {
        have[at] = 1;
        bytes[at] = s.payload[i];
        covered++;
      }
    }
  }
  let contiguous = 0;
  while (contiguous < size && have[contiguous]) contiguous++;
  return { bytes, covered, conflicts, contiguous };
}
