// `npm run bench:device`: slotcp's cost on the ESP8266's CPU, from slotcp's own XS host on
// the lx106 core under QEMU (xs-host/): executed instructions per 1460-byte segment and
// per full connection, stack only, with the portable byte primitives and with the boards'
// C ones (bench/xs-host-cost.ts measures both), and the XS memory `new Stack()` takes with
// the default config on a 32-bit machine (16-byte slots).
//
// Instructions come from CCOUNT under `-icount shift=0`: every instruction takes 1 ns of
// virtual time and the sim core's CCOUNT runs at 40 MHz, so one tick is 25 instructions.
import { bundleSourceForXs } from '../host/xs/xsnap-runner';
import { runOnXsHost, type XsHostTarget } from '../host/xs/xs-host-runner';
import { LX106_INSTRUCTIONS_PER_TICK, measureLx106 } from './xs-host-cost';

const COUNT = 1000;
const SLOT_BYTES_32 = 16;

const construction = `
  import { Stack } from './firmware/tcp/stack';
  declare const print: (text: string) => void;
  declare const ccount: () => number;
  const start = ccount();
  new Stack({ localAddr: 0xc0000202 }, { send() {} }, { now: () => 0 }, { fill(b: Uint8Array) { b.fill(1); } });
  print('CONSTRUCTION ' + JSON.stringify({ ticks: (ccount() - start) >>> 0 }));
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

const millions = (instructions: number) => `${(instructions / 1e6).toFixed(2)} M`;
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const cost = await measureLx106(COUNT);
  const built = tagged<{ ticks: number }>((await run(await bundleSourceForXs(construction), 'lx106', ['-icount', 'shift=0'])).prints, 'CONSTRUCTION');
  const memoryCode = await bundleSourceForXs(memory);
  const onLx106 = tagged<{ slots: number; chunks: number }>((await run(memoryCode, 'lx106')).prints, 'MEMORY');
  const onI386 = tagged<{ slots: number; chunks: number }>((await run(memoryCode, 'i386')).prints, 'MEMORY');

  const i = cost.instructions;
  console.log(`slotcp on the lx106 core (QEMU sim, -icount shift=0, XS built -Os); ${COUNT} of each, stack only (client model subtracted)`);
  console.log('');
  console.log('| work | lx106 instructions, jsBytes | lx106 instructions, C primitives (slotcp_bytes.c) |');
  console.log('|---|---|---|');
  console.log(`| 1460-byte segment | ${grouped(i.js.segment)} | ${grouped(i.native.segment)} |`);
  console.log(`| connection | ${grouped(i.js.connection)} | ${grouped(i.native.connection)} |`);
  console.log('');
  console.log(`new Stack(default config), in a fresh process: ${millions(built.ticks * LX106_INSTRUCTIONS_PER_TICK)} instructions;`
    + ` ${grouped(onLx106.slots)} slots x ${SLOT_BYTES_32} B + ${grouped(onLx106.chunks)} chunk bytes`
    + ` = ${grouped(onLx106.slots * SLOT_BYTES_32 + onLx106.chunks)} B on lx106`
    + ` (i386: ${grouped(onI386.slots)} slots, ${grouped(onI386.chunks)} chunk bytes)`);
  console.log(`QEMU wall time for the per-operation counts: ${(cost.wallMs / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
