// slotcp/start: brings slotcp up on a Moddable board or the lin simulator, once. It reads
// the including app's config (mc/config's `slotcp`, with the platform's `slotcpProfile`
// laid over it: mcconfig merges platform config by top-level key), makes the stack on
// the board's address (the network is up before main runs), and drives it from one
// Timer, with the platform's byte primitives (C on esp and esp32). Later calls return
// the same instance. ECMA-419's Listener (slotcp/listener) calls it, so an app that only
// uses the standard classes needs nothing else.
import config from 'mc/config';
import Net from 'net';
import { createPort, platformBytes } from 'slotcp/platform/port';
import type { DevicePort, LinkSettings } from './platform/device-port';
import { TicksClock } from './platform/moddable/clock';
import { PollTimer } from './platform/moddable/poll-timer';
import { MathRandomSource } from './platform/moddable/random';
import { TimerScheduler } from './platform/moddable/timer-scheduler';
import { SocketLayer } from './tcp/socket';
import { Stack } from './tcp/stack';
import { parseIpv4 } from './tcp/wire';

export interface SlotcpSettings {
  /** The stack's address; default: the board's (Net.get("IP")). */
  address?: string;
  slots?: number;
  rxBytes?: number;
  txBytes?: number;
  mss?: number;
  timeWaitCapacity?: number;
  mslMs?: number;
  /** Listening ports at most (default 4). */
  listeners?: number;
  /** "IDLE_MS,INTERVAL_MS,COUNT" for the example services' listeners, or absent. */
  keepalive?: string;
  /** The example services (PORT:SERVICE[:ARG]) the demo app starts. */
  services?: string[];
  link?: LinkSettings;
}

export interface Slotcp {
  readonly settings: SlotcpSettings;
  readonly stack: Stack;
  readonly layer: SocketLayer;
  readonly port: DevicePort;
  readonly clock: TicksClock;
  readonly poller: PollTimer;
  /** Timers for app code that calls into the stack (re-arms the poll timer after). */
  readonly scheduler: TimerScheduler;
}

/** Where the running instance is kept: on the global object, because Moddable freezes a
 *  preloaded module's own variables. */
const RUNNING = Symbol.for('slotcp.running');

export function startSlotcp(): Slotcp {
  const global = globalThis as Record<symbol, Slotcp | undefined>;
  const running = global[RUNNING];
  if (running !== undefined) return running;
  const manifestConfig = config as unknown as { slotcp?: SlotcpSettings; slotcpProfile?: Partial<SlotcpSettings> };
  const settings: SlotcpSettings = { ...manifestConfig.slotcp, ...manifestConfig.slotcpProfile };
  const address = settings.address ?? Net.get('IP');
  const localAddr = parseIpv4(address);
  if (localAddr < 0) throw new Error(`slotcp: bad address '${address}'`);
  const clock = new TicksClock();
  const port = createPort(settings.link ?? {});
  const stack = new Stack({
    localAddr, slots: settings.slots, rxBytes: settings.rxBytes, txBytes: settings.txBytes, mss: settings.mss,
    timeWaitCapacity: settings.timeWaitCapacity, mslMs: settings.mslMs,
    listeners: settings.listeners ?? Math.max(4, settings.services?.length ?? 0),
  }, port, clock, new MathRandomSource(), platformBytes);
  const poller = new PollTimer(stack, clock);
  const layer = new SocketLayer(stack);
  port.start(stack, localAddr, { afterReceive: () => poller.reschedule() });
  const scheduler = new TimerScheduler(clock, () => poller.reschedule());
  const slotcp: Slotcp = { settings, stack, layer, port, clock, poller, scheduler };
  global[RUNNING] = slotcp;
  return slotcp;
}
