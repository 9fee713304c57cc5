// slotcp's cost on its own XS host (xs-host/), the engine the boards run: per 1460-byte
// in-order segment (received, checksummed, read by the app, ACKed) and per full connection
// (open, 100 B each way, server close, TIME-WAIT), stack only, with the portable byte
// primitives (jsBytes) and with the boards' C ones (slotcp_bytes.c, which the host
// registers as slotcpNativeBytes). The one place these are measured: `npm run bench`,
// `npm run bench:bytes` and `npm run bench:device` print what it returns.
//
// - x86-64, natively: wall-clock ns per operation (nanoseconds(), CLOCK_MONOTONIC); each
//   figure is the median of `rounds` rounds in one process, then the median over
//   `processes` processes.
// - lx106 under QEMU with -icount shift=0: executed instructions per operation (CCOUNT
//   ticks × 25), deterministic, so one round.
//
// In every round the work runs on a fresh ChurnDriver (host-test/support/churn.ts, the client model
// of Node's and lwIP's figures in `npm run bench`) with the stack, then on another whose
// client only builds its packets (and whose app reads nothing); the difference is the
// stack's cost with the app's calls into it (as in bench:xs, whose computrons are the
// deterministic check on xsnap).
import { bundleSourceForXs } from '../host/xs/xsnap-runner';
import { XsHostToolMissing, runOnXsHost } from '../host/xs/xs-host-runner';

export type Primitives = 'js' | 'native';
export const PRIMITIVES: readonly Primitives[] = ['js', 'native'];

/** Cost per operation: ns on x86-64, instructions on lx106. */
export interface OperationCost {
  segment: number;
  connection: number;
}

export type XsHostCosts = Record<Primitives, OperationCost>;

export interface XsTimeOptions {
  /** Segments and connections a round. */
  segments: number;
  connections: number;
  rounds: number;
  processes: number;
}

export const DEFAULT_XS_TIME: XsTimeOptions = { segments: 2000, connections: 1000, rounds: 7, processes: 3 };

/** The workload as an XS bundle's source: `counter` reads the clock (nanoseconds on
 *  Linux) or the instruction counter (ccount on lx106); prints one COST line. */
function workloadSource(counter: 'nanoseconds' | 'ccount', segments: number, connections: number, rounds: number): string {
  // ccount() is a 32-bit counter: the difference is taken modulo 2^32.
  const elapsed = counter === 'ccount' ? '(ccount() - start) >>> 0' : 'nanoseconds() - start';
  return `
  import { ChurnDriver, churnConfig, streamConfig } from './host-test/support/churn';
  declare const print: (text: string) => void;
  declare const ${counter}: () => number;
  const g = globalThis as any;
  const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];
  const measure = (work: () => void) => { const start = ${counter}(); work(); return ${elapsed}; };
  // Per operation: the work with a fresh client and stack less the same work with the
  // client only building its packets; the median of the rounds.
  const perOp = (make: () => ChurnDriver, work: (c: ChurnDriver, count: number) => void, count: number) => {
    work(make(), 20); // warm the paths
    const rounds: number[] = [];
    for (let r = 0; r < ${rounds}; r++) {
      const full = make();
      const client = make();
      client.buildOnly = true;
      rounds.push((measure(() => work(full, count)) - measure(() => work(client, count))) / count);
    }
    return median(rounds);
  };
  const costs: Record<string, { segment: number; connection: number }> = {};
  for (const name of ['js', 'native']) {
    const bytes = name === 'native' ? g.slotcpNativeBytes : undefined;
    if (name === 'native' && bytes === undefined) throw new Error('no slotcpNativeBytes on this host');
    let port = 2000;
    const segment = perOp(() => {
      const c = new ChurnDriver(streamConfig, 1460, false, bytes);
      if (!c.openStream()) throw new Error('the streaming connection did not open');
      return c;
    }, (c, count) => { if (c.stream(count) !== count) throw new Error('stream failed'); }, ${segments});
    const connection = perOp(() => new ChurnDriver(churnConfig, 100, false, bytes), (c, count) => {
      if (c.churn(count, port) !== count) throw new Error('churn failed');
      port += count;
    }, ${connections});
    costs[name] = { segment, connection };
  }
  print('COST ' + JSON.stringify(costs));
`;
}

function costLine(prints: string[]): XsHostCosts {
  const line = prints.find((l) => l.startsWith('COST '));
  if (line === undefined) throw new Error(`no COST line in ${prints.join('\n')}`);
  return JSON.parse(line.slice(5)) as XsHostCosts;
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];

export interface XsTime {
  /** Median over the processes of each process's median, ns per operation. */
  ns: XsHostCosts;
  /** Each process's figures. */
  runs: XsHostCosts[];
  options: XsTimeOptions;
}

/** Wall-clock ns per operation on the x86-64 XS host (built first if needed). */
export async function measureXsTime(options: XsTimeOptions = DEFAULT_XS_TIME): Promise<XsTime> {
  const code = await bundleSourceForXs(workloadSource('nanoseconds', options.segments, options.connections, options.rounds));
  const runs: XsHostCosts[] = [];
  for (let p = 0; p < options.processes; p++) {
    const run = await runOnXsHost(code, { target: 'x86_64', timeoutMs: 15 * 60_000 });
    if (!run.ok) throw new Error(`the x86-64 XS host: ${run.error}`);
    runs.push(costLine(run.prints));
  }
  const pick = (p: Primitives, what: keyof OperationCost) => median(runs.map((r) => r[p][what]));
  const ns = { js: { segment: pick('js', 'segment'), connection: pick('js', 'connection') },
    native: { segment: pick('native', 'segment'), connection: pick('native', 'connection') } };
  return { ns, runs, options };
}

/** Under -icount shift=0 one CCOUNT tick is 25 instructions (the sim core's CCOUNT runs
 *  at 40 MHz, and every instruction takes 1 ns of virtual time). */
export const LX106_INSTRUCTIONS_PER_TICK = 25;

/** Executed lx106 instructions per operation under QEMU (deterministic: one round). */
export async function measureLx106(count = 1000): Promise<{ instructions: XsHostCosts; wallMs: number }> {
  const code = await bundleSourceForXs(workloadSource('ccount', count, count, 1));
  const run = await runOnXsHost(code, { target: 'lx106', qemuArgs: ['-icount', 'shift=0'], timeoutMs: 30 * 60_000 });
  if (!run.ok) throw new Error(`lx106: ${run.error}`);
  const ticks = costLine(run.prints);
  const scale = (c: OperationCost) => ({ segment: c.segment * LX106_INSTRUCTIONS_PER_TICK, connection: c.connection * LX106_INSTRUCTIONS_PER_TICK });
  return { instructions: { js: scale(ticks.js), native: scale(ticks.native) }, wallMs: run.wallMs };
}

/** Why the XS host figures are missing, and how to get them. The runner builds the host
 *  itself (once per source hash, about 30 s) when its tools are installed. */
export function xsHostUnavailable(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof XsHostToolMissing) {
    return `${message}; once installed, the bench builds the XS host itself (by hand: \`make -C xs-host\`; README "The board's runtime on the host")`;
  }
  return `${message.split('\n').slice(0, 3).join(' ')} (the host is built by \`make -C xs-host\`; README "The board's runtime on the host")`;
}
