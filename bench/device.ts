// `npm run bench:device`: slotcp's cost on the ESP8266's CPU, from slotcp's own XS host on
// the lx106 core under QEMU (xs-host/): executed instructions per 1460-byte segment and
// per full connection (stack only: the same work with the client model only building its
// packets is subtracted, as in bench/xs.ts), and the XS memory `new Stack()` takes with
// the default config on a 32-bit machine (16-byte slots).
//
// Instructions come from CCOUNT under `-icount shift=0`: every instruction takes 1 ns of
// virtual time and the sim core's CCOUNT runs at 40 MHz, so one tick is 25 instructions.
import { bundleSourceForXs } from '../host/xs/xsnap-runner';
import { runOnXsHost, type XsHostTarget } from '../host/xs/xs-host-runner';

const COUNT = 1000;
const INSTRUCTIONS_PER_TICK = 25;
const SLOT_BYTES_32 = 16;

const workload = `
  import { ChurnDriver } from './host-test/support/churn';
  import { Stack } from './firmware/tcp/stack';
  declare const print: (text: string) => void;
  declare const ccount: () => number;
  const COUNT = ${COUNT};
  const ticks = (work: () => void) => { const start = ccount(); work(); return (ccount() - start) >>> 0; };
  // Ticks of the work on a fresh driver, less the same work with the client model only.
  const stackTicks = (make: () => ChurnDriver, work: (d: ChurnDriver, count: number) => void) => {
    work(make(), 5); // warm the paths
    const full = make();
    const client = make();
    client.buildOnly = true;
    return ticks(() => work(full, COUNT)) - ticks(() => work(client, COUNT));
  };
  const connection = stackTicks(() => new ChurnDriver({ slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 }),
    (d, count) => { if (d.churn(count, 2000) !== count && !d.buildOnly) throw new Error('churn failed'); });
  const segment = stackTicks(() => new ChurnDriver({ mss: 1460, rxBytes: 8192, txBytes: 4096 }, 1460),
    (d, count) => { const h = d.openForStreaming(5000); for (let i = 0; i < count; i++) d.streamSegment(h); });
  const construction = ticks(() => new Stack({ localAddr: 0xc0000202 }, { send() {} }, { now: () => 0 }, { fill(b: Uint8Array) { b.fill(1); } }));
  print('DEVICE ' + JSON.stringify({ connection, segment, construction }));
`;

const memory = `
  import { Stack } from './firmware/tcp/stack';
  declare const print: (text: string) => void;
  declare const gc: () => void;
  declare const currentHeapCount: () => number;
  declare const currentChunksSize: () => number;
  gc(); gc();
  const slots = currentHeapCount(), chunks = currentChunksSize();
  (globalThis as any).stack = new Stack({ localAddr: 0xc0000202 }, { send() {} }, { now: () => 0 }, { fill(b: Uint8Array) { b.fill(1); } });
  gc(); gc();
  print('MEMORY ' + JSON.stringify({ slots: currentHeapCount() - slots, chunks: currentChunksSize() - chunks }));
`;

function tagged<T>(prints: string[], tag: string): T {
  const line = prints.find((p) => p.startsWith(`${tag} `));
  if (line === undefined) throw new Error(`no ${tag} line in ${prints.join('\n')}`);
  return JSON.parse(line.slice(tag.length + 1)) as T;
}

async function run(code: string, target: XsHostTarget, qemuArgs: string[] = []): Promise<{ prints: string[]; wallMs: number }> {
  const result = await runOnXsHost(code, { target, qemuArgs, timeoutMs: 30 * 60_000 });
  if (!result.ok) throw new Error(`${target}: ${result.error}`);
  return result;
}

const millions = (ticks: number, count = 1) => `${((ticks * INSTRUCTIONS_PER_TICK) / count / 1e6).toFixed(2)} M`;
const grouped = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const cost = await run(await bundleSourceForXs(workload), 'lx106', ['-icount', 'shift=0']);
  const ticks = tagged<{ connection: number; segment: number; construction: number }>(cost.prints, 'DEVICE');
  const memoryCode = await bundleSourceForXs(memory);
  const onLx106 = tagged<{ slots: number; chunks: number }>((await run(memoryCode, 'lx106')).prints, 'MEMORY');
  const onI386 = tagged<{ slots: number; chunks: number }>((await run(memoryCode, 'i386')).prints, 'MEMORY');

  console.log(`slotcp on the lx106 core (QEMU sim, -icount shift=0, XS built -Os); ${COUNT} of each, stack only (client model subtracted)`);
  console.log('');
  console.log('| work | lx106 instructions |');
  console.log('|---|---|');
  console.log(`| 1460-byte segment | ${millions(ticks.segment, COUNT)} |`);
  console.log(`| connection | ${millions(ticks.connection, COUNT)} |`);
  console.log('');
  console.log(`new Stack(default config): ${millions(ticks.construction)} instructions;`
    + ` ${grouped(onLx106.slots)} slots x ${SLOT_BYTES_32} B + ${grouped(onLx106.chunks)} chunk bytes`
    + ` = ${grouped(onLx106.slots * SLOT_BYTES_32 + onLx106.chunks)} B on lx106`
    + ` (i386: ${grouped(onI386.slots)} slots, ${grouped(onI386.chunks)} chunk bytes)`);
  console.log(`QEMU wall time for the instruction counts: ${(cost.wallMs / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
