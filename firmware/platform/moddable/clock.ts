// The device Clock: milliseconds from Moddable's Time.ticks.
import type { Clock } from '../../tcp/platform';
import Time from 'time';

/** Time.ticks on ESP32/ESP8266 is the board's 32-bit millisecond counter (it wraps after
 *  49.7 days, and reads negative after 24.8). now() adds up the ticks modulo 2^32 since
 *  the previous call, so it never goes backwards as long as it is called at least once
 *  every 49 days (PollTimer does). Starts at the board's uptime. */
export class TicksClock implements Clock {
  private last: number;
  private total: number;

  constructor() {
    this.last = Time.ticks >>> 0;
    this.total = this.last;
  }

  now(): number {
    const ticks = Time.ticks >>> 0;
    this.total += (ticks - this.last) >>> 0;
    this.last = ticks;
    return this.total;
  }
}
