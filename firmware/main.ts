// slotcp's demo app: slotcp (slotcp/start) with the example services named in the
// manifest's config, and every few seconds a one-line summary when something changed.
import Timer from 'timer';
import { startService } from 'slotcp/apps/services';
import { startSlotcp } from 'slotcp/start';
import { formatIpv4 } from 'slotcp/tcp/wire';

const slotcp = startSlotcp();
const { stack, settings } = slotcp;
const keepalive = settings.keepalive?.split(',').map(Number);
const context = {
  layer: slotcp.layer,
  scheduler: slotcp.scheduler,
  listen: keepalive ? { keepalive: { idleMs: keepalive[0], intervalMs: keepalive[1], count: keepalive[2] } } : {},
};
const services = settings.services ?? [];
for (const spec of services) {
  const colon = spec.indexOf(':');
  startService(context, Number(spec.slice(0, colon)), spec.slice(colon + 1));
}
const memory = stack.memory();
trace(`slotcp: ${formatIpv4(stack.config.localAddr)} serving ${services.join(' ')}; ${stack.config.slots} slots, `
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
