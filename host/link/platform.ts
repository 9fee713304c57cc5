// The Node side of firmware/tcp/platform.ts: a monotonic millisecond clock and the
// system's random source, plus the timer loop that drives the stack (smoltcp style): after
// every packet in and every app call made outside a stack callback, one setTimeout is
// (re)armed for stack.nextDeadline().
import { randomFillSync } from 'node:crypto';
import { Clock, RandomSource } from '../../firmware/tcp/platform';
import { Stack } from '../../firmware/tcp/stack';
import { Cancel, Scheduler } from '../../firmware/apps/scheduler';

export const nodeClock: Clock = { now: () => Math.floor(performance.now()) };

export const nodeRandom: RandomSource = { fill: (bytes) => { randomFillSync(bytes); } };

export class Driver {
  private timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for (-1: none). */
  private armedFor = -1;
  private stopped = false;
  /** App timers not yet run, cleared by stop() so the process can exit at once. */
  private readonly appTimers = new Set<NodeJS.Timeout>();
  /** poll() calls, for the stats. */
  polls = 0;

  constructor(readonly stack: Stack, readonly clock: Clock) {
    stack.setWake(this.wake);
  }

  /** Exceptions the app's callbacks threw (the stack finished its work first). */
  appErrors = 0;

  /** Hands one received packet to the stack. */
  receive(packet: Uint8Array): void {
    if (this.stopped) return;
    try {
      this.stack.receive(packet, packet.length);
    } catch (err) {
      this.appFailed(err);
    }
    this.rearm();
  }

  /** An app callback threw: the stack has done its work; report and go on serving. */
  private appFailed(err: unknown): void {
    this.appErrors++;
    process.stderr.write(`slotcp: an app callback threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  }

  /** The stack asked for a delivery: poll as soon as the event loop may. */
  private readonly wake = (): void => {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.armedFor = -2;
    this.timer = setTimeout(this.fire, 0);
  };

  /** Runs app code that may call into the stack from outside its callbacks. */
  call(fn: () => void): void {
    try {
      fn();
    } finally {
      this.rearm();
    }
  }

  /** Arms the one timer for the stack's next deadline, unless it already is. */
  rearm(): void {
    if (this.stopped) return;
    const due = this.stack.nextDeadline();
    if (due === this.armedFor && (due < 0 || this.timer !== undefined)) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = due;
    if (due < 0) return;
    this.timer = setTimeout(this.fire, Math.max(0, due - this.clock.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = -1;
    if (this.stopped) return;
    this.polls++;
    try {
      this.stack.poll();
    } catch (err) {
      this.appFailed(err);
    }
    this.rearm();
  };

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.appTimers) clearTimeout(t);
    this.appTimers.clear();
  }

  /** App timers for the services (hold:MS), re-arming the stack's timer after each. */
  scheduler(): Scheduler {
    return {
      now: () => this.clock.now(),
      after: (ms: number, fn: () => void): Cancel => {
        const timer = setTimeout(() => {
          this.appTimers.delete(timer);
          if (!this.stopped) this.call(fn);
        }, ms);
        this.appTimers.add(timer);
        return { cancel: () => { clearTimeout(timer); this.appTimers.delete(timer); } };
      },
    };
  }
}
