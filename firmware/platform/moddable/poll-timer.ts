// Drives stack.poll() from one Moddable Timer at the time stack.nextDeadline() asks for.
import type { Clock } from '../../tcp/platform';
import type { Stack } from '../../tcp/stack';
import Timer from 'timer';

/** When the stack has no deadline, or a far one, the timer still fires this often, which
 *  keeps TicksClock within Time.ticks' wrap and bounds the delay of a retransmission
 *  timer armed by an app call made outside the stack's callbacks (call reschedule()
 *  after such calls to avoid it). */
const DEFAULT_MAX_INTERVAL_MS = 1000;
/** Repeat interval that keeps the timer allocated between reschedules. */
const PARKED_MS = 0x3fffffff;

export class PollTimer {
  private readonly timer: Timer;

  constructor(
    private readonly stack: Stack,
    private readonly clock: Clock,
    private readonly maxIntervalMs: number = DEFAULT_MAX_INTERVAL_MS,
  ) {
    this.timer = Timer.repeat(() => this.fire(), PARKED_MS);
    stack.setWake(() => Timer.schedule(this.timer, 0, PARKED_MS));
    this.reschedule();
  }

  /** Re-arms the timer for the stack's next deadline. Call it after packets went to the
   *  stack (LwipPacketPort's afterReceive) and after app calls made outside the stack's
   *  callbacks. */
  reschedule(): void {
    const deadline = this.stack.nextDeadline();
    let delay = this.maxIntervalMs;
    if (deadline >= 0) delay = Math.max(0, Math.min(delay, deadline - this.clock.now()));
    Timer.schedule(this.timer, delay, PARKED_MS);
  }

  /** Stops for good. */
  stop(): void {
    this.stack.setWake(undefined);
    Timer.clear(this.timer);
  }

  private fire(): void {
    this.stack.poll();
    this.reschedule();
  }
}
