// Runs a parsed packetdrill script against slotcp's engine on a virtual clock. The
// script plays the remote client: inbound packets (`<`) are built and handed to the stack,
// outbound packets (`>`) are checked against what the stack sent, and system calls are
// mapped onto slotcp's API (the listening socket and accepted connections by handle).
// Numbering follows packetdrill: the client's sequence numbers are used as written; our
// sequence numbers and the client's ACK fields are relative to our ISN, learnt from the
// SYN-ACK.
import { ConfigError, NumericConfigKey, StackConfig, defaultConfig } from '../../firmware/tcp/config';
import { ConnectionError } from '../../firmware/tcp/core';
import { CounterName } from '../../firmware/tcp/counters';
import { Stack, TcpInfo, WriteFlag } from '../../firmware/tcp/stack';
import { ACK, FIN, PSH, RST, SYN, URG, flagLetters, parseIpv4 } from '../../firmware/tcp/wire';
import { newClientSegment, writeClientSegment } from '../packet';
import { CodeEvent, CommandEvent, Nested, PacketEvent, Script, ScriptCommand, ScriptEvent, SyscallArg, SyscallEvent, TcpOption } from './ast';
import { CodeError, CodeScope, runCode } from './code';
import { EstablishedPeer, establishedPeer, establishedPreamble, isEstablishedOption } from './established';
import { parseScript } from './parse';
import { Prng } from '../prng';
import { SentSegment, decodeSegment, describeSegment, optionsToBytes } from './segments';
import { strictTransitions } from '../../firmware/tcp/connection';

// An illegal state change (connection.ts) throws here, where production only counts it.
strictTransitions(true);

export const LOCAL_ADDR = parseIpv4('192.0.2.2');
export const REMOTE_ADDR = parseIpv4('192.0.2.1');
export const LOCAL_PORT = 8080;
export const REMOTE_PORT = 40000;

/** packetdrill's default share of the time since the previous event it also tolerates
 *  (run.c verify_time: the larger of the two applies). */
const DEFAULT_TOLERANCE_PERCENT = 12.5;
/** packetdrill's default tolerance for event timing. */
const DEFAULT_TOLERANCE_USECS = 4000;

export class PktFailure extends Error {
  constructor(readonly line: number, readonly script: string, readonly detail: string) {
    super(`${script}:${line}: ${detail}`);
  }
}

/**
 * Differences between slotcp and the stacks other suites' scripts were written for, which
 * the runner can neutralize. Only the peer-suite runner (peer.ts) turns them on; it lists
 * each with its reason and RFC.
 */
export type Neutralization =
  /** SYN-ACK: only whether MSS, SACK-permitted and Window Scale are present, as in the
   *  script's, is compared. */
  | 'synack-options'
  /** TCP timestamps (and their padding) in expected non-SYN segments are not expected. */
  | 'timestamps'
  /** The window of outbound segments is not compared. */
  | 'window'
  /** SO_RCVBUF/SO_SNDBUF: getsockopt values not compared, setsockopt accepted and ignored. */
  | 'buffer-sizes'
  /** The PSH flag of outbound segments is not compared (the other flags are). */
  | 'push'
  /** A non-blocking write the script expects to take fewer bytes than asked queues just
   *  that many, when slotcp has room for them. */
  | 'partial-writes'
  /** `(tos)`/`(ttl)` are not compared on a RST sent while a socket is bound to the port
   *  but none listens there (slotcp has no bound sockets: the stack's values). */
  | 'bound-socket-reset'
  /** A listener's reset for a SYN-ACK (RFC 9293's answer to any ACK in LISTEN) is not
   *  shown to the script, which expects the segment dropped. */
  | 'listener-syn-ack-reset';

export interface RunOptions {
  /** Stack config applied before the script's own options. */
  config?: Partial<StackConfig>;
  /**
   * packetdrill's checks only: an outbound packet is checked when a `>` line asks for it
   * (the oldest unchecked one), never before inbound packets, system calls or after the
   * script's last line. Off: slotcp's stricter default, where nothing may be sent that
   * the script does not expect, at any point.
   */
  packetdrillChecks?: boolean;
  neutralize?: ReadonlySet<Neutralization>;
  /**
   * Before the script, an idle connection from another port to a listener of its own
   * takes the first slot (one slot and one listener more than the script's config): the
   * script's connection then lives in a row other than 0, so a row computed wrongly
   * shows (host-test/pkt.test.ts; mutation testing relies on it). It never sends.
   */
  bystander?: boolean;
}

const BYSTANDER_PORT = 9;

export interface RunResult {
  /** Notes about what the runner did not execute (shell commands other than sleep). */
  notes: string[];
  /** Events executed. */
  events: number;
  /** The stack's MIB counters at the script's end (what the wire cannot show). */
  counters: Record<CounterName, number>;
}

/** Script options that set slotcp's config (`--slots=2` etc.), beside packetdrill's own. */
const configOptions: Record<string, NumericConfigKey> = {
  slots: 'slots', rx: 'rxBytes', tx: 'txBytes', mss: 'mss', timewait: 'timeWaitCapacity', msl_ms: 'mslMs',
  syn_ack_retries: 'synAckRetries', max_retries: 'maxRetries', rto_initial_ms: 'rtoInitialMs',
  rto_min_ms: 'rtoMinMs', rto_max_ms: 'rtoMaxMs', delayed_ack_ms: 'delayedAckMs',
  fin_wait2_timeout_ms: 'finWait2TimeoutMs', challenge_acks_per_second: 'challengeAcksPerSecond',
  byte_counting_limit: 'byteCountingLimit', quick_acks: 'quickAcks', half_open_limit: 'halfOpenLimit',
};

/** Options packetdrill has that change nothing here. */
const ignoredOptions = new Set(['ip_version', 'bind_port', 'connect_port', 'wire_client', 'wire_server', 'verbose', 'define']);

interface Fd {
  kind: 'listener' | 'connection' | 'socket' | 'file';
  listener: number;
  handle: number;
  /** SO_LINGER {1, N}: close() resets after N seconds without the FIN ACKed (0: at once); -1: off. */
  lingerS: number;
  keepalive: boolean;
  keepIdleS: number;
  keepIntvlS: number;
  keepCnt: number;
  noDelay: boolean;
  backlog: number;
  nonBlocking: boolean;
  /** shutdown(SHUT_RD) was called: reads return what is queued, then 0 at once. */
  readShut: boolean;
  /** setsockopt(TCP_INQ, [1]): recvmsg() reports the bytes left to read (TCP_CM_INQ). */
  inq: boolean;
  /** A socket's or listener's TCP_USER_TIMEOUT (ms), TCP_MAXSEG (0: config.mss) and
   *  TCP_NOOPT. */
  userTimeoutMs: number;
  maxSeg: number;
  noOptions: boolean;
  /** A file open()ed for sendfile(): its bytes (one of the preamble's files) and offset. */
  file?: { data: Uint8Array; position: number };
  /** A socket's or listener's IP_TOS and IP_TTL (0: config.ttl); a connection's are the
   *  stack's (TcpInfo). bind() marks a socket bound. */
  tos: number;
  ttl: number;
  bound: boolean;
}

/** The IPTOS_DSCP_* names (FreeBSD's and Linux's netinet/ip.h): RFC 2474's class
 *  selectors CSn (n << 3), RFC 2597's assured forwarding AFxy (8x + 2y), RFC 3246's
 *  expedited forwarding EF (46) and RFC 5865's VOICE-ADMIT VA (44), as DSCP << 2. */
const iptosDscp: Record<string, number> = {
  IPTOS_DSCP_EF: 46 << 2, IPTOS_DSCP_VA: 44 << 2,
};
for (let n = 0; n < 8; n++) iptosDscp[`IPTOS_DSCP_CS${n}`] = (n << 3) << 2;
for (let x = 1; x <= 4; x++) for (let y = 1; y <= 3; y++) iptosDscp[`IPTOS_DSCP_AF${x}${y}`] = (8 * x + 2 * y) << 2;

/** Linux's numbering of tcpi_state and tcpi_ca_state, which the scripts compare against. */
const linuxTcpStates: Record<string, number> = {
  ESTABLISHED: 1, 'SYN-RECEIVED': 3, LISTEN: 10, 'FIN-WAIT-1': 4, 'FIN-WAIT-2': 5, 'TIME-WAIT': 6, CLOSED: 7,
  'CLOSE-WAIT': 8, 'LAST-ACK': 9, CLOSING: 11,
};
// TCPI_* are the names tcp-testsuite's scripts compare tcpi_state with (FreeBSD's
// numbering differs, but only the names are compared, so Linux's numbers serve).
const codeSymbols: [string, number][] = [
  ['TCPI_ESTABLISHED', 1], ['TCPI_SYN_RECEIVED', 3], ['TCPI_FIN_WAIT_1', 4], ['TCPI_FIN_WAIT_2', 5], ['TCPI_TIME_WAIT', 6],
  ['TCPI_CLOSED', 7], ['TCPI_CLOSE_WAIT', 8], ['TCPI_LAST_ACK', 9], ['TCPI_LISTEN', 10], ['TCPI_CLOSING', 11],
  ['TCP_ESTABLISHED', 1], ['TCP_SYN_SENT', 2], ['TCP_SYN_RECV', 3], ['TCP_FIN_WAIT1', 4], ['TCP_FIN_WAIT2', 5],
  ['TCP_TIME_WAIT', 6], ['TCP_CLOSE', 7], ['TCP_CLOSE_WAIT', 8], ['TCP_LAST_ACK', 9], ['TCP_LISTEN', 10], ['TCP_CLOSING', 11],
  ['TCP_CA_Open', 0], ['TCP_CA_Disorder', 1], ['TCP_CA_CWR', 2], ['TCP_CA_Recovery', 3], ['TCP_CA_Loss', 4],
];
/** Blocking calls that may wait for what the script's later lines send (`T1...T2`). */
const WAITS_FOR_PEER = new Set(['accept', 'read', 'recv', 'recvfrom', 'recvmsg', 'poll']);

/** poll()'s events the runner knows, in the order it writes them. */
const POLL_EVENTS = ['POLLIN', 'POLLOUT'];
const EMPTY = new Uint8Array(0);

/** Linux's congestion state (tcpi_ca_state) for what slotcp knows: Recovery (3) in fast
 *  recovery, Loss (4) resending after a timeout, Disorder (1) while duplicate ACKs or
 *  SACKed data show something missing, else Open (0). slotcp has no CWR (2): no ECN. */
function caState(info: TcpInfo): number {
  if (info.recovery) return 3;
  if (info.afterTimeout) return 4;
  return info.dupAcks > 0 || info.sacked > 0 ? 1 : 0;
}

/** Linux's infinite ssthresh, as tcp_info reports it. */
const TCP_INFINITE_SSTHRESH = 0x7fffffff;

class Runner {
  readonly stack: Stack;
  /** Script time, ms. */
  private clockMs = 0;
  /** The stack's clock minus script time: 0, or --established's handshake time once it is over. */
  private originMs = 0;
  private readonly established: EstablishedPeer | undefined;
  /** Script time of the previous event, µs. */
  private lastUsecs = 0;
  /** --tolerance_usecs: the least tolerance of any event's time. */
  private readonly tolerance: number;
  /** --tolerance_percent: packetdrill widens an event's tolerance to this share of the
   *  time since the previous event when that is more (12.5 there; 0, none, in slotcp's
   *  own mode unless the script sets it). */
  private readonly tolerancePercent: number;
  /** The tolerance of the event under way (µs), as above. */
  private eventTolerance: number;
  private readonly queue: SentSegment[] = [];
  /** The local link refuses every packet (emulated `tc qdisc ... pfifo limit 0`): the
   *  stack's port answers false and the packet never reaches the script. */
  private linkRefuses = false;
  private readonly fds = new Map<number, Fd>();
  private localIsn: number | undefined;
  private readonly errors = new Map<number, ConnectionError>();
  readonly notes: string[] = [];
  private readonly packetdrillChecks: boolean;
  private readonly neutralize: ReadonlySet<Neutralization>;
  /** --strict_segments: one script packet is one sent segment (no aggregation). */
  private strictSegments = false;
  /** packetdrill's socket under test: the fd the %{ }% blocks read tcp_info from. */
  private socketUnderTest = -1;
  /** The socket under test's tcp_info as it last was while its connection lived: a code
   *  block after a timeout or reset reads it (state CLOSED), as Linux's tcp_info still
   *  reports a dead socket's counters (tcpi_probes after TCP_USER_TIMEOUT's abort). */
  private lastInfo: { handle: number; info: TcpInfo } | undefined;
  private readonly codeScope: CodeScope = new Map();
  /** Files the preamble made (`dd`), by path: the runner's own, in memory. */
  private readonly files = new Map<string, Uint8Array>();
  /** The leading sysctl commands applied as the stack was built (leadingSysctls()). */
  private readonly appliedCommands = new Set<CommandEvent>();
  /** When the poll() under way started (µs): its timeout counts from here. */
  private pollStart = 0;

  constructor(private readonly script: Script, private readonly name: string, options: RunOptions = {}) {
    const config: Partial<StackConfig> = { ...options.config, localAddr: LOCAL_ADDR };
    this.packetdrillChecks = options.packetdrillChecks ?? false;
    this.neutralize = options.neutralize ?? new Set();
    let tolerance = DEFAULT_TOLERANCE_USECS;
    let tolerancePercent = this.packetdrillChecks ? DEFAULT_TOLERANCE_PERCENT : 0;
    for (const [key, value] of Object.entries(script.options)) {
      if (key === 'tolerance_usecs') tolerance = this.integerOption(key, value);
      else if (key === 'tolerance_percent') tolerancePercent = this.percentOption(key, value);
      else if (key === 'strict_segments') this.strictSegments = true;
      // packetdrill's --mss is the tun device's segment size for its TSO/GSO emulation,
      // not the stack's MSS: in packetdrill mode it changes nothing here.
      else if (key === 'mss' && this.packetdrillChecks) this.integerOption(key, value);
      else if (configOptions[key]) config[configOptions[key]] = this.integerOption(key, value);
      else if (key === 'sack') config.sack = this.integerOption(key, value) !== 0;
      else if (key === 'cwnd_validation') config.cwndValidation = this.integerOption(key, value) !== 0;
      else if (key === 'congestion' && (value === 'reno' || value === 'cubic')) config.congestion = value;
      else if (key === 'lone_fin') config.loneFin = this.integerOption(key, value) !== 0;
      else if (key === 'rack') config.rack = this.integerOption(key, value) !== 0;
      else if (key === 'accept_syn_fin') config.acceptSynFin = this.integerOption(key, value) !== 0;
      else if (key === 'slow_start_after_idle') config.slowStartAfterIdle = this.integerOption(key, value) !== 0;
      else if (key === 'window_updates' && (value === 'linux' || value === 'freebsd')) config.windowUpdates = value;
      else if (key === 'rto_min_on_variance') config.rtoMinOnVariance = this.integerOption(key, value) !== 0;
      else if (key === 'initial_window') config.initialWindow = value === 'rfc5681' || value === 'rfc6928' ? value : this.integerOption(key, value);
      else if (!ignoredOptions.has(key) && !isEstablishedOption(key)) throw new PktFailure(1, name, `unknown option --${key}`);
    }
    this.tolerance = tolerance;
    this.eventTolerance = tolerance;
    this.tolerancePercent = tolerancePercent;
    if (script.initCommand) this.preamble(script.initCommand, config);
    this.leadingSysctls(config);
    try {
      this.established = establishedPeer(script.options);
    } catch (err) {
      throw new PktFailure(1, name, (err as Error).message);
    }
    const port = {
      send: (p: Uint8Array, length: number): boolean => {
        if (this.linkRefuses) return false;
        this.queue.push(decodeSegment(p.slice(0, length), this.clockMs * 1000));
        return true;
      },
    };
    const clock = { now: () => this.clockMs + this.originMs };
    const random = new Prng(0x2545f491);
    if (options.bystander) {
      const slots = config.slots ?? defaultConfig.slots;
      if (config.halfOpenLimit === undefined) config.halfOpenLimit = Math.ceil(slots / 2);
      config.slots = slots + 1;
      config.listeners = (config.listeners ?? defaultConfig.listeners) + 1;
    }
    this.stack = new Stack(config, port, clock, random);
    if (options.bystander) this.openBystander();
    this.stack.setEvents({
      acceptable() {}, readable() {}, writable() {}, ended() {},
      error: (handle, error) => this.errors.set(handle, error),
    });
  }

  private openBystander(): void {
    const listener = this.stack.listen(BYSTANDER_PORT);
    const segment = (seq: number, ack: number, flags: number) => {
      const buf = new Uint8Array(60);
      this.stack.receive(buf, writeClientSegment(buf, { ...newClientSegment(), srcAddr: (REMOTE_ADDR + 1) | 0, dstAddr: LOCAL_ADDR,
        srcPort: REMOTE_PORT + 1, dstPort: BYSTANDER_PORT, seq, ack, flags, window: 65535 }));
    };
    segment(7, 0, SYN);
    const synAck = this.queue.shift();
    if (!synAck || this.queue.length > 0) throw new Error('bystander: no SYN-ACK');
    segment(8, (synAck.seq + 1) | 0, ACK);
    if (this.stack.accept(listener) < 0 || this.queue.length > 0) throw new Error('bystander: not accepted quietly');
  }

  private integerOption(key: string, value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new PktFailure(1, this.name, `--${key} needs an integer, got '${value}'`);
    return n;
  }

  private percentOption(key: string, value: string): number {
    const n = Number(value);
    if (!(value.trim() !== '' && n >= 0 && n <= 100)) throw new PktFailure(1, this.name, `--${key} needs a percentage from 0 to 100, got '${value}'`);
    return n;
  }

  run(): RunResult {
    if (this.established) this.establish(this.established);
    let count = 0;
    for (const event of this.script.events) {
      this.awaitPending(this.eventTime(event));
      this.runEvent(event);
      this.settlePending();
      count++;
    }
    if (this.pending) this.awaitPending(this.pending.latest + 1);
    // The script's end: nothing more may be sent that the script did not expect (slotcp's
    // check; packetdrill looks at nothing after the last line).
    if (!this.packetdrillChecks) this.expectQuiet(this.lastUsecs, this.script.events.at(-1)?.line ?? 1);
    return { notes: this.notes, events: count, counters: this.stack.counters.snapshot() };
  }

  /** --established: plays the handshake, then makes its end script time 0. */
  private establish(peer: EstablishedPeer): void {
    try {
      for (const event of parseScript(establishedPreamble(peer), 'established').events) this.runEvent(event);
    } catch (err) {
      if (err instanceof PktFailure) this.fail(1, `--established handshake: ${err.detail}`);
      throw err;
    }
    this.originMs = this.clockMs;
    this.clockMs = 0;
    this.lastUsecs = 0;
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

  /** A range's or blocking call's scripted end (T2) in µs. */
  private endTime(end: NonNullable<ScriptEvent['time']['end']>): number {
    return end.kind === 'relative' ? this.lastUsecs + end.usecs : end.usecs;
  }

  /** The latest time the event may happen at (range end, blocking end, or tolerance). */
  private latestTime(event: ScriptEvent, start: number): number {
    const end = event.time.end;
    if (end) return this.endTime(end) + this.eventTolerance;
    if (event.time.kind === 'any') return Number.MAX_SAFE_INTEGER;
    return start + this.eventTolerance;
  }

  private runEvent(event: ScriptEvent): void {
    const start = this.eventTime(event);
    // packetdrill's share is of the time since the previous event, but for a blocking
    // call's return (T1...T2) of the call's own span (its run_system_call.c).
    const end = event.time.end;
    const span = event.type === 'syscall' && end ? this.endTime(end) - start : start - this.lastUsecs;
    const dynamic = Math.floor((this.tolerancePercent / 100) * span);
    this.eventTolerance = dynamic > this.tolerance ? dynamic : this.tolerance;
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
      case 'code':
        this.expectQuiet(start, event.line);
        this.advanceTo(start);
        this.code(event);
        break;
    }
    if (event.type !== 'packet' || event.direction === 'in') this.lastUsecs = Math.max(this.lastUsecs, start);
    this.rememberInfo();
  }

  /** Keeps the socket under test's tcp_info while its connection lives (lastInfo). */
  private rememberInfo(): void {
    const fd = this.fds.get(this.socketUnderTest);
    if (!fd || fd.kind !== 'connection') return;
    const info = this.info(fd);
    if (info) this.lastInfo = { handle: fd.handle, info };
  }

  /** Runs the stack's timers up to `usecs`, as a platform would. */
  private advanceTo(usecs: number): void {
    const targetMs = Math.floor(usecs / 1000);
    for (let guard = 0; guard < 1_000_000 && this.runNextTimer(targetMs); guard++) this.settlePending();
    this.clockMs = Math.max(this.clockMs, targetMs);
  }

  /** Runs the stack's next timer if it falls due by `latestMs` (script time); false if none does. */
  private runNextTimer(latestMs: number): boolean {
    const due = this.stack.nextDeadline();
    if (due < 0 || due - this.originMs > latestMs) return false;
    this.clockMs = Math.max(this.clockMs, due - this.originMs);
    this.rememberInfo();
    this.stack.poll();
    return true;
  }

  /** Before an event at `usecs`: a blocking call due to have returned by then must have;
   *  the clock runs to its latest time first, in case timers release it. */
  private awaitPending(usecs: number): void {
    const pending = this.pending;
    if (!pending) return;
    // A poll() whose timeout ends before the event returns then, whatever the event does.
    const timeout = pending.event.name === 'poll' ? this.pollEnd(pending.event) : Infinity;
    if (timeout < usecs && timeout <= pending.latest) {
      this.advanceTo(timeout);
      this.settlePending();
      return;
    }
    if (usecs <= pending.latest) return;
    this.advanceTo(pending.latest);
    this.settlePending();
    if (this.pending) {
      this.fail(pending.event.line, `${pending.event.name}() blocked past ${formatSeconds(pending.latest - pending.tolerance)} sec (+ tolerance) `
        + `and has not returned\n  script: ${pending.event.text.trim()}`);
    }
  }

  /** Completes the blocking call waiting (if any) when it no longer blocks: its result
   *  is compared, and it must return at its scripted end time, within the tolerance. */
  private settlePending(): void {
    const pending = this.pending;
    if (!pending) return;
    const actual = this.execute(pending.event, this.clockMs * 1000);
    if (actual.errno === 'EAGAIN') return;
    this.pending = undefined;
    this.returned(pending.event, pending.latest, actual, pending.tolerance);
  }

  /** A blocking call returned now with `actual`: not before its end time (T2, less the
   *  tolerance; awaitPending sees to the latest), and with the script's result. */
  private returned(event: SyscallEvent, latest: number, actual: { value: number; errno?: string }, tolerance: number): void {
    const now = this.clockMs * 1000;
    const end = latest - tolerance;
    if (now < end - tolerance) {
      this.fail(event.line, `timing error: ${event.name}() returned at ${formatSeconds(now)} sec, expected at `
        + `${formatSeconds(end)} sec; tolerance ${formatSeconds(tolerance)} sec\n  script: ${event.text.trim()}`);
    }
    this.compareResult(event, actual);
  }

  /** Fails if the stack sends anything before `usecs` (beyond the tolerance). */
  private expectQuiet(usecs: number, line: number): void {
    this.advanceTo(Math.max(usecs - this.eventTolerance, this.clockMs * 1000));
    if (this.packetdrillChecks) return;
    const early = this.queue[0];
    if (early) this.fail(line, `unexpected outbound packet: ${this.describe(early)}`);
  }

  private expectOutbound(event: PacketEvent, start: number): void {
    const latest = this.latestTime(event, start);
    // Run the clock until the stack sends something or the latest allowed time passes.
    while (this.queue.length === 0 && this.runNextTimer(latest / 1000));
    let sent = this.queue.shift();
    if (!sent) this.fail(event.line, `timed out waiting for packet: expected ${event.text.trim()}`);
    // packetdrill gathers consecutive segments until they carry the payload the script
    // expects (a TSO/GSO packet), unless --strict_segments.
    while (!this.strictSegments && sent.payload.length < event.payloadLength) {
      while (this.queue.length === 0 && this.runNextTimer(latest / 1000));
      const next = this.queue[0];
      if (!next || next.seq !== ((sent.seq + sent.payload.length) >>> 0) || next.payload.length === 0) break;
      this.queue.shift();
      const payload: Uint8Array = new Uint8Array(sent.payload.length + next.payload.length);
      payload.set(sent.payload);
      payload.set(next.payload, sent.payload.length);
      sent = { ...next, seq: sent.seq, usecs: sent.usecs, flags: sent.flags | next.flags, payload };
    }
    if (event.time.kind !== 'any' && (sent.usecs < start - this.eventTolerance || sent.usecs > latest)) {
      this.fail(event.line, `timing error: expected packet at ${formatSeconds(start)} sec but happened at `
        + `${formatSeconds(sent.usecs)} sec; tolerance ${formatSeconds(this.eventTolerance)} sec\n  script: ${event.text.trim()}\n  actual: ${this.describe(sent)}`);
    }
    this.matchOutbound(event, sent);
    this.lastUsecs = event.time.kind === 'any' ? sent.usecs : start;
  }

  private matchOutbound(event: PacketEvent, sent: SentSegment): void {
    const problems: string[] = [];
    // Every segment goes to the script's peer (a segment of this connection addressed from
    // another slot's row would go elsewhere; see RunOptions.bystander).
    if (sent.srcAddr !== LOCAL_ADDR >>> 0 || sent.srcPort !== LOCAL_PORT || sent.dstAddr !== REMOTE_ADDR >>> 0
      || sent.dstPort !== REMOTE_PORT) {
      problems.push(`sent from port ${sent.srcPort} to ${formatIpv4(sent.dstAddr)}:${sent.dstPort}, not the script's peer`);
    }
    if ((sent.flags & SYN) && (sent.flags & ACK) && !event.absoluteSeq) {
      // Every SYN-ACK names our ISN: a new connection on a reused 4-tuple has a new one.
      this.localIsn = (sent.seq - event.seqStart) | 0;
    }
    const isn = this.localIsn ?? 0;
    const flags = flagsOf(event.flags);
    const ignored = this.neutralize.has('push') ? PSH : 0;
    if ((sent.flags & ~ignored) !== (flags & ~ignored)) problems.push(`flags ${flagLetters(sent.flags)} instead of ${flagLetters(flags)}`);
    const relSeq = (sent.seq - (event.absoluteSeq ? 0 : isn)) >>> 0;
    if (relSeq !== event.seqStart >>> 0) problems.push(`seq ${relSeq} instead of ${event.seqStart}`);
    if (sent.payload.length !== event.payloadLength) {
      problems.push(`payload length ${sent.payload.length} instead of ${event.payloadLength}`);
    }
    if (event.ack !== undefined && sent.ack >>> 0 !== event.ack >>> 0) problems.push(`ack ${sent.ack >>> 0} instead of ${event.ack}`);
    if (!this.boundSocketReset(sent)) {
      if (event.tos !== undefined && sent.tos !== event.tos) problems.push(`tos 0x${sent.tos.toString(16)} instead of 0x${event.tos.toString(16)}`);
      if (event.ttl !== undefined && sent.ttl !== event.ttl) problems.push(`ttl ${sent.ttl} instead of ${event.ttl}`);
    }
    if (event.window !== undefined && sent.window !== event.window && !this.neutralize.has('window')) {
      problems.push(`win ${sent.window} instead of ${event.window}`);
    }
    const synAck = (flags & SYN) !== 0 && (flags & ACK) !== 0;
    if (event.options !== 'any') {
      let written = event.options ?? [];
      let compare = true;
      if (synAck && this.neutralize.has('synack-options')) {
        const has = (list: TcpOption[], kind: TcpOption['kind']) => list.some((o) => o.kind === kind);
        const actual = parseOptionKinds(sent.options);
        if (has(written, 'mss') !== actual.has('mss') || has(written, 'sackOK') !== actual.has('sackOK')
          || has(written, 'wscale') !== actual.has('wscale')) {
          problems.push(`options [${sent.options.join(' ')}] lack or add MSS, SACK-permitted or Window Scale: ${optionsToBytes(written).join(' ')}`);
        }
        compare = false;
      } else if (!(flags & SYN) && this.neutralize.has('timestamps') && written.some((o) => o.kind === 'timestamp')) {
        written = written.filter((o) => o.kind !== 'timestamp' && o.kind !== 'nop');
        if (!written.length && sent.options.every((b) => b === 1)) compare = false;
      }
      if (compare) {
        const expected = optionsToBytes(written);
        if (expected.join(',') !== sent.options.join(',')) {
          problems.push(`options [${sent.options.join(' ')}] instead of [${expected.join(' ')}]`);
        }
      }
    }
    if (problems.length) {
      this.fail(event.line, `bad outbound packet: ${problems.join('; ')}\n  script: ${event.text.trim()}\n  actual: ${this.describe(sent)}`);
    }
  }

  /** Neutralization 'bound-socket-reset': `sent` is a RST for a port the script bound a
   *  socket to but where nothing listens yet (slotcp answered it as for no socket). */
  private boundSocketReset(sent: SentSegment): boolean {
    if (!this.neutralize.has('bound-socket-reset') || !(sent.flags & RST)) return false;
    const fds = [...this.fds.values()];
    return fds.some((fd) => fd.kind === 'socket' && fd.bound) && !fds.some((fd) => fd.kind !== 'socket');
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
    const window = event.window;
    const data = new Uint8Array(payload);
    for (let i = 0; i < payload; i++) data[i] = 0x61 + (i % 26);
    const buf = new Uint8Array(60 + options.length + payload);
    // The script's options are all in `options`, the MSS option too: none is added.
    const length = writeClientSegment(buf, { srcAddr: REMOTE_ADDR, dstAddr: LOCAL_ADDR, srcPort: REMOTE_PORT, dstPort: LOCAL_PORT,
      seq: event.seqStart, ack, flags, window, mss: 0, options, data, dataLength: payload, ttl: event.ttl, tos: event.tos });
    const atListener = this.neutralize.has('listener-syn-ack-reset') && this.synAckAtListener(flags);
    const sentBefore = this.queue.length;
    this.stack.receive(buf, length);
    if (atListener) this.dropListenerReset(sentBefore, ack, event.line);
  }

  /** A SYN-ACK (`flags`) about to reach a listener: one is open and no connection holds
   *  the script's 4-tuple. */
  private synAckAtListener(flags: number): boolean {
    return (flags & SYN) !== 0 && (flags & ACK) !== 0 && [...this.fds.values()].some((fd) => fd.kind === 'listener')
      && !this.stack.connections().some((c) => c.remotePort === REMOTE_PORT && c.localPort === LOCAL_PORT);
  }

  /** Neutralization 'listener-syn-ack-reset': the reset RFC 9293 §3.10.7.2 has a listener
   *  send for a SYN-ACK, <SEQ=SEG.ACK><CTL=RST>, is taken out of what the script sees (it
   *  expects the segment dropped). Anything else the stack sent stays. */
  private dropListenerReset(from: number, ack: number, line: number): void {
    const at = this.queue.findIndex((sent, i) => i >= from && sent.flags === RST && sent.seq === ack >>> 0 && sent.payload.length === 0);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.notes.push(`${this.name}:${line}: the listener's reset for this SYN-ACK (RFC 9293 §3.10.7.2) is not compared (neutralized)`);
  }

  private syscall(event: SyscallEvent, start: number): void {
    const latest = this.latestTime(event, start);
    if (this.pending) this.fail(event.line, `${event.name}() while ${this.pending.event.name}() on line ${this.pending.event.line} blocks`);
    if (event.name === 'poll') this.pollStart = this.clockMs * 1000;
    if (event.time.end && WAITS_FOR_PEER.has(event.name) && event.result.errno !== 'EAGAIN') {
      // packetdrill runs a blocking call beside the script: the lines after it (a SYN, the
      // data) may be what it waits for. It returns when it no longer blocks (settlePending).
      const now = this.execute(event, this.clockMs * 1000);
      const blocks = event.name === 'poll' || !this.fds.get(argInteger(event, 0))?.nonBlocking;
      if (now.errno === 'EAGAIN' && blocks) this.pending = { event, latest, tolerance: this.eventTolerance };
      else this.returned(event, latest, now, this.eventTolerance);
      return;
    }
    const result = this.execute(event, latest);
    if (event.name === 'poll' && result.errno === 'EAGAIN') {
      this.fail(event.line, `poll() blocks past its time (+ tolerance); a poll that waits for later lines needs its end (T1...T2)\n  script: ${event.text.trim()}`);
    }
    this.compareResult(event, result);
  }

  private compareResult(event: SyscallEvent, actual: { value: number; errno?: string }): void {
    const expected = event.result;
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
      if (!this.runNextTimer(latest / 1000)) return ready();
    }
  }

  private execute(event: SyscallEvent, latest: number): { value: number; errno?: string } {
    const stack = this.stack;
    switch (event.name) {
      case 'socket': {
        const fd = event.result.value;
        this.fds.set(fd, newFd('socket'));
        this.socketUnderTest = fd;
        return { value: fd };
      }
      case 'bind':
        this.fd(event).bound = true;
        return { value: 0 };
      case 'listen': {
        const fd = this.fd(event);
        fd.kind = 'listener';
        fd.backlog = Math.max(1, argInteger(event, 1));
        fd.listener = stack.listen(LOCAL_PORT, {
          backlog: fd.backlog, noDelay: fd.noDelay,
          keepalive: fd.keepalive ? { idleMs: fd.keepIdleS * 1000, intervalMs: fd.keepIntvlS * 1000, count: fd.keepCnt } : undefined,
          userTimeoutMs: fd.userTimeoutMs, mss: fd.maxSeg || undefined, noOptions: fd.noOptions,
          tos: fd.tos, ttl: fd.ttl || undefined,
        });
        return { value: 0 };
      }
      case 'accept': {
        const fd = this.fd(event);
        if (fd.kind !== 'listener') return { value: -1, errno: 'EINVAL' };
        let handle = -1;
        this.block(() => (handle = stack.accept(fd.listener)) >= 0, fd.nonBlocking ? 0 : latest);
        if (handle < 0) return { value: -1, errno: 'EAGAIN' };
        const n = event.result.value >= 0 ? event.result.value : Math.max(...this.fds.keys()) + 1;
        this.fds.set(n, { ...newFd('connection'), handle, noDelay: fd.noDelay });
        this.socketUnderTest = n;
        if (fd.noDelay) stack.setNoDelay(handle, true);
        return { value: n };
      }
      case 'read':
      case 'recv':
      case 'recvfrom': { // recvfrom's address arguments (5, 6) are `...`: a connected socket's
        const fd = this.fd(event);
        const want = argInteger(event, 2);
        const flags = event.name !== 'read' ? this.flagNames(event, 3, ['MSG_PEEK']) : [];
        if (isNull(event.args[1]) && want > 0) return { value: -1, errno: 'EFAULT' };
        return this.receive(fd, want, flags.includes('MSG_PEEK'), latest);
      }
      case 'recvmsg': {
        const fd = this.fd(event);
        const msg = msghdr(event, 1);
        const flags = this.flagNames(event, 2, ['MSG_PEEK']);
        const result = this.receive(fd, msg.bytes, flags.includes('MSG_PEEK'), latest);
        if (result.errno !== 'EAGAIN') this.compareControl(event, fd, msg);
        return result;
      }
      case 'write':
      case 'send':
      case 'sendto': { // sendto's address arguments (5, 6) are `...`: a connected socket's
        const fd = this.fd(event);
        const count = argInteger(event, 2);
        const flags = event.name !== 'write' ? this.flagNames(event, 3, ['MSG_MORE', 'MSG_EOR']) : [];
        if (isNull(event.args[1]) && count > 0) return { value: -1, errno: 'EFAULT' };
        return this.sendAsWritten(event, fd, count, latest, flags);
      }
      case 'sendmsg': {
        const fd = this.fd(event);
        const msg = msghdr(event, 1);
        const flags = this.flagNames(event, 2, ['MSG_MORE', 'MSG_EOR']);
        if (msg.control.length) this.fail(event.line, 'sendmsg(): control messages are not supported by slotcp\'s runner');
        return this.sendAsWritten(event, fd, msg.bytes, latest, flags);
      }
      case 'close': {
        const n = argInteger(event, 0);
        const fd = this.fd(event);
        if (fd.kind === 'listener') stack.unlisten(fd.listener);
        else if (fd.kind === 'connection') (fd.lingerS >= 0 ? stack.closeWithin(fd.handle, fd.lingerS * 1000) : stack.close(fd.handle));
        this.fds.delete(n);
        return { value: 0 };
      }
      case 'shutdown': {
        const fd = this.fd(event);
        const how = argName(event, 1);
        if (how !== 'SHUT_WR' && how !== 'SHUT_RD' && how !== 'SHUT_RDWR') this.fail(event.line, `shutdown(): unknown how ${how}`);
        if (fd.kind !== 'connection') return { value: -1, errno: 'ENOTCONN' };
        if (how !== 'SHUT_WR') fd.readShut = true;
        if (how !== 'SHUT_RD') stack.shutdown(fd.handle);
        return { value: 0 };
      }
      case 'poll':
        return this.poll(event, latest);
      case 'open':
        return this.open(event);
      case 'sendfile':
        return this.sendfile(event, latest);
      case 'setsockopt':
        return this.setsockopt(event);
      case 'getsockopt':
        return this.getsockopt(event);
      case 'fcntl':
        return this.fcntl(event);
      case 'ioctl': {
        const fd = this.fd(event);
        const request = argName(event, 1);
        if (request !== 'SIOCINQ' && request !== 'FIONREAD') this.fail(event.line, `ioctl ${request} is not supported by slotcp's runner`);
        if (fd.kind !== 'connection') return { value: -1, errno: 'EINVAL' };
        this.compareOut(event, 2, Math.max(0, stack.available(fd.handle)));
        return { value: 0 };
      }
      default:
        this.fail(event.line, `system call ${event.name}() is not supported by slotcp's runner`);
    }
  }

  /** read()/recv()/recvmsg(): up to `want` bytes, or 0 at the end, or the error. */
  private receive(fd: Fd, want: number, peek: boolean, latest: number): { value: number; errno?: string } {
    const stack = this.stack;
    const dead = this.errors.get(fd.handle);
    const ready = () => stack.available(fd.handle) > 0 || stack.ended(fd.handle) || fd.readShut;
    this.block(ready, fd.nonBlocking ? 0 : latest);
    if (stack.available(fd.handle) > 0) {
      // MSG_PEEK: the bytes stay queued (the runner never checks payload, so the count is all).
      if (peek) return { value: Math.min(want, stack.available(fd.handle)) };
      return { value: stack.read(fd.handle, new Uint8Array(want)) };
    }
    if (fd.readShut && !this.errors.has(fd.handle)) return { value: 0 };
    const error = dead ?? this.errors.get(fd.handle);
    if (error !== undefined) {
      this.errors.delete(fd.handle);
      return { value: -1, errno: error === ConnectionError.TimedOut ? 'ETIMEDOUT' : 'ECONNRESET' };
    }
    if (stack.ended(fd.handle)) return { value: 0 };
    return { value: -1, errno: 'EAGAIN' };
  }

  /** write()/send()/sendto()/sendmsg() of `count` bytes with send()'s flag names. With
   *  'partial-writes', a non-blocking write the script expects to take fewer (its stack
   *  stopped at its send buffer or its TCP_NOTSENT_LOWAT) offers just those, when slotcp
   *  has room for them, and without the flags: a write cut short is no record's end and
   *  holds nothing back (as Linux's). */
  private sendAsWritten(event: SyscallEvent, fd: Fd, count: number, latest: number, flagNames: string[]): { value: number; errno?: string } {
    const expected = event.result.value;
    const cut = this.neutralize.has('partial-writes') && fd.nonBlocking && expected > 0 && expected < count
      && this.stack.writable(fd.handle) >= expected;
    return cut ? this.send(fd, expected, latest, 0) : this.send(fd, count, latest, writeFlags(flagNames));
  }

  /** write()/send()/sendmsg()/sendfile(): `count` bytes (`data`'s, else zeros), blocking
   *  for room unless non-blocking; `flags` (MSG_MORE, MSG_EOR as the stack's WriteFlag)
   *  go with each part written, so a record ends once every byte is queued. */
  private send(fd: Fd, count: number, latest: number, flags: number, data: Uint8Array = new Uint8Array(count)): { value: number; errno?: string } {
    const stack = this.stack;
    const error = this.errors.get(fd.handle);
    if (error !== undefined) {
      this.errors.delete(fd.handle);
      return { value: -1, errno: error === ConnectionError.TimedOut ? 'ETIMEDOUT' : 'ECONNRESET' };
    }
    let written = stack.write(fd.handle, data, 0, count, flags);
    if (written < 0) return { value: -1, errno: 'EPIPE' };
    if (written === 0 && count > 0 && fd.nonBlocking) return { value: -1, errno: 'EAGAIN' };
    while (written < count && !fd.nonBlocking && this.block(() => stack.writable(fd.handle) !== 0, latest)) {
      const taken = stack.write(fd.handle, data, written, count - written, flags);
      if (taken <= 0) break;
      written += taken;
    }
    return { value: written };
  }

  /**
   * poll(fds, nfds, timeout): each pollfd's revents is what it asks for (POLLIN, POLLOUT)
   * that is ready; the result is the count of pollfds with any. POLLIN: a listener has
   * connections to accept, or a read would not block (bytes to read, the peer's FIN, an
   * error to report, SHUT_RD). POLLOUT: a write would not block: writable() is above 0
   * (send-buffer room, under the TCP_NOTSENT_LOWAT) or the send side is shut (EPIPE at
   * once; Linux's tcp_poll reports POLLOUT then too). Nothing ready:
   * it waits, running timers and (with an end time, T1...T2) the script's later lines,
   * until something is or `timeout` ms pass (then 0; -1 waits for ever). The revents the
   * script writes are compared, as packetdrill does.
   */
  private poll(event: SyscallEvent, latest: number): { value: number; errno?: string } {
    const list = pollfds(event);
    const nfds = argInteger(event, 1);
    if (nfds !== list.length) this.fail(event.line, `poll(): nfds ${nfds} but ${list.length} pollfds`);
    const end = this.pollEnd(event);
    const ready = () => list.some((p) => this.revents(event, p.fd, p.events).length > 0);
    this.block(ready, Math.min(latest, end));
    const actual = list.map((p) => this.revents(event, p.fd, p.events));
    const count = actual.filter((r) => r.length > 0).length;
    if (count === 0 && this.clockMs * 1000 < end) return { value: -1, errno: 'EAGAIN' };
    list.forEach((p, i) => {
      if (actual[i].join('|') !== p.revents.join('|')) {
        this.fail(event.line, `poll(): expected revents of ${p.revents.join('|') || 0} but got ${actual[i].join('|') || 0} for pollfd ${i}\n  script: ${event.text.trim()}`);
      }
    });
    return { value: count };
  }

  /** When the poll() under way times out (µs; Infinity for a timeout of -1). */
  private pollEnd(event: SyscallEvent): number {
    const timeout = argInteger(event, 2);
    return timeout < 0 ? Infinity : this.pollStart + timeout * 1000;
  }

  /** The events of `asked` (POLL_EVENTS names, in that order) that fd `n` has now. */
  private revents(event: SyscallEvent, n: number, asked: string[]): string[] {
    const fd = this.fds.get(n);
    if (!fd) this.fail(event.line, `poll(): fd ${n} is not open`);
    const stack = this.stack;
    const has = new Set<string>();
    if (fd.kind === 'listener' && stack.acceptable(fd.listener) > 0) has.add('POLLIN');
    if (fd.kind === 'connection') {
      const handle = fd.handle;
      if (stack.available(handle) > 0 || stack.ended(handle) || fd.readShut || this.errors.has(handle)) has.add('POLLIN');
      // An empty write is negative for a shut send side or a dead connection (Stack.write).
      if (stack.writable(handle) > 0 || stack.write(handle, EMPTY) < 0) has.add('POLLOUT');
    }
    return POLL_EVENTS.filter((e) => has.has(e) && asked.includes(e));
  }

  /** open(path, O_RDONLY): one of the files the preamble made (`dd`), else ENOENT. */
  private open(event: SyscallEvent): { value: number; errno?: string } {
    const file = event.args[0];
    if (file?.kind !== 'string') this.fail(event.line, 'open(): argument 1 must be a path in quotes');
    this.flagNames(event, 1, ['O_RDONLY']);
    const data = this.files.get(file.value);
    if (!data) return { value: -1, errno: 'ENOENT' };
    const n = event.result.value >= 0 ? event.result.value : Math.max(2, ...this.fds.keys()) + 1;
    this.fds.set(n, { ...newFd('file'), file: { data, position: 0 } });
    return { value: n };
  }

  /** sendfile(out, in, offset, count): up to `count` bytes of file `in` from `[offset]`
   *  (the file's position unchanged) or from its position (NULL; it moves on) written to
   *  connection `out`, as write() would. */
  private sendfile(event: SyscallEvent, latest: number): { value: number; errno?: string } {
    const out = this.fd(event, 0);
    const file = this.fd(event, 1).file;
    if (!file) return { value: -1, errno: 'EINVAL' };
    if (out.kind !== 'connection') return { value: -1, errno: 'ENOTCONN' };
    const offsetArg = event.args[2];
    const fromPosition = isNull(offsetArg);
    const offset = fromPosition ? file.position : offsetArg?.kind === 'array' && typeof offsetArg.items[0] === 'number' ? offsetArg.items[0]
      : this.fail(event.line, 'sendfile(): argument 3 must be [offset] or NULL');
    const count = argInteger(event, 3);
    const bytes = file.data.subarray(Math.min(offset, file.data.length), Math.min(offset + count, file.data.length));
    const result = this.send(out, bytes.length, latest, 0, bytes);
    if (fromPosition && result.value > 0) file.position += result.value;
    return result;
  }

  /** recvmsg()'s msg_flags (only 0: slotcp never truncates) and control messages: a
   *  TCP_CM_INQ (with setsockopt TCP_INQ on) carries the bytes left to read after this
   *  call, 1 when none are left and the peer has closed (Linux's tcp_inq_hint). */
  private compareControl(event: SyscallEvent, fd: Fd, msg: Msghdr): void {
    if (msg.flags !== 0) this.fail(event.line, `recvmsg(): msg_flags=${msg.flags} is not supported by slotcp's runner (only 0)`);
    for (const cmsg of msg.control) {
      if (cmsg.type !== 'TCP_CM_INQ') this.fail(event.line, `recvmsg(): control message ${cmsg.type} is not supported by slotcp's runner`);
      if (!fd.inq) this.fail(event.line, 'recvmsg(): a TCP_CM_INQ control message needs setsockopt(TCP_INQ) first');
      const left = Math.max(0, this.stack.available(fd.handle));
      const inq = left === 0 && this.stack.ended(fd.handle) ? 1 : left;
      if (cmsg.data !== inq) this.fail(event.line, `recvmsg(): TCP_CM_INQ gave ${inq} instead of ${cmsg.data}\n  script: ${event.text.trim()}`);
    }
  }

  /** The names in a flags argument (`0`, `MSG_PEEK`, `A | B`); fails on any not in `known`. */
  private flagNames(event: SyscallEvent, index: number, known: string[]): string[] {
    const arg = event.args[index];
    const terms = !arg ? [] : arg.kind === 'identifier' ? [arg.name] : arg.kind === 'or' ? arg.terms
      : arg.kind === 'integer' ? [arg.value] : this.fail(event.line, `${event.name}(): flags must be names or 0`);
    const names: string[] = [];
    for (const t of terms) {
      if (t === 0) continue;
      if (typeof t !== 'string' || !known.includes(t)) {
        this.fail(event.line, `${event.name}() flag ${t} is not supported by slotcp's runner`);
      }
      names.push(t);
    }
    return names;
  }

  /** getsockopt's and ioctl's out value `[N]` compared with the actual one; `...` matches all. */
  private compareOut(event: SyscallEvent, index: number, actual: number | string, neutralized = false): void {
    const arg = event.args[index];
    if (!arg || arg.kind === 'ellipsis') return;
    const written = arg.kind === 'array' && arg.items.length === 1 ? arg.items[0] : arg.kind === 'integer' ? arg.value : undefined;
    const expected = typeof written === 'string' && written in iptosDscp ? iptosDscp[written] : written;
    if (expected === undefined) this.fail(event.line, `${event.name}(): argument ${index + 1} must be [value]`);
    if (neutralized || expected === actual) return;
    this.fail(event.line, `${event.name}() gave [${actual}] instead of [${expected}]\n  script: ${event.text.trim()}`);
  }

  private getsockopt(event: SyscallEvent): { value: number; errno?: string } {
    const fd = this.fd(event);
    const name = argName(event, 2);
    const config = this.stack.config;
    const info = this.info(fd);
    switch (name) {
      case 'SO_RCVBUF':
      case 'SO_SNDBUF':
        this.compareOut(event, 3, name === 'SO_RCVBUF' ? config.rxBytes : config.txBytes, this.neutralize.has('buffer-sizes'));
        return { value: 0 };
      case 'SO_ERROR': {
        const error = fd.kind === 'connection' ? this.errors.get(fd.handle) : undefined;
        if (error !== undefined) this.errors.delete(fd.handle);
        this.compareOut(event, 3, error === undefined ? 0 : error === ConnectionError.TimedOut ? 'ETIMEDOUT' : 'ECONNRESET');
        return { value: 0 };
      }
      case 'TCP_MAXSEG': // a connection's send MSS; a socket's or listener's setting
        this.compareOut(event, 3, info?.mss || fd.maxSeg || config.mss);
        return { value: 0 };
      case 'TCP_USER_TIMEOUT':
        this.compareOut(event, 3, info?.userTimeout ?? fd.userTimeoutMs);
        return { value: 0 };
      case 'TCP_NOTSENT_LOWAT': // the socket's own setting, not the sysctl's (as Linux)
        this.compareOut(event, 3, info?.notsentLowat ?? 0);
        return { value: 0 };
      case 'IP_TOS':
        this.compareOut(event, 3, info?.tos ?? fd.tos);
        return { value: 0 };
      case 'IP_TTL':
        this.compareOut(event, 3, info?.ttl ?? (fd.ttl || config.ttl));
        return { value: 0 };
      default:
        this.fail(event.line, `getsockopt ${name} is not supported by slotcp's runner`);
    }
  }

  /** A blocking accept or read that waits for later lines (settlePending), and the
   *  latest time it may return (its end, T2, plus the tolerance). */
  private pending: { event: SyscallEvent; latest: number; tolerance: number } | undefined;

  /** A connection's TCP variables; for a socket not connected, its state and zeros. */
  private info(fd: Fd): TcpInfo | undefined {
    const info: TcpInfo = {
      state: fd.kind === 'listener' ? 'LISTEN' : 'CLOSED', rto: 0, srtt: 0, rttvar: 0, cwnd: 0, ssthresh: 0, unacked: 0,
      retransmits: 0, probes: 0, mss: 0, advMss: fd.maxSeg || this.stack.config.mss, sackOk: false, sndWscale: -1, userTimeout: fd.userTimeoutMs, notsentLowat: 0, tos: fd.tos, ttl: fd.ttl || this.stack.config.ttl, sndWnd: 0, recovery: false, afterTimeout: false, dupAcks: 0, sacked: 0, lost: 0, retrans: 0, reordering: 0, rxQueued: 0, txQueued: 0,
    };
    if (fd.kind !== 'connection') return info;
    return this.stack.info(fd.handle, info) ? info : undefined;
  }

  /** info(), or for a connection that died (timed out, reset) what it last reported,
   *  state CLOSED. */
  private infoOrLast(fd: Fd): TcpInfo | undefined {
    const info = this.info(fd);
    if (info || fd.kind !== 'connection' || this.lastInfo?.handle !== fd.handle) return info;
    return { ...this.lastInfo.info, state: 'CLOSED' };
  }

  /** fcntl(F_GETFL) and fcntl(F_SETFL, flags): only O_NONBLOCK means anything. */
  private fcntl(event: SyscallEvent): { value: number } {
    const fd = this.fd(event);
    const cmd = argName(event, 1);
    // Linux's values: O_RDWR 2, O_NONBLOCK 0x800.
    if (cmd === 'F_GETFL') return { value: 2 | (fd.nonBlocking ? 0x800 : 0) };
    if (cmd !== 'F_SETFL') this.fail(event.line, `fcntl ${cmd} is not supported by slotcp's runner`);
    const flags = this.flagNames(event, 2, ['O_RDWR', 'O_NONBLOCK']);
    fd.nonBlocking = flags.includes('O_NONBLOCK');
    return { value: 0 };
  }

  /** A %{ }% block, with the socket under test's tcp_info as tcpi_* names (Linux's units:
   *  segments for cwnd and ssthresh, µs for times). */
  private code(event: CodeEvent): void {
    const fd = this.fds.get(this.socketUnderTest);
    const info = fd && this.infoOrLast(fd);
    if (!info) this.fail(event.line, 'no socket to use for code');
    const scope = this.codeScope;
    for (const [name, value] of codeSymbols) scope.set(name, value);
    const mss = Math.max(1, info.mss);
    scope.set('tcpi_state', linuxTcpStates[info.state] ?? 0);
    scope.set('tcpi_ca_state', caState(info));
    scope.set('tcpi_retransmits', info.retransmits);
    // Linux backs off probes too (icsk_backoff), but not those the local link refused.
    scope.set('tcpi_backoff', info.retransmits);
    scope.set('tcpi_probes', info.probes);
    scope.set('tcpi_rto', info.rto * 1000);
    scope.set('tcpi_rtt', info.srtt * 1000);
    scope.set('tcpi_rttvar', info.rttvar * 1000);
    scope.set('tcpi_snd_mss', info.mss);
    scope.set('tcpi_advmss', info.advMss);
    // Linux's and FreeBSD's bits: TCPI_OPT_SACK 2, TCPI_OPT_WSCALE 4 (slotcp has no
    // timestamps, 1). The shifts are 0 without window scaling, as Linux reports them;
    // slotcp's own (rcv) is always 0.
    scope.set('tcpi_options', (info.sackOk ? 2 : 0) | (info.sndWscale >= 0 ? 4 : 0));
    scope.set('tcpi_snd_wscale', Math.max(0, info.sndWscale));
    scope.set('tcpi_rcv_wscale', 0);
    scope.set('tcpi_snd_cwnd', Math.floor(info.cwnd / mss));
    scope.set('tcpi_snd_ssthresh', info.ssthresh >= 0x7fffffff ? TCP_INFINITE_SSTHRESH : Math.floor(info.ssthresh / mss));
    scope.set('tcpi_unacked', Math.ceil(info.unacked / mss));
    scope.set('tcpi_sacked', Math.ceil(info.sacked / mss));
    scope.set('tcpi_lost', Math.ceil(info.lost / mss));
    scope.set('tcpi_retrans', Math.ceil(info.retrans / mss));
    scope.set('tcpi_reordering', info.reordering);
    try {
      runCode(event.code, scope, (line) => this.notes.push(`${this.name}:${event.line}: print: ${line}`));
    } catch (err) {
      if (err instanceof CodeError) this.fail(event.line, `%{ }% block: ${err.message}\n  script: ${event.text.trim()}`);
      throw err;
    }
  }

  private setsockopt(event: SyscallEvent): { value: number; errno?: string } {
    const fd = this.fd(event);
    const name = argName(event, 2);
    const value = event.args[3];
    const flag = () => (value.kind === 'array' ? Number(value.items[0]) : argInteger(event, 3));
    switch (name) {
      case 'SO_LINGER': {
        if (value.kind !== 'struct') this.fail(event.line, 'SO_LINGER takes {onoff=1, linger=N}');
        const onoff = value.fields.onoff ?? value.fields.l_onoff;
        const linger = Number(value.fields.linger ?? value.fields.l_linger ?? 0);
        if (!Number.isInteger(linger) || linger < 0) this.fail(event.line, 'SO_LINGER: linger must be a whole number of seconds');
        fd.lingerS = onoff === 1 ? linger : -1;
        return { value: 0 };
      }
      case 'SO_REUSEADDR':
        return { value: 0 };
      case 'TCP_INQ':
        fd.inq = flag() !== 0;
        return { value: 0 };
      case 'SO_RCVBUF':
      case 'SO_SNDBUF':
        if (!this.neutralize.has('buffer-sizes')) this.fail(event.line, `slotcp's buffers are fixed by its config (--rx, --tx): ${name} is not supported`);
        return { value: 0 };
      case 'TCP_NODELAY':
        fd.noDelay = flag() !== 0;
        if (fd.kind === 'connection') this.stack.setNoDelay(fd.handle, fd.noDelay);
        return { value: 0 };
      case 'TCP_CORK':
        if (fd.kind !== 'connection') this.fail(event.line, 'slotcp corks a connection: set TCP_CORK on an accepted socket');
        this.stack.setCork(fd.handle, flag() !== 0);
        return { value: 0 };
      case 'TCP_USER_TIMEOUT':
      case 'TCP_MAXSEG':
        return this.setStackOption(event, fd, name, flag());
      case 'TCP_NOTSENT_LOWAT':
        if (fd.kind !== 'connection') this.fail(event.line, 'slotcp sets TCP_NOTSENT_LOWAT per connection: set it on the accepted socket');
        try {
          this.stack.setNotsentLowat(fd.handle, flag());
        } catch (err) {
          if (err instanceof RangeError) return { value: -1, errno: 'EINVAL' };
          throw err;
        }
        return { value: 0 };
      case 'IP_TOS':
      case 'IP_TTL':
        return this.setIpOption(event, fd, name, value.kind === 'array' && typeof value.items[0] === 'string'
          ? iptosDscp[value.items[0]] ?? this.fail(event.line, `${name}: unknown value ${value.items[0]}`) : flag());
      case 'TCP_NOOPT': // FreeBSD's; slotcp's is per listener
        if (fd.kind === 'connection') this.fail(event.line, 'slotcp sets TCP_NOOPT per listener: set it on the listening socket');
        fd.noOptions = flag() !== 0;
        if (fd.kind === 'listener') this.stack.setListenOptions(fd.listener, { noOptions: fd.noOptions });
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

  /** TCP_USER_TIMEOUT (a socket, a listener or a connection) and TCP_MAXSEG (a socket or
   *  a listener: slotcp sets it per listener) through the stack's calls; a value they
   *  refuse is EINVAL, as a value out of Linux's bounds is. A socket not yet listening
   *  keeps them for listen(), checked here by the stack's bounds (ListenOptions). */
  private setStackOption(event: SyscallEvent, fd: Fd, name: 'TCP_USER_TIMEOUT' | 'TCP_MAXSEG', value: number): { value: number; errno?: string } {
    const timeout = name === 'TCP_USER_TIMEOUT';
    if (!timeout && fd.kind === 'connection') this.fail(event.line, 'slotcp sets TCP_MAXSEG per listener: set it on the listening socket');
    try {
      if (fd.kind === 'connection') this.stack.setUserTimeout(fd.handle, value);
      else if (fd.kind === 'listener') this.stack.setListenOptions(fd.listener, timeout ? { userTimeoutMs: value } : { mss: value });
      else if (timeout ? !(Number.isInteger(value) && value >= 0 && value < 2 ** 30) : !(Number.isInteger(value) && value >= 64 && value <= this.stack.config.mss)) {
        return { value: -1, errno: 'EINVAL' };
      }
    } catch (err) {
      if (err instanceof RangeError || err instanceof ConfigError) return { value: -1, errno: 'EINVAL' };
      throw err;
    }
    if (timeout) fd.userTimeoutMs = value;
    else fd.maxSeg = value;
    return { value: 0 };
  }

  /**
   * The script's init command (its backtick preamble) is never run as a shell: the runner
   * emulates the few commands whose effect the script relies on and notes the rest.
   * `sysctl [-q|-w] net.ipv4.tcp_notsent_lowat=N` (or set_sysctls.py's
   * /proc/sys/net/ipv4/tcp_notsent_lowat=N) sets config.notsentLowat; `rm -f FILE` and
   * `dd if=/dev/zero of=FILE bs=B count=N` remove and make a file of the runner's own, in
   * memory (the host's files are never touched), which open() and sendfile() read; `tc
   * qdisc` sets the link as qdisc() says.
   */
  private preamble(command: ScriptCommand, config: Partial<StackConfig>): void {
    for (const line of shellLines(command.command)) {
      const words = shellWords(line);
      const program = (words[0] ?? '').split('/').pop();
      const emulated = isSysctl(words[0]) ? this.sysctls(words.slice(1), config)
        : program === 'rm' ? this.removeFiles(words.slice(1))
          : program === 'dd' ? this.makeFile(words.slice(1))
            : program === 'tc' ? this.qdisc(words.slice(1)) : false;
      if (!emulated) this.notes.push(`${this.name}:${command.line}: shell command not run${isSysctl(words[0]) ? ' (or only in part)' : ''}: ${line}`);
    }
  }

  /**
   * tcp-testsuite sets its sysctls with timed commands before its first system call; the
   * ones the runner emulates (sysctls()) take effect as the preamble's do, as the stack is
   * built. Later ones (the scripts restore the values on their last lines) are noted.
   */
  private leadingSysctls(config: Partial<StackConfig>): void {
    for (const event of this.script.events) {
      if (event.type !== 'command') return;
      const words = shellWords(event.command.trim());
      if (!isSysctl(words[0])) continue;
      if (!this.sysctls(words.slice(1), config)) this.notes.push(`${this.name}:${event.line}: sysctl not emulated: ${event.command}`);
      this.appliedCommands.add(event);
    }
  }

  /** sysctl's `name=value` settings; false if one is not emulated (the rest still apply). */
  private sysctls(args: string[], config: Partial<StackConfig>): boolean {
    let all = true;
    for (const arg of args) {
      if (arg.startsWith('-')) continue;
      const [key, value] = arg.split('=');
      const name = key.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
      if (name === 'net.ipv4.tcp_notsent_lowat' && /^\d+$/.test(value ?? '')) config.notsentLowat = Number(value);
      else if (name === 'net.inet.tcp.drop_synfin' && /^[01]$/.test(value ?? '')) config.acceptSynFin = value === '0';
      else if (name === 'net.ipv4.tcp_slow_start_after_idle' && /^[01]$/.test(value ?? '')) config.slowStartAfterIdle = value === '1';
      else all = false;
    }
    return all;
  }

  /**
   * `tc qdisc add|replace|change|delete|del dev DEV root [pfifo [limit N]]` (redirections
   * ignored): a pfifo of limit 0 drops every packet, so from then on the local link
   * refuses every packet the stack sends (PacketPort.send answers false, as Linux's qdisc
   * drop answers TCP); deleting the root qdisc or a pfifo with room makes it take them
   * again. Other qdiscs (fq's pacing, netem) are not emulated.
   */
  private qdisc(args: string[]): boolean {
    const words = args.filter((w) => !/^\d*>/.test(w));
    const [object, verb, dev, , root, kind, ...rest] = words;
    if (object !== 'qdisc' || dev !== 'dev' || root !== 'root') return false;
    if (verb === 'delete' || verb === 'del') {
      if (kind !== undefined) return false;
      this.linkRefuses = false;
      return true;
    }
    if (!['add', 'replace', 'change'].includes(verb ?? '') || kind !== 'pfifo') return false;
    if (rest.length === 0) {
      this.linkRefuses = false;
      return true;
    }
    if (rest.length !== 2 || rest[0] !== 'limit' || !/^\d+$/.test(rest[1])) return false;
    this.linkRefuses = Number(rest[1]) === 0;
    return true;
  }

  /** `rm -f FILE...`. */
  private removeFiles(args: string[]): boolean {
    if (args[0] !== '-f') return false;
    for (const file of args.slice(1)) this.files.delete(file);
    return true;
  }

  /** `dd if=/dev/zero of=FILE bs=B count=N [status=none]`: a file of B × N zero bytes
   *  (packetdrill's payloads are zeros). */
  private makeFile(args: string[]): boolean {
    const operands = new Map(args.map((a) => a.split('=') as [string, string]));
    const bs = Number(operands.get('bs') ?? 512);
    const count = Number(operands.get('count'));
    const file = operands.get('of');
    if (operands.get('if') !== '/dev/zero' || !file || !Number.isInteger(bs) || !Number.isInteger(count)
      || [...operands.keys()].some((k) => !['if', 'of', 'bs', 'count', 'status'].includes(k))) return false;
    this.files.set(file, new Uint8Array(bs * count));
    return true;
  }

  /** IP_TOS and IP_TTL of a socket (kept for listen()), a listener (its SYN-ACKs and
   *  resets and the connections it opens from now on) or a connection (its segments from
   *  now on), through the stack's calls; a value they refuse is EINVAL (FreeBSD's and
   *  Linux's answer to a TOS beyond a byte or a TTL beyond 255). */
  private setIpOption(event: SyscallEvent, fd: Fd, name: 'IP_TOS' | 'IP_TTL', value: number): { value: number; errno?: string } {
    const tos = name === 'IP_TOS';
    try {
      if (fd.kind === 'connection') {
        if (tos) this.stack.setTos(fd.handle, value);
        else this.stack.setTtl(fd.handle, value);
      } else if (fd.kind === 'listener') {
        this.stack.setListenOptions(fd.listener, tos ? { tos: value } : { ttl: value });
      } else if (!(Number.isInteger(value) && value >= (tos ? 0 : 1) && value <= 255)) {
        return { value: -1, errno: 'EINVAL' };
      }
    } catch (err) {
      if (err instanceof RangeError || err instanceof ConfigError) return { value: -1, errno: 'EINVAL' };
      throw err;
    }
    if (tos) fd.tos = value & 0xfc; // as the stack keeps it: the ECN bits are its own
    else fd.ttl = value;
    return { value: 0 };
  }

  private command(event: CommandEvent): void {
    if (this.appliedCommands.has(event)) return;
    const sleep = /^\s*sleep\s+([\d.]+)\s*$/.exec(event.command);
    if (sleep) {
      const until = this.lastUsecs + Math.round(Number(sleep[1]) * 1e6);
      this.lastUsecs = this.eventTime(event);
      this.expectQuiet(until, event.line);
      this.advanceTo(until);
      this.lastUsecs = until;
      return;
    }
    const sockstat = SOCKSTAT.exec(event.command.trim());
    if (sockstat) {
      this.sockstat(event, sockstat);
      return;
    }
    const lines = shellLines(event.command);
    if (lines.length > 0 && lines.every((line) => shellWords(line)[0] === 'tc')) {
      for (const line of lines) {
        if (!this.qdisc(shellWords(line).slice(1))) this.notes.push(`${this.name}:${event.line}: shell command not run: ${line}`);
      }
      return;
    }
    this.notes.push(`${this.name}:${event.line}: shell command not run: ${event.command}`);
  }

  /**
   * tcp-testsuite's state checks, `sockstat -4 -P tcp [-p PORT] -s [| grep packetdril]
   * | grep -c STATE | grep N`: the number of TCP sockets in STATE (FreeBSD's names) must
   * be N. `grep packetdril` keeps the sockets the script holds a descriptor for; without
   * it every connection counts (half-open and unaccepted ones, and those the script has
   * closed). `grep N` matches the count written out, so this asks for it exactly.
   */
  private sockstat(event: CommandEvent, match: RegExpExecArray): void {
    const [, portA, portB, owned, state, expected] = match;
    const port = Number(portA ?? portB ?? LOCAL_PORT);
    const states: string[] = [];
    const held = new Set<number>();
    for (const fd of this.fds.values()) {
      if (fd.kind === 'file') continue;
      if (fd.kind === 'listener') states.push('LISTEN');
      else if (fd.kind === 'socket') states.push('CLOSED');
      else {
        held.add(fd.handle);
        const name = this.stack.state(fd.handle);
        states.push(freebsdStateNames[name] ?? name);
      }
    }
    if (!owned) {
      for (const c of this.stack.connections()) {
        if (c.handle >= 0 && held.has(c.handle)) continue;
        if (c.localPort === port || c.remotePort === port) states.push(freebsdStateNames[c.state] ?? c.state);
      }
    }
    if (port !== LOCAL_PORT) states.length = 0;
    const count = states.filter((s) => s === state).length;
    if (count !== Number(expected)) {
      this.fail(event.line, `shell command failed: ${count} TCP sockets in ${state}, the script expects ${expected}\n  script: ${event.text.trim()}`);
    }
  }
}

/** A shell command's lines: backslash-newlines joined, split at newlines, `;` and `&&`. */
function shellLines(command: string): string[] {
  return command.replace(/\\\n/g, ' ').split(/\n|;|&&/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** sysctl, or set_sysctls.py (packetdrill's helper taking /proc/sys paths), by any path. */
function isSysctl(word: string | undefined): boolean {
  const program = (word ?? '').split('/').pop();
  return program === 'sysctl' || program === 'set_sysctls.py';
}

/** A command line's words, quotes removed (`a="b c"` is one word, `a=b c`). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = '';
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The state checks tcp-testsuite makes with sockstat (Runner.sockstat). */
const SOCKSTAT = /^sockstat -4 -P tcp(?: -p (\d+))? -s(?: -p (\d+))?( \| grep packetdril)? \| grep -c ([A-Z_0-9]+) \| grep (\d+)$/;

/** RFC 9293's state names as FreeBSD's sockstat writes them. */
const freebsdStateNames: Record<string, string> = {
  'SYN-RECEIVED': 'SYN_RCVD', ESTABLISHED: 'ESTABLISHED', 'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK',
  'FIN-WAIT-1': 'FIN_WAIT_1', 'FIN-WAIT-2': 'FIN_WAIT_2', CLOSING: 'CLOSING', 'TIME-WAIT': 'TIME_WAIT', CLOSED: 'CLOSED',
};

function newFd(kind: Fd['kind']): Fd {
  return {
    kind, listener: -1, handle: -1, lingerS: -1, keepalive: false, keepIdleS: 7200, keepIntvlS: 75, keepCnt: 9,
    noDelay: false, backlog: 1, nonBlocking: false, readShut: false, inq: false, userTimeoutMs: 0, maxSeg: 0, noOptions: false,
    tos: 0, ttl: 0, bound: false,
  };
}

function argInteger(event: SyscallEvent, index: number): number {
  const arg = event.args[index];
  if (!arg || arg.kind !== 'integer') throw new PktFailure(event.line, '', `${event.name}(): argument ${index + 1} must be an integer`);
  return arg.value;
}

/** What the runner reads of a `struct msghdr`: the bytes its iovecs hold, msg_flags,
 *  and its control messages. */
interface Msghdr {
  bytes: number;
  flags: number;
  control: { level: string; type: string; data: number }[];
}

/** `{msg_name(...)=..., msg_iov(N)=[{..., LEN}, ...], msg_flags=F[, msg_control=[{cmsg_level=L,
 *  cmsg_type=T, cmsg_data=D}]]}`, as packetdrill writes one. */
function msghdr(event: SyscallEvent, index: number): Msghdr {
  const arg = event.args[index];
  const bad = (what: string): never => { throw new PktFailure(event.line, '', `${event.name}(): ${what}`); };
  const struct = arg?.kind === 'nested' && arg.value && typeof arg.value === 'object' && !Array.isArray(arg.value) ? arg.value : bad('argument 2 must be a struct msghdr');
  const iov = struct.fields.msg_iov;
  if (!Array.isArray(iov)) bad('msg_iov must be a list of iovecs');
  let bytes = 0;
  for (const v of iov as Nested[]) {
    const len = v && typeof v === 'object' && !Array.isArray(v) ? v.fields.iov_len ?? v.positional[1] : undefined;
    if (typeof len !== 'number') bad('each iovec must be {..., LENGTH}');
    bytes += len as number;
  }
  const flags = struct.fields.msg_flags ?? 0;
  if (typeof flags !== 'number') bad('msg_flags must be a number');
  const control: Msghdr['control'] = [];
  const cmsgs = struct.fields.msg_control;
  if (cmsgs !== undefined && cmsgs !== null) {
    if (!Array.isArray(cmsgs)) bad('msg_control must be a list of cmsgs');
    for (const c of cmsgs as Nested[]) {
      const f = c && typeof c === 'object' && !Array.isArray(c) ? c.fields : bad('each cmsg must be a struct');
      if (typeof f.cmsg_level !== 'string' || typeof f.cmsg_type !== 'string' || typeof f.cmsg_data !== 'number') {
        bad('each cmsg needs cmsg_level, cmsg_type and a numeric cmsg_data');
      }
      control.push({ level: f.cmsg_level as string, type: f.cmsg_type as string, data: f.cmsg_data as number });
    }
  }
  return { bytes, flags: flags as number, control };
}

/** poll()'s `[{fd=N, events=A|B, revents=C}, ...]`: each event list as POLL_EVENTS names
 *  in that order (0: none); a name the runner does not know fails. */
function pollfds(event: SyscallEvent): { fd: number; events: string[]; revents: string[] }[] {
  const arg = event.args[0];
  const bad = (what: string): never => { throw new PktFailure(event.line, '', `poll(): ${what}`); };
  const list = arg?.kind === 'nested' && Array.isArray(arg.value) ? arg.value : bad('argument 1 must be a list of pollfds');
  const names = (v: Nested | undefined): string[] => {
    if (v === 0) return [];
    const terms = typeof v === 'string' ? v.split('|').map((t) => t.trim()) : bad('events and revents must be POLL names or 0');
    for (const t of terms) if (!POLL_EVENTS.includes(t)) bad(`${t} is not supported by slotcp's runner (${POLL_EVENTS.join(', ')})`);
    return POLL_EVENTS.filter((e) => terms.includes(e));
  };
  return list.map((p) => {
    const f = p && typeof p === 'object' && !Array.isArray(p) ? p.fields : bad('each pollfd must be {fd=N, events=..., revents=...}');
    if (typeof f.fd !== 'number') bad('each pollfd needs fd=N');
    return { fd: f.fd as number, events: names(f.events), revents: names(f.revents ?? 0) };
  });
}

/** send()'s MSG_MORE and MSG_EOR as the stack's write flags. */
function writeFlags(names: string[]): number {
  return (names.includes('MSG_MORE') ? WriteFlag.More : 0) | (names.includes('MSG_EOR') ? WriteFlag.EndOfRecord : 0);
}

function isNull(arg: SyscallArg | undefined): boolean {
  return arg?.kind === 'identifier' && arg.name === 'NULL';
}

/** The kinds of TCP options in sent option bytes. */
function parseOptionKinds(bytes: number[]): Set<TcpOption['kind']> {
  const kinds = new Set<TcpOption['kind']>();
  const names: Record<number, TcpOption['kind']> = { 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 8: 'timestamp' };
  for (let i = 0; i < bytes.length;) {
    if (bytes[i] === 0 || bytes[i] === 1) { i++; continue; }
    if (names[bytes[i]]) kinds.add(names[bytes[i]]);
    i += Math.max(2, bytes[i + 1] ?? 2);
  }
  return kinds;
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


function formatIpv4(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

function formatSeconds(usecs: number): string {
  return (usecs / 1e6).toFixed(6);
}

/** Runs one parsed script; throws PktFailure on the first mismatch. */
export function runScript(script: Script, name: string, options: RunOptions = {}): RunResult {
  return new Runner(script, name, options).run();
}

export type { TcpOption };
