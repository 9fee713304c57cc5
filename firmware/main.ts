// slotcp's Moddable app: brings the stack up on the board's IPv4 address (the network is
// up before main runs: Moddable's setup/network joins the Wi-Fi given to mcconfig as
// ssid=... password=...), starts the example services named in the manifest's config, and
// drives the stack from one Timer. Every few seconds it traces a one-line summary when
// something changed.
import config from 'mc/config';
import Net from 'net';
import Timer from 'timer';
import { startService } from 'apps/services';
import { createPort } from 'platform/port';
import { TicksClock } from 'platform/moddable/clock';
import { PollTimer } from 'platform/moddable/poll-timer';
import { MathRandomSource } from 'platform/moddable/random';
import { TimerScheduler } from 'platform/moddable/timer-scheduler';
import { SocketLayer } from 'tcp/socket';
import { Stack } from 'tcp/stack';
import { formatIpv4, parseIpv4 } from 'tcp/wire';

interface SlotcpSettings {
  /** The stack's address; default: the board's (Net.get("IP")). */
  address?: string;
  slots?: number;
  rxBytes?: number;
  txBytes?: number;
  mss?: number;
  timeWaitCapacity?: number;
  mslMs?: number;
  /** "IDLE_MS,INTERVAL_MS,COUNT" for every listener, or absent for none. */
  keepalive?: string;
  /** PORT:SERVICE[:ARG], as `slotcp serve --listen` takes them. */
  services: string[];
  link?: { bindPort?: number; peerAddress?: string; peerPort?: number };
}

// The manifest's config.slotcp, with the platform's config.slotcpProfile laid over it
// (mcconfig merges platform config by top-level key, so the profile has its own key).
const manifestConfig = config as unknown as { slotcp: SlotcpSettings; slotcpProfile?: Partial<SlotcpSettings> };
const settings: SlotcpSettings = { ...manifestConfig.slotcp, ...manifestConfig.slotcpProfile };
const address = settings.address ?? Net.get('IP');
const localAddr = parseIpv4(address);
if (localAddr < 0) throw new Error(`slotcp: bad address '${address}'`);

const clock = new TicksClock();
const port = createPort(settings.link ?? {});
const stack = new Stack({
  localAddr, slots: settings.slots, rxBytes: settings.rxBytes, txBytes: settings.txBytes, mss: settings.mss,
  timeWaitCapacity: settings.timeWaitCapacity, mslMs: settings.mslMs, listeners: settings.services.length,
}, port, clock, new MathRandomSource());
const poller = new PollTimer(stack, clock);
const keepalive = settings.keepalive?.split(',').map(Number);
const context = {
  layer: new SocketLayer(stack),
  scheduler: new TimerScheduler(clock, () => poller.reschedule()),
  listen: keepalive ? { keepalive: { idleMs: keepalive[0], intervalMs: keepalive[1], count: keepalive[2] } } : {},
};
port.start(stack, localAddr, { afterReceive: () => poller.reschedule() });
for (const spec of settings.services) {
  const colon = spec.indexOf(':');
  const servicePort = Number(spec.slice(0, colon));
  startService(context, servicePort, spec.slice(colon + 1));
  if (!port.addPort(servicePort)) trace(`slotcp: no room in the packet filter for port ${servicePort}\n`);
}
const memory = stack.memory();
trace(`slotcp: ${formatIpv4(localAddr)} serving ${settings.services.join(' ')}; ${stack.config.slots} slots, `
  + `${stack.config.timeWaitCapacity} TIME-WAIT records, ${memory.total} bytes\n`);

// A one-line summary of the connection table and counters, when it changed.
let last = '';
Timer.repeat(() => {
  const usage = stack.usage();
  const c = stack.counters;
  const line = `slotcp: ${usage.slotsInUse} open, ${usage.timeWait} TIME-WAIT; segments in ${c.segmentsIn} out `
    + `${c.segmentsOut}; resets sent ${c.resetsSent}; dropped ${c.droppedSlotsFull} (slots full) `
    + `${c.droppedBadChecksum} (checksum); TIME-WAIT evicted ${c.timeWaitEvicted}`;
  if (line !== last) trace(`${line}\n`);
  last = line;
}, 5000);
