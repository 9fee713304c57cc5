// The trace hook: an optional per-stack callback (Stack.setTrace) told of every segment
// in and out and of every drop with its reason, as numbers and the stack's own segment
// array, so that tracing allocates nothing. Off by default, it costs one check per
// segment. `slotcp serve --trace` prints it tcpdump-like (host/trace.ts).
import { Count } from './counters';
import { Core } from './core';
import { Segment } from './wire';

export const enum TraceEvent {
  /** A valid TCP segment for our address arrived: its Seg fields. */
  In,
  /** A segment is being sent: its Out fields (the source address is the stack's). */
  Out,
  /** A packet or segment was dropped: `reason` is the Count of the counter that counts
   *  it (counterNames[reason] names it). For a packet the codec refused, the Seg fields
   *  hold what was parsed before the refusal. */
  Drop,
}

/** Called synchronously; it must not call into the stack, and must copy what it keeps
 *  (the array is reused for the next segment). */
export type TraceHook = (event: TraceEvent, reason: number, seg: Segment) => void;

/** Counts a drop under `reason` and tells the trace hook, if any. */
export function drop(core: Core, reason: Count): void {
  core.count[reason]++;
  if (core.trace !== undefined) core.trace(TraceEvent.Drop, reason, core.segment);
}

/** Tells the trace hook of a drop already counted (by the answer it got, e.g. a
 *  challenge ACK). */
export function traceDrop(core: Core, reason: Count): void {
  if (core.trace !== undefined) core.trace(TraceEvent.Drop, reason, core.segment);
}
