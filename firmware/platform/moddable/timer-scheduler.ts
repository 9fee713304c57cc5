// The services' Scheduler (apps/scheduler.ts) on Moddable: one Timer per request. After
// the callback, which may have called into the stack (close, write), the poll timer is
// re-armed for the stack's next deadline.
import type { Cancel, Scheduler } from '../../apps/scheduler';
import type { Clock } from '../../tcp/platform';
import Timer from 'timer';

export class TimerScheduler implements Scheduler {
  constructor(private readonly clock: Clock, private readonly afterCallback: () => void) {}

  now(): number {
    return this.clock.now();
  }

  after(ms: number, fn: () => void): Cancel {
    const timer = Timer.set(() => {
      fn();
      this.afterCallback();
    }, ms);
    return { cancel: () => Timer.clear(timer) };
  }
}
