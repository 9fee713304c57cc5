// The command line of `slotcp serve` and `slotcp tun`: flags → a checked ServeOptions.
// Every mistake is a UsageError (exit status 2) naming the flag.
import { ConfigError, NumericConfigKey, StackConfig, defaultConfig, makeConfig } from '../../firmware/tcp/config';
import { formatIpv4, parseIpv4 } from '../../firmware/tcp/wire';
import { ServiceSpecError, checkServiceSpec } from '../../firmware/apps/services';
import { ListenOptions } from '../../firmware/tcp/stack';
import { Flag, UsageError, parseCommandLine } from '../args';
import { ImpairConfig, parseImpair } from '../link/impair';
import { Endpoint } from '../link/udp';

export interface ServeOptions {
  link: { bind: Endpoint; peer: Endpoint };
  /** The full stack config (defaults applied, checked). */
  config: StackConfig;
  services: { port: number; spec: string }[];
  keepalive?: ListenOptions['keepalive'];
  pcap?: string;
  stats?: string;
  /** --overwrite: --pcap and --stats may replace an existing regular file (never a symlink). */
  overwrite: boolean;
  /** --trace: one line per segment in, out and dropped on stdout (host/trace.ts). */
  trace: boolean;
  impair?: ImpairConfig;
  /** tun only: the namespace to create. */
  netns?: string;
  /** tun only: the flags to hand to serve (all but --netns, each as --name=value). */
  forward: string[];
}

/** The services when no --listen is given (`npm start`). */
export const defaultServices = ['7:echo', '9:discard', '19:source:1048576', '80:http', '5000:hold:2000', '5001:closer'];

/** The host runner's defaults where they differ from the board's: room for a desktop's
 *  traffic (the TUN's MTU of 1500 fits an MSS of 1460; rx stays below 65535, as slotcp
 *  never scales its own window), and Linux's 200 ms RTO floor (the board keeps RFC 6298's
 *  1 s), so that a lossy link recovers at the speed the clients expect. */
export const hostDefaults = { slots: 16, rxBytes: 16384, txBytes: 16384, mss: 1460, timeWaitCapacity: 64, mslMs: 30000, rtoMinMs: 200 };

export const defaultLink = 'udp:127.0.0.1:9001:127.0.0.1:9000';

export function usageText(command: 'serve' | 'tun'): string {
  const link = command === 'serve' ? ` [--link udp:BIND_HOST:BIND_PORT:PEER_HOST:PEER_PORT]` : ' [--netns NAME]';
  return `usage: slotcp ${command}${link} [--addr A.B.C.D]
         [--listen PORT:SERVICE[:ARG]]... [--slots N] [--rx BYTES] [--tx BYTES] [--mss BYTES]
         [--timewait N] [--msl MS] [--rto-min MS] [--sack on|off]
         [--keepalive IDLE_MS,INTERVAL_MS,COUNT] [--pcap FILE]
         [--impair loss=P,dup=P,reorder=P,seed=N] [--stats FILE] [--overwrite] [--trace]
--pcap and --stats make new files (mode 0600); --overwrite lets them replace an existing
regular file (a symbolic link is never followed); --trace prints every segment in and out
and every drop with its reason, one line each (tcpdump-like)
services: echo, discard, source:BYTES, http, hold:MS, closer, and example-http (the
ECMA-419 example app's HTTP/1.1 server, examples/http-server)
defaults: --addr 192.0.2.2 --slots ${hostDefaults.slots} --rx ${hostDefaults.rxBytes} --tx ${hostDefaults.txBytes} --mss ${hostDefaults.mss} --timewait ${hostDefaults.timeWaitCapacity} --msl ${hostDefaults.mslMs}
          --rto-min ${hostDefaults.rtoMinMs} --sack on${command === 'serve' ? ` --link ${defaultLink}` : ''}
          ${defaultServices.map((s) => `--listen ${s}`).join(' ')}`;
}

const numeric: Record<string, NumericConfigKey> = {
  slots: 'slots', rx: 'rxBytes', tx: 'txBytes', mss: 'mss', timewait: 'timeWaitCapacity', msl: 'mslMs', 'rto-min': 'rtoMinMs',
};
const serveFlags = [...Object.keys(numeric), 'link', 'addr', 'listen', 'keepalive', 'pcap', 'stats', 'impair', 'sack'];

/** An IPv4 address in the one form the kernel reports it (rinfo.address, /proc): a dotted
 *  quad without leading zeros. '127.000.0.01' would be accepted by a lenient parser and
 *  then never equal the address datagrams come from. Returns -1 for anything else. */
export function parseCanonicalIpv4(text: string): number {
  const addr = parseIpv4(text);
  return addr >= 0 && formatIpv4(addr) === text ? addr : -1;
}

/** The checked address, or a UsageError: "FLAG must be a dotted quad...". */
function canonicalIpv4(text: string, what: string): number {
  const addr = parseCanonicalIpv4(text);
  if (addr < 0 && parseIpv4(text) >= 0) throw new UsageError(`${what} must be a dotted quad without leading zeros, got '${text}'`);
  return addr;
}

function loopbackEndpoint(host: string, port: string, what: string): Endpoint {
  const addr = canonicalIpv4(host, `--link: ${what} host`);
  if (addr < 0 || addr >>> 24 !== 127) throw new UsageError(`--link: ${what} host must be a 127.x.x.x address (traffic stays on this machine), got '${host}'`);
  if (!/^[0-9]+$/.test(port) || Number(port) > 65535) throw new UsageError(`--link: ${what} port must be 0..65535, got '${port}'`);
  return { host, port: Number(port) };
}

function parseLink(text: string): ServeOptions['link'] {
  const parts = text.split(':');
  if (parts.length !== 5 || parts[0] !== 'udp') throw new UsageError(`--link must be udp:BIND_HOST:BIND_PORT:PEER_HOST:PEER_PORT, got '${text}'`);
  const peer = loopbackEndpoint(parts[3], parts[4], 'peer');
  if (peer.port === 0) throw new UsageError('--link: the peer port cannot be 0');
  return { bind: loopbackEndpoint(parts[1], parts[2], 'bind'), peer };
}

function parseAddr(text: string): number {
  const addr = canonicalIpv4(text, '--addr');
  const top = addr >>> 24;
  if (addr < 0 || addr === 0 || top === 0 || top === 127 || top >= 224) {
    throw new UsageError(`--addr must be a unicast IPv4 address (not 0/8, 127/8, multicast or broadcast), got '${text}'`);
  }
  return addr;
}

/** The example app's HTTP server (examples/http-server/server.ts, ECMA-419 only), served
 *  by the host runner as if it were one of the services. */
export const EXAMPLE_HTTP = 'example-http';

function parseListen(text: string): { port: number; spec: string } {
  const colon = text.indexOf(':');
  const port = text.slice(0, colon);
  const spec = text.slice(colon + 1);
  if (colon < 0 || !/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UsageError(`--listen must be PORT:SERVICE[:ARG] with PORT 1..65535, got '${text}'`);
  }
  if (spec === EXAMPLE_HTTP) return { port: Number(port), spec };
  try {
    checkServiceSpec(spec);
  } catch (err) {
    if (err instanceof ServiceSpecError) throw new UsageError(`--listen ${text}: ${err.message}`);
    throw err;
  }
  return { port: Number(port), spec };
}

function parseKeepalive(text: string): NonNullable<ServeOptions['keepalive']> {
  const parts = text.split(',');
  const ok = parts.length === 3 && parts.every((p) => /^[0-9]+$/.test(p));
  const [idleMs, intervalMs, count] = parts.map(Number);
  if (!ok || idleMs < 1 || idleMs > 0x3fffffff || intervalMs < 1 || intervalMs > 0x3fffffff || count < 1 || count > 255) {
    throw new UsageError(`--keepalive must be IDLE_MS,INTERVAL_MS,COUNT (ms 1..2^30, count 1..255), got '${text}'`);
  }
  return { idleMs, intervalMs, count };
}

/** Parses the flags of `slotcp serve` or `slotcp tun`. Returns 'help' for --help. */
export function parseServeArgs(args: string[], command: 'serve' | 'tun'): ServeOptions | 'help' {
  const names = command === 'serve' ? serveFlags : [...serveFlags.filter((f) => f !== 'link'), 'netns'];
  const specs = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
  const parsed = parseCommandLine(args, { ...specs, overwrite: { type: 'boolean' }, trace: { type: 'boolean' } }, {
    usage: usageText(command),
    hint: (raw) => (command === 'tun' && raw === '--link' ? 'tun makes its own link' : undefined),
  });
  if (parsed.help) return 'help';
  let link = parseLink(defaultLink);
  let addr = parseIpv4('192.0.2.2');
  const overrides: Partial<StackConfig> = { ...hostDefaults };
  const services: { port: number; spec: string }[] = [];
  const options: Partial<ServeOptions> = { overwrite: false, trace: false, forward: [] };
  const forward = (f: Flag) => options.forward!.push(f.value === undefined ? `--${f.name}` : `--${f.name}=${f.value}`);
  for (const f of parsed.flags) {
    const flag = f.raw;
    if (f.name !== 'netns') forward(f);
    if (f.value === undefined) {
      if (f.name === 'trace') options.trace = true; // the boolean flags
      else options.overwrite = true;
      continue;
    }
    const value = f.value;
    const key = numeric[f.name];
    if (key) {
      if (!/^[0-9]+$/.test(value)) throw new UsageError(`${flag} needs a whole number, got '${value}'`);
      overrides[key] = Number(value);
      continue;
    }
    switch (flag) {
      case '--link': link = parseLink(value); break;
      case '--addr': addr = parseAddr(value); break;
      case '--listen': services.push(parseListen(value)); break;
      case '--keepalive': options.keepalive = parseKeepalive(value); break;
      case '--pcap': options.pcap = value; break;
      case '--stats': options.stats = value; break;
      case '--sack':
        if (value !== 'on' && value !== 'off') throw new UsageError(`--sack must be on or off, got '${value}'`);
        overrides.sack = value === 'on';
        break;
      case '--netns':
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(value)) throw new UsageError(`--netns must be a plain name (letters, digits, _ . -), got '${value}'`);
        options.netns = value;
        break;
      case '--impair': {
        const impair = parseImpair(value);
        if (typeof impair === 'string') throw new UsageError(impair);
        options.impair = impair;
        break;
      }
    }
  }
  if (options.pcap !== undefined && options.pcap === options.stats) throw new UsageError('--pcap and --stats name the same file');
  if (services.length === 0) services.push(...defaultServices.map(parseListen));
  const ports = new Set<number>();
  for (const s of services) {
    if (ports.has(s.port)) throw new UsageError(`--listen: port ${s.port} given twice`);
    ports.add(s.port);
  }
  if (command === 'tun' && (addr >>> 8 !== 0xc00002 || (addr & 0xff) < 2 || (addr & 0xff) > 254)) {
    throw new UsageError('--addr: slotcp tun puts the kernel at 192.0.2.1/24, so the address must be 192.0.2.2 to 192.0.2.254');
  }
  const rtoMin = overrides.rtoMinMs ?? hostDefaults.rtoMinMs;
  if (rtoMin < 1 || rtoMin > defaultConfig.rtoMaxMs) {
    throw new UsageError(`--rto-min must be from 1 to ${defaultConfig.rtoMaxMs} ms (the largest RTO), got ${rtoMin}`);
  }
  // The first RTO may not be below the floor: a higher --rto-min raises it too.
  if (rtoMin > defaultConfig.rtoInitialMs) overrides.rtoInitialMs = rtoMin;
  let config: StackConfig;
  try {
    config = makeConfig({ ...overrides, localAddr: addr, listeners: services.length });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(flagName(err.message));
    throw err;
  }
  return { ...options, link, config, services } as ServeOptions;
}

/** Names the flag in a config error ("slotcp config: rxBytes must be..." → "--rx: ..."). */
function flagName(message: string): string {
  for (const [flag, key] of Object.entries(numeric)) {
    if (message.includes(` ${key} `)) return `--${flag}: ${message.replace(/^slotcp config: /, '')}`;
  }
  return message;
}
