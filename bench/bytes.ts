// `npm run bench:bytes`: what the byte primitives (firmware/tcp/bytes.ts) change on XS, in
// wall-clock time on slotcp's own XS host (xs-host/, x86-64, natively): ns per 1460-byte
// segment (received, checksummed, read by the app, ACKed) and per full connection, stack
// only (the client model's own work subtracted, as in bench/xs.ts and bench/device.ts),
// with the portable jsBytes and with the boards' C primitives (slotcp_bytes.c, which the
// host registers as slotcpNativeBytes). Each figure is the median of ROUNDS rounds in one
// process, and the table the median over PROCESSES processes. A benchmark: nothing gates
// on it. Computrons (XS's deterministic meter) are in `npm run bench:xs`, which runs on
// xsnap and so only with jsBytes.
import { bundleSourceForXs } from '../host/xs/xsnap-runner';
import { runOnXsHost } from '../host/xs/xs-host-runner';

const SEGMENTS = 2000;
const CONNECTIONS = 1000;
const ROUNDS = 7;
const PROCESSES = 3;

const workload = `
  import { ChurnDriver } from './host-test/support/churn';
  declare const print: (text: string) => void;
  declare const nanoseconds: () => number;
  const g = globalThis as any;
  const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];
  const time = (work: () => void) => { const start = nanoseconds(); work(); return nanoseconds() - start; };
  // ns per operation of the work on a fresh driver, less the same work with the client
  // model only building its packets; the median of ${ROUNDS} rounds.
  const perOp = (make: () => ChurnDriver, work: (d: ChurnDriver, count: number) => void, count: number) => {
    work(make(), 20); // warm the paths
    const rounds: number[] = [];
    for (let r = 0; r < ${ROUNDS}; r++) {
      const full = make();
      const client = make();
      client.buildOnly = true;
      rounds.push((time(() => work(full, count)) - time(() => work(client, count))) / count);
    }
    return median(rounds);
  };
  const figures: Record<string, { segment: number; connection: number }> = {};
  for (const name of ['js', 'native']) {
    g.slotcpBytesUnderTest = name === 'native' ? g.slotcpNativeBytes : undefined;
    if (name === 'native' && g.slotcpBytesUnderTest === undefined) throw new Error('no slotcpNativeBytes on this host');
    const segment = perOp(() => new ChurnDriver({ mss: 1460, rxBytes: 8192, txBytes: 4096 }, 1460),
      (d, count) => { const h = d.openForStreaming(5000); for (let i = 0; i < count; i++) if (!d.streamSegment(h) && !d.buildOnly) throw new Error('stream failed'); },
      ${SEGMENTS});
    const connection = perOp(() => new ChurnDriver({ slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 }),
      (d, count) => { if (d.churn(count, 2000) !== count && !d.buildOnly) throw new Error('churn failed'); },
      ${CONNECTIONS});
    figures[name] = { segment, connection };
  }
  print('BYTES ' + JSON.stringify(figures));
`;

type Figures = Record<'js' | 'native', { segment: number; connection: number }>;

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1];
const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;

async function main(): Promise<void> {
  const code = await bundleSourceForXs(workload);
  const runs: Figures[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const run = await runOnXsHost(code, { target: 'x86_64', timeoutMs: 10 * 60_000 });
    if (!run.ok) throw new Error(`XS host: ${run.error}`);
    const line = run.prints.find((l) => l.startsWith('BYTES '));
    if (line === undefined) throw new Error(`no BYTES line in ${run.prints.join('\n')}`);
    runs.push(JSON.parse(line.slice(6)) as Figures);
  }
  const figure = (name: 'js' | 'native', what: 'segment' | 'connection') => median(runs.map((r) => r[name][what]));
  console.log(`slotcp on its XS host (x86-64, XS built -O2), wall clock, stack only (client model subtracted);`
    + ` ${SEGMENTS} segments and ${CONNECTIONS} connections a round, median of ${ROUNDS} rounds, median of ${PROCESSES} processes`);
  console.log('');
  console.log('| work | jsBytes | C primitives (slotcp_bytes.c) | ratio |');
  console.log('|---|---|---|---|');
  for (const [label, what] of [['1460-byte segment received, read by the app, ACKed', 'segment'],
    ['full connection (open, 100 B in, 100 B echoed, server close, TIME-WAIT)', 'connection']] as const) {
    const js = figure('js', what);
    const native = figure('native', what);
    console.log(`| ${label} | ${us(js)} | ${us(native)} | ${(js / native).toFixed(2)}x |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
