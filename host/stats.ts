// The runner's state as JSON (--stats FILE, on exit and on SIGUSR1): the stack's config,
// counters, slot and TIME-WAIT tables, plus each service's and the link's own counts.
import { Stack } from '../firmware/tcp/stack';
import { formatIpv4 } from '../firmware/tcp/wire';
import { Service } from '../firmware/apps/service';
import { replaceFile } from './files';

export interface StatsSources {
  stack: Stack;
  services: Service[];
  /** Further plain-number groups (link, impairment, pcap...). */
  extra: Record<string, object>;
  startedMs: number;
  nowMs: number;
}

/** Every config field, set or inherited from the defaults (makeConfig's config holds only
 *  the fields set as its own properties, so a spread would miss the rest). */
function configFields(config: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key in config) fields[key] = (config as Record<string, unknown>)[key];
  return fields;
}

export function statsSnapshot(src: StatsSources) {
  const { stack } = src;
  const config = stack.config;
  return {
    time: new Date().toISOString(),
    uptimeMs: src.nowMs - src.startedMs,
    addr: formatIpv4(config.localAddr),
    config: { ...configFields(config), localAddr: formatIpv4(config.localAddr) },
    memory: stack.memory(),
    usage: stack.usage(),
    counters: stack.counters.snapshot(),
    connections: stack.connections().map((c) => ({
      state: c.state,
      local: c.localPort,
      remote: `${formatIpv4(c.remoteAddr)}:${c.remotePort}`,
      rxQueued: c.rxQueued,
      txQueued: c.txQueued,
      inSlot: c.handle >= 0,
    })),
    services: src.services.map((s) => ({ port: s.port, name: s.name, ...s.stats })),
    ...Object.fromEntries(Object.entries(src.extra).map(([k, v]) => [k, { ...v }])),
  };
}

/** Writes the JSON to `path` whole (through a temporary file with an unguessable name,
 *  mode 0600, and a rename: see files.ts), so a reader never sees half a file. Throws
 *  the system error when it cannot. */
export function writeStats(path: string, snapshot: object): void {
  replaceFile(path, JSON.stringify(snapshot, null, 2) + '\n');
}
