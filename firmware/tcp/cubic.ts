// CUBIC congestion control (RFC 9438) and Proportional Rate Reduction in SACK recovery
// (RFC 6937), for config.congestion 'cubic'; recovery.ts calls it where Reno's rules
// would apply. It counts the window in whole segments, as Linux does (the peer suites'
// scripts assert its numbers), with Linux's constants: β = 717/1024, C = 410/1024 with
// time in 1/1024 s, the Reno-friendly estimate's α as one segment per 15/8 windows
// ACKed, and the growth rate worked out at most once per 31 ms while the window stays
// the same. State lives in five Tcb words (ccEpoch ... ccBase, see slots.ts), in halves
// of 16 bits: windows, W_max and counts are capped at 65535 segments. Slow start has
// Linux's HyStart (below), whose round lives in the words an epoch leaves unused.
import { Core } from './core';
import { highestSacked, pipe } from './sack';
import { Flag, Tcb } from './slots';
import { seqGt, seqLe } from './seq';

/** β (RFC 9438 §4.1.1, §4.6) in 1/1024: ssthresh = 0.7 × cwnd. */
const BETA = 717;
const BETA_SCALE = 1024;
/** C = 0.4 (RFC 9438 §4.1.1) as 410 / 2^10, applied to t³ with t in 2^-10 s. */
const C_SCALED = 410;
/** 2^40 / 410: (W_max - cwnd) × this is K³, K in 2^-10 s. */
const CUBE_FACTOR = 2681735677;
const TWO_20 = 1048576;
/** Far from K the target is huge anyway; capping |t - K| keeps t³ × C exact (< 2^53). */
const MAX_OFFSET = 1 << 17;
/** The Reno-friendly estimate (RFC 9438 §4.3) grows a segment per cwnd × 15/8 segments
 *  ACKed: α = 3(1 - β)/(1 + β) ≈ 0.53. */
const FRIENDLY_EIGHTHS = 15;
const MAX_SEGMENTS = 0xffff;
/** recovery.ts's cap on the window (a signed 32-bit field). */
const MAX_CWND = 0x3fffffff;
/** The growth rate holds this long while the window stays the same. */
const RATE_HOLD_MS = 31;
/** No W_max yet (a new connection, or after a timeout): the window grows by at least a
 *  segment per 20 ACKed, 5% per RTT. */
const FIRST_RATE = 20;
/** RTT samples within a second of an epoch's start do not lower the least RTT (the
 *  queue built before a loss may still be draining). */
const SETTLE_MS = 1000;

// ---- reductions ------------------------------------------------------------------------

/** A loss (fast retransmit, SACK recovery, a repaired loss probe, a timeout): returns the
 *  new ssthresh, max(β × cwnd, 2) segments (RFC 9438 §4.6), and records W_max, lowered
 *  to cwnd × (1 + β)/2 when the window did not get back to the last one (fast
 *  convergence, §4.7). The epoch ends. */
export function cubicThreshold(core: Core, s: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const mss = tcb[row + Tcb.mss];
  const cwnd = windowSegments(tcb, row);
  const lastMax = tcb[row + Tcb.ccMax] >>> 16;
  const max = cwnd < lastMax ? Math.floor((cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE)) : cwnd;
  tcb[row + Tcb.ccMax] = max << 16; // and the growth carried over starts again
  endEpoch(tcb, row);
  return Math.max((cwnd * BETA) >> 10, 2) * mss;
}

/** After a timeout the path is taken as unknown (Linux resets CUBIC entering Loss): no
 *  W_max, no least RTT, no epoch. */
export function cubicForget(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.ccMax] = 0;
  tcb[row + Tcb.ccBase] = 0;
  tcb[row + Tcb.flags] &= ~Flag.HystartFound; // HyStart may end the next slow start too
  endEpoch(tcb, row);
}

function endEpoch(tcb: Int32Array, row: number): void {
  tcb[row + Tcb.ccEpoch] = 0;
  tcb[row + Tcb.ccCount] = 0;
  tcb[row + Tcb.ccLast] = 0;
  tcb[row + Tcb.flags] &= ~Flag.CubicFresh;
}

/** Sending resumes with nothing outstanding: the time since the last send does not count
 *  in t, so the cubic function goes on from where it was rather than jumping ahead by the
 *  idle time (RFC 9438 §5.8; Linux moves the epoch on the same way). */
export function cubicIdle(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const epoch = tcb[row + Tcb.ccEpoch];
  const idle = (core.now - tcb[row + Tcb.lastSentAt]) | 0;
  if (epoch === 0 || idle <= 0 || (tcb[row + Tcb.flags] & Flag.Recovery)) return;
  const moved = (epoch + idle) | 0;
  tcb[row + Tcb.ccEpoch] = ((moved - core.now) | 0) > 0 ? core.now || 1 : moved || 1;
}

/** An RTT sample: the least one is CUBIC's RTT (the t + RTT of RFC 9438 §4.2). */
export function cubicRttSample(core: Core, s: number, rtt: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const epoch = tcb[row + Tcb.ccEpoch];
  if ((tcb[row + Tcb.flags] & Flag.Recovery) === 0 && epoch !== 0 && ((core.now - epoch) | 0) < SETTLE_MS) return;
  const base = tcb[row + Tcb.ccBase];
  const least = base & 0xffff;
  const sample = rtt < 1 ? 1 : rtt > 0xffff ? 0xffff : rtt;
  if (least === 0 || sample < least) tcb[row + Tcb.ccBase] = (base & ~0xffff) | sample;
}

// ---- HyStart (Linux's hybrid slow start) -----------------------------------------------
//
// Slow start ends before the first loss when the path's queue starts to fill, as Linux's
// CUBIC has done since 2.6.29 (tcp_cubic.c, after Ha and Rhee's "Taming the Elephants"):
// once the window is 16 segments or more, each round (until SND.UNA passes SND.MAX as it
// was when the round began) looks at ACKs, and slow start ends (ssthresh = cwnd) when
// - the ACKs of a train (each within 2 ms of the one before) keep coming for more than
//   half the least RTT since the round began (the window is about to fill the path), or
// - after 8 samples, the round's least RTT sample (of every sample so far) is above the
//   least RTT by more than least/8, kept within 4..16 ms (the queue grows).
// Once it has ended slow start, it stays off until a timeout (Flag.HystartFound).
//
// RFC 9438 §4.10 recommends HyStart++ (RFC 9406) instead; this is the original, as the
// peer Linux has it (the suites' scripts pin its numbers). The two share the round, the
// 8 samples and a rise threshold of an RTT / 8 within 4..16 ms; HyStart++ compares each
// round's least RTT with the previous round's (not the connection's), has no ACK-train
// test, and goes on in Conservative Slow Start for a few rounds (growing by a quarter)
// before it ends slow start, where this ends it at once, and may go back to slow start
// if the RTT falls.
//
// As Linux before 6.13, a round begins only at an ACK with the window at 16 or more, so
// the first round starts at the first such ACK (6.13 moves rounds below 16 as well).
// Linux adds a cushion of up to 1 ms for TSO and GRO batches to the least RTT before
// halving it for the ACK train; slotcp sends no such batches: half the least RTT.
//
// The RTT sample. Linux measures every ACK: now less the send time of the newest segment
// it delivers. slotcp keeps no send time per segment. Data sent once goes out in
// sequence order, so an ACK that delivers data up to `newest` (the ACK, or the highest
// SACKed byte) delivers nothing sent after any time by which everything below a mark at
// or above `newest` had been sent. Three such marks are at hand, and the sample is now
// less the earliest that applies:
// - the last send (Tcb.lastSentAt): everything outstanding went by then;
// - the round's mark: SND.MAX when the round began and the last send before it (the
//   round's first word, and the high half of ccBase);
// - RFC 6298's timed segment (rttSeq, rttStart, while Flag.Timing): everything below it
//   went no later than it did.
// The sample is thus never longer than Linux's for the same ACK (with sends at the same
// times), so the delay test never fires where Linux's would not with the same least
// RTT: exact for a flight
// sent at once (each mark's data then went together), shorter for data sent over a
// while (a flight clocked out by ACKs across a round): the earliest of the round's
// ACKs can then look as short as the time since the last send, and a rise in the RTT
// is seen late or not at all; slow start then goes on to ssthresh or a loss, as without
// HyStart. slotcp samples only ACKs that move SND.UNA (Linux also ACKs that only SACK
// more). The least RTT is CUBIC's, from RFC 6298's samples (true RTTs: the lower bounds
// here would pull it down), so it may sit above Linux's per-ACK least, and the delay
// test then asks for a larger rise; it also counts the handshake's RTT, which Linux's
// leaves out (a handshake faster than the data's RTT asks for a smaller one).
//
// Where the state lives: HyStart works only in slow start with no CUBIC epoch (the
// epoch starts once slow start ends; a loss ends it), outside recovery and a timeout's
// resending. There the epoch's other words are free: ccCount holds the round's end,
// ccLast when it began << 16 | the last ACK of its train (ms, low 16 bits), ccBase's high
// half the round mark's send time (ms, low 16 bits), and ccMax's low half the samples
// counted + 1 (0: no round yet) << 12 | the round's least sample (ms, at most 4095).
// Linux's 1 s without delay samples after an epoch starts thus never applies to HyStart
// here: it never runs in a slow start that follows congestion avoidance without a
// timeout (after an idle restart), which Linux's would if it had not ended slow start
// before. Times 65 s or more apart wrap in the 16-bit fields (a round that long, or a
// train that broke 65 s before, can be misread), and a least RTT above about 4 s leaves
// the delay test off.

const HYSTART_LOW_WINDOW = 16;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN_MS = 4;
const HYSTART_DELAY_MAX_MS = 16;
const HYSTART_ACK_DELTA_MS = 2;
/** ccMax's low half in a HyStart round: the count << 12 | the least sample. */
const ROUND_COUNT_SHIFT = 12;
const ROUND_RTT_MASK = 0xfff;

/** An ACK that moved SND.UNA, before the window grows: HyStart's round, its ACK train and
 *  its RTT sample (Linux's hystart_update, from bictcp_acked). */
export function hystartAcked(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const least = tcb[row + Tcb.ccBase] & 0xffff;
  if (!inHystart(tcb, row) || least === 0) return;
  if ((tcb[row + Tcb.ccMax] & 0xffff) === 0 || seqGt(tcb[row + Tcb.sndUna], tcb[row + Tcb.ccCount])) newRound(core, s);
  if (ackTrainLong(core, s, least) || delayRose(core, s, least)) leaveSlowStart(tcb, row);
}

/** Slow start with a window of 16 segments or more, HyStart not yet ended, no epoch, no
 *  recovery or timeout's resending, and no loss probe's resend this ACK may answer. */
function inHystart(tcb: Int32Array, row: number): boolean {
  const mss = tcb[row + Tcb.mss];
  const cwnd = windowSegments(tcb, row);
  if (tcb[row + Tcb.flags] & (Flag.HystartFound | Flag.Recovery | Flag.AfterTimeout | Flag.ProbeResent)) return false;
  return tcb[row + Tcb.ccEpoch] === 0 && cwnd >= HYSTART_LOW_WINDOW && cwnd < Math.floor(tcb[row + Tcb.ssthresh] / mss);
}

/** A round begins (Linux's bictcp_hystart_reset): it ends once SND.UNA passes SND.MAX,
 *  all of which had been sent by the last send. */
function newRound(core: Core, s: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const now = core.now & 0xffff;
  tcb[row + Tcb.ccCount] = tcb[row + Tcb.sndMax];
  tcb[row + Tcb.ccLast] = (now << 16) | now;
  tcb[row + Tcb.ccBase] = ((tcb[row + Tcb.lastSentAt] & 0xffff) << 16) | (tcb[row + Tcb.ccBase] & 0xffff);
  tcb[row + Tcb.ccMax] = (tcb[row + Tcb.ccMax] & ~0xffff) | (1 << ROUND_COUNT_SHIFT) | ROUND_RTT_MASK;
}

/** The ACK train: this ACK came within 2 ms of the train's last, and the train has run
 *  for more than half the least RTT since the round began. */
function ackTrainLong(core: Core, s: number, least: number): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const now = core.now & 0xffff;
  const last = tcb[row + Tcb.ccLast];
  if (((now - (last & 0xffff)) & 0xffff) > HYSTART_ACK_DELTA_MS) return false;
  tcb[row + Tcb.ccLast] = (last & ~0xffff) | now;
  return ((now - (last >>> 16)) & 0xffff) > least >> 1;
}

/** The delay test: the round's least sample, once 8 came before this one, above the
 *  least RTT by more than least/8 (4 to 16 ms). */
function delayRose(core: Core, s: number, least: number): boolean {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const round = tcb[row + Tcb.ccMax] & 0xffff;
  const sample = rttLowerBound(core, s);
  let rtt = round & ROUND_RTT_MASK;
  if (sample < rtt) rtt = sample;
  const counted = (round >>> ROUND_COUNT_SHIFT) - 1; // before this sample
  const stored = counted < HYSTART_MIN_SAMPLES ? counted + 2 : counted + 1;
  tcb[row + Tcb.ccMax] = (tcb[row + Tcb.ccMax] & ~0xffff) | (stored << ROUND_COUNT_SHIFT) | rtt;
  if (counted < HYSTART_MIN_SAMPLES) return false;
  const eighth = least >> 3;
  return rtt > least + (eighth < HYSTART_DELAY_MIN_MS ? HYSTART_DELAY_MIN_MS : eighth > HYSTART_DELAY_MAX_MS ? HYSTART_DELAY_MAX_MS : eighth);
}

/** This ACK's RTT sample, ms (at most 4095): now less the earliest time by which the
 *  newest data it delivers is known to have been sent (see above). */
function rttLowerBound(core: Core, s: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const now = core.now;
  const newest = highestSacked(core.slots, s);
  let rtt = (now - tcb[row + Tcb.lastSentAt]) | 0;
  if (seqLe(newest, tcb[row + Tcb.ccCount])) {
    const sinceMark = ((now & 0xffff) - (tcb[row + Tcb.ccBase] >>> 16)) & 0xffff;
    if (sinceMark > rtt) rtt = sinceMark;
  }
  if ((tcb[row + Tcb.flags] & Flag.Timing) && seqLe(newest, tcb[row + Tcb.rttSeq])) {
    const sinceTimed = (now - tcb[row + Tcb.rttStart]) | 0;
    if (sinceTimed > rtt) rtt = sinceTimed;
  }
  return rtt < 0 ? 0 : rtt > ROUND_RTT_MASK ? ROUND_RTT_MASK : rtt;
}

/** HyStart found the exit: ssthresh is the window (growth goes on as congestion
 *  avoidance), and HyStart is off until a timeout. */
function leaveSlowStart(tcb: Int32Array, row: number): void {
  tcb[row + Tcb.ssthresh] = tcb[row + Tcb.cwnd];
  tcb[row + Tcb.flags] |= Flag.HystartFound;
  tcb[row + Tcb.ccMax] &= ~0xffff;
}

// ---- Proportional Rate Reduction (RFC 6937, draft-ietf-tcpm-prr-rfc6937bis) ----------

/** Fast recovery starts (SACK): the window before it (`prior`) is remembered, and this
 *  ACK's delivery sets the window (the first resend always goes). */
export function prrStart(core: Core, s: number, prior: number, delivered: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  tcb[row + Tcb.ccEpoch] = 0;
  tcb[row + Tcb.ccCount] = 0;
  tcb[row + Tcb.ccLast] = prior;
  tcb[row + Tcb.flags] &= ~Flag.CubicFresh;
  tcb[row + Tcb.highRxt] = tcb[row + Tcb.sndUna]; // nothing resent yet in this recovery (the pipe)
  prrAck(core, s, delivered, false, true);
}

/** An ACK in SACK recovery that newly delivered `delivered` bytes (acknowledged or
 *  SACKed): the window becomes the pipe plus what may be sent now. Above ssthresh, in
 *  proportion to what was delivered (β of it); at or below, what was delivered and not
 *  yet matched by sending (Conservative Reduction Bound), a segment more when the ACK
 *  moved SND.UNA (`safe`: the Slow Start Reduction Bound on 6937bis's safe ACK, as
 *  Linux; both also ask that the ACK show no new loss, which slotcp does not tell
 *  apart), never past ssthresh. Counted in whole segments, as Linux. */
export function prrAck(core: Core, s: number, delivered: number, safe: boolean, start = false): void {
  const slots = core.slots;
  const tcb = slots.tcb;
  const row = s * Tcb.ROW;
  // At recovery's start the window is set even with nothing delivered (RACK's reordering
  // timer, a duplicate ACK with no new SACK): else ssthresh would go out at once.
  if (delivered <= 0 && !start) return;
  const mss = tcb[row + Tcb.mss];
  const ssthresh = tcb[row + Tcb.ssthresh];
  const total = (tcb[row + Tcb.ccEpoch] += delivered);
  const sent = tcb[row + Tcb.ccCount];
  const inFlight = pipe(slots, s);
  let room: number;
  if (inFlight > ssthresh) {
    const prior = Math.max(1, Math.floor(tcb[row + Tcb.ccLast] / mss));
    room = Math.ceil(((ssthresh / mss) * total) / (prior * mss)) * mss - sent;
  } else {
    room = Math.max(total - sent, delivered) + (safe ? mss : 0);
    if (room > ssthresh - inFlight) room = ssthresh - inFlight;
  }
  const least = sent > 0 ? 0 : mss; // the fast retransmit goes whatever the pipe
  tcb[row + Tcb.cwnd] = inFlight + (room > least ? room : least);
}

/** Bytes sent (new or again) during recovery. */
export function prrSent(core: Core, s: number, bytes: number): void {
  core.slots.tcb[s * Tcb.ROW + Tcb.ccCount] += bytes;
}

/** Recovery ended: the window was set to ssthresh; PRR's words become a new epoch's. */
export function prrEnd(core: Core, s: number): void {
  endEpoch(core.slots.tcb, s * Tcb.ROW);
}

// ---- growth ----------------------------------------------------------------------------

/** An ACK of new data outside recovery that delivered `delivered` bytes (acknowledged
 *  or SACKed, and not reported before by SACK or a duplicate ACK): slow start up
 *  to ssthresh, the rest by the cubic function (RFC 9438 §4.2-4.4), a segment of growth
 *  per `rate` segments ACKed. */
export function cubicGrow(core: Core, s: number, delivered: number): void {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const mss = tcb[row + Tcb.mss];
  if (delivered <= 0) return;
  // Segments delivered, to the nearest (a stray byte SACKed does not make one), at least one.
  let acked = Math.max(1, Math.round(delivered / mss));
  let cwnd = windowSegments(tcb, row);
  const ssthresh = Math.floor(tcb[row + Tcb.ssthresh] / mss);
  if (cwnd < ssthresh) {
    const grown = Math.min(cwnd + acked, ssthresh);
    acked -= grown - cwnd;
    cwnd = grown;
    if (acked === 0) {
      setWindow(tcb, row, cwnd);
      return;
    }
  }
  // Slow start is over: its HyStart round, in the half that counts the growth carried
  // over in an epoch, is forgotten before the first epoch reads it (0 at an epoch's start
  // in any case: a loss clears it).
  if (tcb[row + Tcb.ccEpoch] === 0) tcb[row + Tcb.ccMax] &= ~0xffff;
  const rate = growthRate(core, s, cwnd, acked);
  // Growth carried over from a slower rate is applied first, a segment at most.
  let carried = tcb[row + Tcb.ccMax] & 0xffff;
  if (carried >= rate) {
    carried = 0;
    cwnd++;
  }
  carried += acked;
  if (carried >= rate) {
    const segments = Math.floor(carried / rate);
    carried -= segments * rate;
    cwnd += segments;
  }
  tcb[row + Tcb.ccMax] = (tcb[row + Tcb.ccMax] & ~0xffff) | (carried > 0xffff ? 0xffff : carried);
  setWindow(tcb, row, cwnd);
}

/** Segments ACKed per segment of growth now: the cubic function's target one RTT ahead
 *  (W_cubic(t + RTT), §4.2), or the Reno-friendly estimate's if it is ahead (§4.3),
 *  at most a segment per two ACKed. */
function growthRate(core: Core, s: number, cwnd: number, acked: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const now = core.now;
  let count = tcb[row + Tcb.ccCount];
  let ackedInEpoch = (count >>> 16) + acked;
  let friendly = count & 0xffff;
  const last = tcb[row + Tcb.ccLast];
  if ((tcb[row + Tcb.flags] & Flag.CubicFresh) && (((now & 0xffff) - (last >>> 16)) & 0xffff) <= RATE_HOLD_MS) {
    tcb[row + Tcb.ccCount] = (clamp16(ackedInEpoch) << 16) | friendly;
    return last & 0xffff;
  }
  let rate: number;
  if (tcb[row + Tcb.ccEpoch] !== 0 && (now & 0xffff) === last >>> 16) {
    rate = last & 0xffff; // once per ms at most: only the Reno-friendly bound is new
  } else {
    tcb[row + Tcb.flags] |= Flag.CubicFresh;
    if (tcb[row + Tcb.ccEpoch] === 0) {
      tcb[row + Tcb.ccEpoch] = now || 1;
      tcb[row + Tcb.ccBase] = (clamp16(cwnd) << 16) | (tcb[row + Tcb.ccBase] & 0xffff);
      ackedInEpoch = acked;
      friendly = cwnd;
    }
    rate = cubicRate(core, s, cwnd);
  }
  // The Reno-friendly estimate: a segment per cwnd × 15/8 ACKed.
  const perSegment = (cwnd * FRIENDLY_EIGHTHS) >> 3;
  if (ackedInEpoch > perSegment) {
    const segments = Math.floor((ackedInEpoch - 1) / perSegment);
    ackedInEpoch -= segments * perSegment;
    friendly += segments;
  }
  if (friendly > cwnd) {
    const bound = Math.floor(cwnd / (friendly - cwnd));
    if (rate > bound) rate = bound;
  }
  if (rate < 2) rate = 2;
  tcb[row + Tcb.ccCount] = (clamp16(ackedInEpoch) << 16) | clamp16(friendly);
  tcb[row + Tcb.ccLast] = ((now & 0xffff) << 16) | clamp16(rate);
  return rate;
}

/** The cubic function's rate: W_cubic(t) = C(t - K)³ + W_max (RFC 9438 §4.2, K from
 *  §4.2 eq. 2), t the time since the epoch began plus the least RTT; a segment per
 *  cwnd / (target - cwnd) ACKed, or almost no growth at or above the target. */
function cubicRate(core: Core, s: number, cwnd: number): number {
  const tcb = core.slots.tcb;
  const row = s * Tcb.ROW;
  const max = tcb[row + Tcb.ccMax] >>> 16;
  const base = tcb[row + Tcb.ccBase];
  const start = base >>> 16;
  const k = max > start ? cubeRoot(CUBE_FACTOR * (max - start)) : 0;
  const origin = max > start ? max : start;
  const ms = ((core.now - tcb[row + Tcb.ccEpoch]) | 0) + (base & 0xffff);
  const t = Math.floor((ms * 1024) / 1000);
  const offset = Math.min(t < k ? k - t : t - k, MAX_OFFSET);
  const delta = scaledCube(offset);
  const target = t < k ? origin - delta : origin + delta;
  let rate = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
  if (max === 0 && rate > FIRST_RATE) rate = FIRST_RATE;
  return rate;
}

/** floor(C_SCALED × x³ / 2^40), exactly (x³ < 2^53; the product split in 2^20s). */
function scaledCube(x: number): number {
  const cube = x * x * x;
  const high = Math.floor(cube / TWO_20);
  const low = cube - high * TWO_20;
  return Math.floor((C_SCALED * high + Math.floor((C_SCALED * low) / TWO_20)) / TWO_20);
}

/** floor(∛x) for 0 <= x < 2^53. */
function cubeRoot(x: number): number {
  let r = Math.floor(Math.cbrt(x));
  while (r * r * r > x) r--;
  while ((r + 1) * (r + 1) * (r + 1) <= x) r++;
  return r;
}

function windowSegments(tcb: Int32Array, row: number): number {
  return Math.floor(tcb[row + Tcb.cwnd] / tcb[row + Tcb.mss]);
}

function setWindow(tcb: Int32Array, row: number, segments: number): void {
  const mss = tcb[row + Tcb.mss];
  const bytes = Math.min(segments, MAX_SEGMENTS, Math.floor(MAX_CWND / mss)) * mss;
  if (bytes !== tcb[row + Tcb.cwnd]) tcb[row + Tcb.flags] &= ~Flag.CubicFresh;
  tcb[row + Tcb.cwnd] = bytes;
}

function clamp16(n: number): number {
  return n > 0xffff ? 0xffff : n;
}
