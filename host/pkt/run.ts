// Runs a parsed packetdrill script against slotcp's engine on a virtual clock. The
// script plays the remote client: inbound packets (`<`) are built and handed to the stack,
// outbound packets (`>`) are checked against what the stack sent, and system calls are
// mapped onto slotcp's API (the listening socket and accepted connections by handle).
// Numbering follows packetdrill: the client's sequence numbers are used as written; our
// sequence numbers and the client's ACK fields are relative to our ISN, learnt from the
// SYN-ACK.
import { NumericConfigKey, StackConfig } from '../../firmware/tcp/config';
import { ConnectionError } from '../../firmware/tcp/core';
import { Stack } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, RST, SYN, URG, finishPacket, flagLetters, parseIpv4, writeHeaders } from '../../firmware/tcp/wire';
import { CommandEvent, PacketEvent, Script, ScriptEvent, SyscallEvent, TcpOption } from './ast';
import { SentSegment, decodeSegment, describeSegment, optionsToBytes } from './segments';

export const LOCAL_ADDR = parseIpv4('192.0.2.2');
export const REMOTE_ADDR = parseIpv4('192.0.2.1');
export const LOCAL_PORT = 8080;
export const REMOTE_PORT = 40000;

/** packetdrill's default tolerance for event timing. */
const DEFAULT_TOLERANCE_USECS = 4000;

export class PktFailure extends Error {
  constructor(readonly line: number, readonly script: string, readonly detail: string) {
    super(`${script}:${line}: ${detail}`);
  }
}

export interface RunResult {
  /** Notes about what the runner did not execute (shell commands other than sleep). */
  notes: string[];
  /** Events executed. */
  events: number;
}

/** Script options that set slotcp's config (`--slots=2` etc.), beside packetdrill's own. */
const configOptions: Record<string, NumericConfigKey> = {
  slots: 'slots', rx: 'rxBytes', tx: 'txBytes', mss: 'mss', timewait: 'timeWaitCapacity', msl_ms: 'mslMs',
  syn_ack_retries: 'synAckRetries', max_retries: 'maxRetries', rto_initial_ms: 'rtoInitialMs',
  rto_min_ms: 'rtoMinMs', rto_max_ms: 'rtoMaxMs', delayed_ack_ms: 'delayedAckMs',
  fin_wait2_timeout_ms: 'finWait2TimeoutMs', challenge_acks_per_second: 'challengeAcksPerSecond',
};

/** Options packetdrill has that change nothing here. */
const ignoredOptions = new Set(['ip_version', 'bind_port', 'connect_port', 'wire_client', 'wire_server', 'verbose']);

interface Fd {
  kind: 'listener' | 'connection' | 'socket';
  listener: number;
  handle: number;
  linger0: boolean;
  keepalive: boolean;
  keepIdleS: number;
  keepIntvlS: number;
  keepCnt: number;
  noDelay: boolean;
  backlog: number;
}

class Runner {
  readonly stack: Stack;
  private clockMs = 0;
  /** Script time of the previous event, µs. */
  private lastUsecs = 0;
  private readonly tolerance: number;
  private readonly queue: SentSegment[] = [];
  private readonly fds = new Map<number, Fd>();
  private localIsn: number | undefined;
  private readonly errors = new Map<number, ConnectionError>();
  readonly notes: string[] = [];

  constructor(private readonly script: Script, private readonly name: string) {
    const config: Partial<StackConfig> = { localAddr: LOCAL_ADDR };
    let tolerance = DEFAULT_TOLERANCE_USECS;
    for (const [key, value] of Object.entries(script.options)) {
      if (key === 'tolerance_usecs') tolerance = this.integerOption(key, value);
      else if (configOptions[key]) config[configOptions[key]] = this.integerOption(key, value);
      else if (key === 'sack') config.sack = this.integerOption(key, value) !== 0;
      else if (!ignoredOptions.has(key)) throw new PktFailure(1, name, `unknown option --${key}`);
    }
    this.tolerance = tolerance;
    const port = { send: (p: Uint8Array, length: number) => this.queue.push(decodeSegment(p.slice(0, length), this.clockMs * 1000)) };
    const clock = { now: () => this.clockMs };
    let seed = 0x2545f491;
    const random = {
      fill(bytes: Uint8Array) {
        for (let i = 0; i < bytes.length; i++) {
          seed = (Math.imul(seed, 1103515245) + 12345) | 0;
          bytes[i] = seed >>> 24;
        }
      },
    };
    this.stack = new Stack(config, port, clock, random);
    this.stack.setEvents({
      acceptable() {}, readable() {}, writable() {}, ended() {},
      error: (handle, error) => this.errors.set(handle, error),
    });
  }

  private integerOption(key: string, value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new PktFailure(1, this.name, `--${key} needs an integer, got '${value}'`);
    return n;
  }

  run(): RunResult {
    let count = 0;
    for (const event of this.script.events) {
      this.runEvent(event);
      count++;
    }
    // The script's end: nothing more may be sent that the script did not expect.
    this.expectQuiet(this.lastUsecs, this.script.events.at(-1)?.line ?? 1);
    return { notes: this.notes, events: count };
  }

  private fail(line: number, detail: string): never {
    throw new PktFailure(line, this.name, detail);
  }

  /** The event's scripted time in µs (start of a range, start of a blocking call). */
  private eventTime(event: ScriptEvent): number {
    const t = event.time;
    if (t.kind === 'any') return this.lastUsecs;
    return t.kind === 'relative' ? this.lastUsecs + t.usecs : t.usecs;
  }

  /** The latest time the event may happen at (range end, blocking end, or tolerance). */
  private latestTime(event: ScriptEvent, start: number): number {
    const end = event.time.end;
    if (end) return (end.kind === 'relative' ? this.lastUsecs + end.usecs : end.usecs) + this.tolerance;
    if (event.time.kind === 'any') return Number.MAX_SAFE_INTEGER;
    return start + this.tolerance;
  }

  private runEvent(event: ScriptEvent): void {
    const start = this.eventTime(event);
    switch (event.type) {
      case 'packet':
        if (event.direction === 'in') {
          this.expectQuiet(start, event.line);
          this.advanceTo(start);
          this.inject(event);
        } else {
          this.expectOutbound(event, start);
        }
        break;
      case 'syscall':
        this.expectQuiet(start, event.line);
        this.advanceTo(start);
        this.syscall(event, start);
        break;
      case 'command':
        this.expectQuiet(start, event.line);
        this.advanceTo(start);
        this.command(event);
        break;
    }
    if (event.type !== 'packet' || event.direction === 'in') this.lastUsecs = Math.max(this.lastUsecs, start);
  }

  /** Runs the stack's timers up to `usecs`, as a platform would. */
  private advanceTo(usecs: number): void {
    const targetMs = Math.floor(usecs / 1000);
    for (let guard = 0; guard < 1_000_000; guard++) {
      const due = this.stack.nextDeadline();
      if (due < 0 || due > targetMs) break;
      this.clockMs = Math.max(this.clockMs, due);
      this.stack.poll();
    }
    this.clockMs = Math.max(this.clockMs, targetMs);
  }

  /** Fails if the stack sends anything before `usecs` (beyond the tolerance). */
  private expectQuiet(usecs: number, line: number): void {
    this.advanceTo(Math.max(usecs - this.tolerance, this.clockMs * 1000));
    const early = this.queue[0];
    if (early) this.fail(line, `unexpected outbound packet: ${this.describe(early)}`);
  }

  private expectOutbound(event: PacketEvent, start: number): void {
    const latest = this.latestTime(event, start);
    // Run the clock until the stack sends something or the latest allowed time passes.
    while (this.queue.length === 0) {
      const due = this.stack.nextDeadline();
      if (due < 0 || due * 1000 > latest) break;
      this.clockMs = Math.max(this.clockMs, due);
      this.stack.poll();
    }
    const sent = this.queue.shift();
    if (!sent) this.fail(event.line, `timed out waiting for packet: expected ${event.text.trim()}`);
    if (event.time.kind !== 'any' && (sent.usecs < start - this.tolerance || sent.usecs > latest)) {
      this.fail(event.line, `timing error: expected packet at ${formatSeconds(start)} sec but happened at `
        + `${formatSeconds(sent.usecs)} sec; tolerance ${formatSeconds(this.tolerance)} sec\n  script: ${event.text.trim()}\n  actual: ${this.describe(sent)}`);
    }
    this.matchOutbound(event, sent);
    this.lastUsecs = event.time.kind === 'any' ? sent.usecs : start;
  }

  private matchOutbound(event: PacketEvent, sent: SentSegment): void {
    const problems: string[] = [];
    if ((sent.flags & SYN) && (sent.flags & ACK)) {
      // Every SYN-ACK names our ISN: a new connection on a reused 4-tuple has a new one.
      this.localIsn = (sent.seq - event.seqStart) | 0;
    }
    const isn = this.localIsn ?? 0;
    const flags = flagsOf(event.flags);
    if (sent.flags !== flags) problems.push(`flags ${flagLetters(sent.flags)} instead of ${flagLetters(flags)}`);
    const relSeq = (sent.seq - isn) >>> 0;
    if (relSeq !== event.seqStart >>> 0) problems.push(`seq ${relSeq} instead of ${event.seqStart}`);
    if (sent.payload.length !== event.payloadLength) {
      problems.push(`payload length ${sent.payload.length} instead of ${event.payloadLength}`);
    }
    if (event.ack !== undefined && sent.ack >>> 0 !== event.ack >>> 0) problems.push(`ack ${sent.ack >>> 0} instead of ${event.ack}`);
    if (event.window !== undefined && sent.window !== event.window) problems.push(`win ${sent.window} instead of ${event.window}`);
    if (event.options !== 'any') {
      const expected = optionsToBytes(event.options ?? []);
      if (expected.join(',') !== sent.options.join(',')) {
        problems.push(`options [${sent.options.join(' ')}] instead of [${expected.join(' ')}]`);
      }
    }
    if (problems.length) {
      this.fail(event.line, `bad outbound packet: ${problems.join('; ')}\n  script: ${event.text.trim()}\n  actual: ${this.describe(sent)}`);
    }
  }

  private describe(s: SentSegment): string {
    return describeSegment(s, this.localIsn ?? 0);
  }

  private inject(event: PacketEvent): void {
    if (event.window === undefined) this.fail(event.line, 'window must be specified for inbound packets');
    const flags = flagsOf(event.flags);
    const ackRelative = event.ack ?? 0;
    const ack = flags & ACK ? (ackRelative + (this.localIsn ?? 0)) | 0 : 0;
    const options = event.options === 'any' ? this.fail(event.line, '<...> is only for outbound packets')
      : optionsToBytes(event.options ?? [], this.localIsn ?? 0);
    const payload = event.payloadLength;
    const buf = new Uint8Array(60 + options.length + payload);
    const at = writeHeaders(buf, 1, 64, REMOTE_ADDR, LOCAL_ADDR, REMOTE_PORT, LOCAL_PORT, event.seqStart | 0, ack, flags,
      event.window, 0, options.length + payload);
    // writeHeaders wrote a 20-byte TCP header; grow it to carry the options.
    buf.set(options, at);
    buf[20 + 12] = ((20 + options.length) / 4) << 4;
    for (let i = 0; i < payload; i++) buf[at + options.length + i] = 0x61 + (i % 26);
    const length = finishPacket(buf);
    this.stack.receive(buf, length);
  }

  private syscall(event: SyscallEvent, start: number): void {
    const expected = event.result;
    const latest = this.latestTime(event, start);
    const actual = this.execute(event, latest);
    if (actual.value !== expected.value || (expected.errno ?? '') !== (actual.errno ?? '')) {
      const show = (r: { value: number; errno?: string }) => `${r.value}${r.errno ? ` ${r.errno}` : ''}`;
      this.fail(event.line, `${event.name}() returned ${show(actual)} instead of ${show(expected)}\n  script: ${event.text.trim()}`);
    }
  }

  private fd(event: SyscallEvent, index = 0): Fd {
    const n = argInteger(event, index);
    const fd = this.fds.get(n);
    if (!fd) this.fail(event.line, `${event.name}(): fd ${n} is not open`);
    return fd;
  }

  /** Waits (running timers) until `ready()` holds or the latest allowed time passes. */
  private block(ready: () => boolean, latest: number): boolean {
    for (;;) {
      if (ready()) return true;
      const due = this.stack.nextDeadline();
      if (due < 0 || due * 1000 > latest) return ready();
      this.clockMs = Math.max(this.clockMs, due);
      this.stack.poll();
    }
  }

  private execute(event: SyscallEvent, latest: number): { value: number; errno?: string } {
    const stack = this.stack;
    switch (event.name) {
      case 'socket': {
        const fd = event.result.value;
        this.fds.set(fd, newFd('socket'));
        return { value: fd };
      }
      case 'bind':
        this.fd(event);
        return { value: 0 };
      case 'listen': {
        const fd = this.fd(event);
        fd.kind = 'listener';
        fd.backlog = Math.max(1, argInteger(event, 1));
        fd.listener = stack.listen(LOCAL_PORT, {
          backlog: fd.backlog, noDelay: fd.noDelay,
          keepalive: fd.keepalive ? { idleMs: fd.keepIdleS * 1000, intervalMs: fd.keepIntvlS * 1000, count: fd.keepCnt } : undefined,
        });
        return { value: 0 };
      }
      case 'accept': {
        const fd = this.fd(event);
        if (fd.kind !== 'listener') return { value: -1, errno: 'EINVAL' };
        let handle = -1;
        this.block(() => (handle = stack.accept(fd.listener)) >= 0, latest);
        if (handle < 0) return { value: -1, errno: 'EAGAIN' };
        const n = event.result.value >= 0 ? event.result.value : Math.max(...this.fds.keys()) + 1;
        this.fds.set(n, { ...newFd('connection'), handle, noDelay: fd.noDelay });
        if (fd.noDelay) stack.setNoDelay(handle, true);
        return { value: n };
      }
      case 'read':
      case 'recv': {
        const fd = this.fd(event);
        const want = argInteger(event, 2);
        const dead = this.errors.get(fd.handle);
        const ready = () => stack.available(fd.handle) > 0 || stack.ended(fd.handle);
        this.block(ready, latest);
        if (stack.available(fd.handle) > 0) return { value: stack.read(fd.handle, new Uint8Array(want)) };
        const error = dead ?? this.errors.get(fd.handle);
        if (error !== undefined) {
          this.errors.delete(fd.handle);
          return { value: -1, errno: error === ConnectionError.TimedOut ? 'ETIMEDOUT' : 'ECONNRESET' };
        }
        if (stack.ended(fd.handle)) return { value: 0 };
        return { value: -1, errno: 'EAGAIN' };
      }
      case 'write':
      case 'send': {
        const fd = this.fd(event);
        const count = argInteger(event, 2);
        const error = this.errors.get(fd.handle);
        if (error !== undefined) {
          this.errors.delete(fd.handle);
          return { value: -1, errno: error === ConnectionError.TimedOut ? 'ETIMEDOUT' : 'ECONNRESET' };
        }
        const data = new Uint8Array(count);
        let written = stack.write(fd.handle, data);
        if (written < 0) return { value: -1, errno: 'EPIPE' };
        while (written < count && this.block(() => stack.writable(fd.handle) !== 0, latest)) {
          const more = stack.write(fd.handle, data, written);
          if (more <= 0) break;
          written += more;
        }
        return { value: written };
      }
      case 'close': {
        const n = argInteger(event, 0);
        const fd = this.fd(event);
        if (fd.kind === 'listener') stack.unlisten(fd.listener);
        else if (fd.kind === 'connection') (fd.linger0 ? stack.abort(fd.handle) : stack.close(fd.handle));
        this.fds.delete(n);
        return { value: 0 };
      }
      case 'shutdown': {
        const fd = this.fd(event);
        const how = argName(event, 1);
        if (how === 'SHUT_WR' || how === 'SHUT_RDWR') stack.shutdown(fd.handle);
        else if (how !== 'SHUT_RD') this.fail(event.line, `shutdown(): unknown how ${how}`);
        return { value: 0 };
      }
      case 'setsockopt':
        return this.setsockopt(event);
      default:
        this.fail(event.line, `system call ${event.name}() is not supported by slotcp's runner`);
    }
  }

  private setsockopt(event: SyscallEvent): { value: number } {
    const fd = this.fd(event);
    const name = argName(event, 2);
    const value = event.args[3];
    const flag = () => (value.kind === 'array' ? Number(value.items[0]) : argInteger(event, 3));
    switch (name) {
      case 'SO_LINGER': {
        if (value.kind !== 'struct') this.fail(event.line, 'SO_LINGER takes {onoff=1, linger=0}');
        const onoff = value.fields.onoff ?? value.fields.l_onoff;
        const linger = value.fields.linger ?? value.fields.l_linger;
        if (onoff === 1 && linger !== 0) this.fail(event.line, 'slotcp supports SO_LINGER only with linger=0 (abort on close)');
        fd.linger0 = onoff === 1;
        return { value: 0 };
      }
      case 'SO_REUSEADDR':
        return { value: 0 };
      case 'TCP_NODELAY':
        fd.noDelay = flag() !== 0;
        if (fd.kind === 'connection') this.stack.setNoDelay(fd.handle, fd.noDelay);
        return { value: 0 };
      case 'SO_KEEPALIVE':
      case 'TCP_KEEPIDLE':
      case 'TCP_KEEPINTVL':
      case 'TCP_KEEPCNT':
        if (fd.kind !== 'socket') {
          this.fail(event.line, `slotcp sets keepalive per listener: set ${name} on the listening socket before listen()`);
        }
        if (name === 'SO_KEEPALIVE') fd.keepalive = flag() !== 0;
        if (name === 'TCP_KEEPIDLE') fd.keepIdleS = flag();
        if (name === 'TCP_KEEPINTVL') fd.keepIntvlS = flag();
        if (name === 'TCP_KEEPCNT') fd.keepCnt = flag();
        return { value: 0 };
      default:
        this.fail(event.line, `setsockopt ${name} is not supported by slotcp's runner`);
    }
  }

  private command(event: CommandEvent): void {
    const sleep = /^\s*sleep\s+([\d.]+)\s*$/.exec(event.command);
    if (sleep) {
      const until = this.lastUsecs + Math.round(Number(sleep[1]) * 1e6);
      this.lastUsecs = this.eventTime(event);
      this.expectQuiet(until, event.line);
      this.advanceTo(until);
      this.lastUsecs = until;
      return;
    }
    this.notes.push(`${this.name}:${event.line}: shell command not run: ${event.command}`);
  }
}

function newFd(kind: Fd['kind']): Fd {
  return {
    kind, listener: -1, handle: -1, linger0: false, keepalive: false, keepIdleS: 7200, keepIntvlS: 75, keepCnt: 9,
    noDelay: false, backlog: 1,
  };
}

function argInteger(event: SyscallEvent, index: number): number {
  const arg = event.args[index];
  if (!arg || arg.kind !== 'integer') throw new PktFailure(event.line, '', `${event.name}(): argument ${index + 1} must be an integer`);
  return arg.value;
}

function argName(event: SyscallEvent, index: number): string {
  const arg = event.args[index];
  if (!arg || arg.kind !== 'identifier') throw new PktFailure(event.line, '', `${event.name}(): argument ${index + 1} must be a name`);
  return arg.name;
}

export function flagsOf(text: string): number {
  let flags = 0;
  for (const c of text) {
    if (c === 'S') flags |= SYN;
    else if (c === 'F') flags |= FIN;
    else if (c === 'R') flags |= RST;
    else if (c === 'P') flags |= PSH;
    else if (c === '.') flags |= ACK;
    else if (c === 'U') flags |= URG;
    else if (c === 'E') flags |= 0x40;
    else if (c === 'W') flags |= 0x80;
  }
  return flags;
}


function formatSeconds(usecs: number): string {
  return (usecs / 1e6).toFixed(6);
}

/** Runs one parsed script; throws PktFailure on the first mismatch. */
export function runScript(script: Script, name: string): RunResult {
  return new Runner(script, name).run();
}

export type { TcpOption };
