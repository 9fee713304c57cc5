// Stack configuration: the defaults fit an ESP8266 (a few KB in all), and every field is
// checked when the stack is built, so a bad value fails at start-up with a clear message.

export interface StackConfig {
  /** The stack's own IPv4 address (unsigned 32-bit); segments for any other are dropped. */
  localAddr: number;
  /** Connection slots: the most connections (handshaking, open or closing) at once. */
  slots: number;
  /** Receive buffer per slot; also the largest window offered (16 bits: our own window
   *  is never scaled, our Window Scale shift is 0). */
  rxBytes: number;
  /** Send buffer per slot. */
  txBytes: number;
  /** MSS offered in the SYN-ACK and the largest segment sent. */
  mss: number;
  /** TIME-WAIT records kept; when full, the oldest is evicted. */
  timeWaitCapacity: number;
  /** Maximum segment lifetime: TIME-WAIT lasts 2 × MSL. */
  mslMs: number;
  /** Listening ports at once. */
  listeners: number;
  /** Slots that half-open (SYN-RECEIVED) connections may hold (default: half the slots,
   *  rounded up); beyond it SYNs are answered with SYN cookies, so a SYN flood cannot
   *  take every slot. */
  halfOpenLimit: number;
  /** SYN-ACK retransmissions before a half-open connection is dropped. */
  synAckRetries: number;
  /** Retransmissions of data or FIN (and unanswered zero-window probes) before the
   *  connection is aborted and the app told. */
  maxRetries: number;
  /** RFC 6298: initial RTO, lower and upper bounds. */
  rtoInitialMs: number;
  rtoMinMs: number;
  rtoMaxMs: number;
  /** Where rtoMinMs applies: false (the default), to the RTO, as RFC 6298 §2.4 has it:
   *  RTO = max(rtoMinMs, SRTT + 4 × RTTVAR); true, to the variance term, as Linux has it:
   *  RTO = SRTT + max(4 × RTTVAR, rtoMinMs), so the RTO stays a floor above SRTT however
   *  steady the RTT. */
  rtoMinOnVariance: boolean;
  /** Delayed ACK (RFC 1122 §4.2.3.2: under 500 ms). */
  delayedAckMs: number;
  /** An orphaned FIN-WAIT-2 connection (app closed, peer silent) is reset after this. */
  finWait2TimeoutMs: number;
  /** RFC 5961 challenge ACKs allowed per second, across the stack. */
  challengeAcksPerSecond: number;
  /** IPv4 time to live of sent packets. */
  ttl: number;
  /** Agree to SACK when a client's SYN offers it (RFC 2018): we then report held
   *  out-of-order data and resend only what the client lacks. */
  sack: boolean;
  /** The congestion window a connection starts with: 'rfc5681' (RFC 5681 §3.1's
   *  min(4 × MSS, max(2 × MSS, 4380)), the default), 'rfc6928' (RFC 6928's larger
   *  min(10 × MSS, max(2 × MSS, 14600))) or a number of segments (1 to 64; Linux's
   *  initcwnd, 10 by default there). One segment whatever this says if the SYN-ACK had to
   *  be sent again (RFC 5681 §3.1). */
  initialWindow: InitialWindow;
  /** Slow start's growth per ACK, in segments: the window grows by the bytes an ACK
   *  acknowledges, at most this many MSS (RFC 3465's limit L). 1: RFC 5681 §3.1's
   *  min(N, SMSS), the default; 2: RFC 3465's L = 2 × SMSS; 0: no limit, and as Linux
   *  only what the ACK newly delivers counts (not data already SACKed, nor one segment per
   *  duplicate ACK before it). */
  byteCountingLimit: number;
  /** Congestion window validation (RFC 7661's idea, in Linux's form): the window grows
   *  only while it is less than twice the largest flight since everything sent was last
   *  acknowledged, so an app that sends little does not earn a window it never used.
   *  Off by default (RFC 5681: every ACK of new data grows it). */
  cwndValidation: boolean;
  /** Quick ACKs: the first this many MSS of data a connection receives are ACKed at once
   *  (Linux's quick-ACK mode, 16 segments there). 0, the default: every second segment
   *  at once, a lone one after delayedAckMs. */
  quickAcks: number;
  /** A FIN with no data left before it, as Linux treats it: it goes beyond a full
   *  congestion window (cwnd limits data, RFC 5681 §3.1; the peer's window still applies),
   *  and a tail loss probe after it resends it alone, the highest-sequence segment sent
   *  (RFC 8985 §7.3). false, the default: the FIN waits for the congestion window like
   *  data, and a probe resends the last segment's data with it. */
  loneFin: boolean;
  /** TCP_NOTSENT_LOWAT for every connection that sets none of its own (Linux's sysctl
   *  net.ipv4.tcp_notsent_lowat), bytes: a connection is writable (writable() above 0,
   *  the writable event, write() takes data) only while fewer bytes than this are queued
   *  and not yet sent. 0, the default: no mark, writable while the send buffer has room. */
  notsentLowat: number;
  /** Congestion control: 'reno', the default (RFC 5681 with NewReno and RFC 6675 SACK
   *  recovery: ssthresh half the flight, linear growth), or 'cubic' (RFC 9438 CUBIC as
   *  Linux has it: ssthresh 0.7 × cwnd, the cubic window function with its Reno-friendly
   *  region and fast convergence, counted in whole segments; and in SACK recovery RFC
   *  6937's Proportional Rate Reduction). */
  congestion: Congestion;
  /** RACK time-based loss detection (RFC 8985 §6, which says SHOULD) on SACK connections:
   *  a hole is lost once data sent after it was delivered a reordering window ago, with
   *  no need for three duplicate ACKs. true, the default; false: RFC 6675's IsLost alone
   *  (Linux's net.ipv4.tcp_recovery=0). */
  rack: boolean;
  /** A SYN with FIN set, to a listener: false, the default, drops it (a scanner's probe;
   *  Linux drops it too); true answers it as a plain SYN, its FIN and any data left for
   *  the client to send again, as data on any SYN is (FreeBSD's net.inet.tcp.drop_synfin=0).
   *  RFC 9293 does not single the combination out; RFC 1122 leaves it to the stack. */
  acceptSynFin: boolean;
  /** Slow start after idle (RFC 5681 §4.1, a SHOULD): before sending with nothing in
   *  flight after more than an RTO without sending, the window goes back to the restart
   *  window min(IW, cwnd), as the ACK clock it was built on has stopped. true, the
   *  default; false keeps the window over idle times (Linux's
   *  net.ipv4.tcp_slow_start_after_idle=0, for long-lived connections that send in
   *  bursts over a path known to take them). */
  slowStartAfterIdle: boolean;
  /** When a read that opens the receive window is announced at once by a window update
   *  (receiver SWS avoidance, RFC 9293 §3.8.6.2.2, leaves it to the stack): 'linux', the
   *  default, only when the window the peer knows is at most half the free space and
   *  grows by min(buffer / 2, MSS) or more (fewest updates); 'freebsd', when it grows by
   *  two MSS and by a quarter of the buffer (any two MSS when the buffer holds 8 MSS or
   *  less, or the window is down to an eighth), or by half the buffer. */
  windowUpdates: WindowUpdates;
}

export type WindowUpdates = 'linux' | 'freebsd';

export type Congestion = 'reno' | 'cubic';

export type InitialWindow = 'rfc5681' | 'rfc6928' | number;

/** The config fields that are numbers (what the command-line flags set). */
export type NumericConfigKey = { [K in keyof StackConfig]: StackConfig[K] extends number ? K : never }[keyof StackConfig];

export const defaultConfig: Readonly<StackConfig> = Object.freeze({
  localAddr: 0,
  slots: 4,
  rxBytes: 1072,
  txBytes: 1072,
  mss: 536,
  timeWaitCapacity: 16,
  mslMs: 30000,
  listeners: 4,
  halfOpenLimit: 2,
  synAckRetries: 5,
  maxRetries: 8,
  rtoInitialMs: 1000,
  rtoMinMs: 1000,
  rtoMaxMs: 60000,
  rtoMinOnVariance: false,
  delayedAckMs: 200,
  finWait2TimeoutMs: 60000,
  challengeAcksPerSecond: 10,
  ttl: 64,
  sack: true,
  initialWindow: 'rfc5681',
  byteCountingLimit: 1,
  cwndValidation: false,
  quickAcks: 0,
  loneFin: false,
  notsentLowat: 0,
  congestion: 'reno',
  rack: true,
  acceptSynFin: false,
  slowStartAfterIdle: true,
  windowUpdates: 'linux',
});

export class ConfigError extends Error {}

function checkInteger(config: StackConfig, name: keyof StackConfig, min: number, max: number): void {
  const value = config[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`slotcp config: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function checkBoolean(config: StackConfig, name: keyof StackConfig): void {
  if (typeof config[name] !== 'boolean') {
    throw new ConfigError(`slotcp config: ${name} must be true or false, got ${String(config[name])}`);
  }
}

function checkEither(config: StackConfig, name: keyof StackConfig, first: string, second: string): void {
  if (config[name] !== first && config[name] !== second) {
    throw new ConfigError(`slotcp config: ${name} must be '${first}' or '${second}', got ${String(config[name])}`);
  }
}

/** Sets a field of a config made by makeConfig() as its own property: an assignment
 *  would fail, as the frozen default below it is read-only. */
function setField(config: StackConfig, key: keyof StackConfig, value: unknown): void {
  Object.defineProperty(config, key, { value, enumerable: true });
}

/** Merges `overrides` onto the defaults and checks every field. Throws ConfigError. The
 *  config holds only the fields set as its own properties and inherits the others from
 *  defaultConfig: on a board that object lives in flash with its preloaded module, so a
 *  config takes a heap slot per field set, not one per field (the ESP8266's heap is
 *  counted in slots). The config is read-only. */
export function makeConfig(overrides: Partial<StackConfig>): StackConfig {
  const config = Object.create(defaultConfig) as StackConfig;
  for (const key of Object.keys(overrides) as (keyof StackConfig)[]) {
    if (!(key in defaultConfig)) throw new ConfigError(`slotcp config: unknown option ${String(key)}`);
    const value = overrides[key];
    if (value !== undefined) setField(config, key, value);
  }
  checkInteger(config, 'localAddr', 1, 0xffffffff);
  checkInteger(config, 'slots', 1, 255);
  checkInteger(config, 'rxBytes', 64, 65535);
  checkInteger(config, 'txBytes', 64, 1 << 20);
  checkInteger(config, 'mss', 64, 65495);
  checkInteger(config, 'timeWaitCapacity', 0, 1 << 16);
  checkInteger(config, 'mslMs', 1, 600000);
  checkInteger(config, 'listeners', 1, 64);
  if (overrides.halfOpenLimit === undefined) setField(config, 'halfOpenLimit', Math.ceil(config.slots / 2));
  checkInteger(config, 'halfOpenLimit', 0, config.slots);
  checkInteger(config, 'synAckRetries', 0, 16);
  checkInteger(config, 'maxRetries', 1, 32);
  checkInteger(config, 'rtoMinMs', 1, 600000);
  checkInteger(config, 'rtoMaxMs', config.rtoMinMs, 600000);
  checkInteger(config, 'rtoInitialMs', config.rtoMinMs, config.rtoMaxMs);
  checkBoolean(config, 'rtoMinOnVariance');
  checkInteger(config, 'delayedAckMs', 0, 499);
  checkInteger(config, 'finWait2TimeoutMs', 1, 3600000);
  checkInteger(config, 'challengeAcksPerSecond', 1, 100000);
  checkInteger(config, 'ttl', 1, 255);
  checkBoolean(config, 'sack');
  checkInteger(config, 'byteCountingLimit', 0, 64);
  checkBoolean(config, 'cwndValidation');
  checkInteger(config, 'quickAcks', 0, 64);
  checkBoolean(config, 'loneFin');
  checkInteger(config, 'notsentLowat', 0, 0x3fffffff);
  checkEither(config, 'congestion', 'reno', 'cubic');
  checkBoolean(config, 'rack');
  checkBoolean(config, 'acceptSynFin');
  checkBoolean(config, 'slowStartAfterIdle');
  checkEither(config, 'windowUpdates', 'linux', 'freebsd');
  const iw = config.initialWindow;
  if (iw !== 'rfc5681' && iw !== 'rfc6928' && (typeof iw !== 'number' || !Number.isInteger(iw) || iw < 1 || iw > 64)) {
    throw new ConfigError(`slotcp config: initialWindow must be 'rfc5681', 'rfc6928' or an integer from 1 to 64, got ${String(iw)}`);
  }
  return config;
}

/** The initial congestion window in bytes for a connection whose send MSS is `mss`. */
export function initialWindowBytes(config: StackConfig, mss: number): number {
  const iw = config.initialWindow;
  if (iw === 'rfc5681') return Math.min(4 * mss, Math.max(2 * mss, 4380));
  if (iw === 'rfc6928') return Math.min(10 * mss, Math.max(2 * mss, 14600));
  return iw * mss;
}
