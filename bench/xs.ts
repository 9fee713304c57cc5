// `npm run bench:xs`: slotcp's cost on the XS engine, from XS's deterministic meter
// (computrons: XS's count of executed work, identical on every run and machine), and the
// XS heap a stack takes as a function of its slots and TIME-WAIT capacity.
import { XsSession, bundleSourceForXs } from '../host/xs/xsnap-runner';
import { measureServiceHeap } from '../host-test/support/service-heap';
import { SLOT_BYTES_32, creation, measureBoards, readManifest } from '../host-test/support/board-budget';

const setup = `
  import { ChurnDriver } from './host-test/support/churn';
  import { Stack } from './firmware/tcp/stack';
  (globalThis as any).ChurnDriver = ChurnDriver;
  (globalThis as any).Stack = Stack;
`;

async function main(): Promise<void> {
  const worker = await XsSession.start();
  const evaluate = async (code: string) => {
    const r = await worker.evaluate(code);
    if (!r.ok) throw new Error(`XS: ${r.error}`);
    return { ...r.meter, prints: r.prints };
  };
  try {
    await evaluate(await bundleSourceForXs(setup));
    const config = '{ slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 }';
    // Computrons of `work` with the stack, minus the same work with the client model
    // only building its packets (its cost is not the stack's).
    const stackCost = async (prepare: string, work: string, count: number) => {
      await evaluate(`globalThis.d = ${prepare}; d.buildOnly = false; ${work.replace(/COUNT/g, '5')}`); // warm paths
      const full = (await evaluate(`globalThis.d = ${prepare}; ${work.replace(/COUNT/g, String(count))}`)).compute;
      const client = (await evaluate(`globalThis.d = ${prepare}; d.buildOnly = true; ${work.replace(/COUNT/g, String(count))}`)).compute;
      return Math.round((full - client) / count);
    };
    const n = 1000;
    const handshake = await stackCost(`new ChurnDriver(${config})`,
      'for (let i = 0; i < COUNT; i++) { const h = d.handshake(2000 + i, i * 1000); if (h >= 0) d.stack.abort(h); }', n);
    const connection = await stackCost(`new ChurnDriver(${config})`, 'd.churn(COUNT, 2000)', n);
    const segment = await stackCost(`new ChurnDriver({ mss: 1460, rxBytes: 8192, txBytes: 4096 }, 1460)`,
      'const h = d.openForStreaming(5000); for (let i = 0; i < COUNT; i++) d.streamSegment(h)', n);

    // Heap: slots in use after a full collection, around 10,000 connections.
    await evaluate(`globalThis.d = new ChurnDriver(${config}); d.churn(10); gc()`);
    const heapBefore = (await evaluate('gc()')).heapCount;
    const heapAfter = (await evaluate('d.churn(10000, 3000); gc()')).heapCount;
    const perEvaluation = (await evaluate('gc()')).heapCount - heapAfter;

    console.log('slotcp on XS (xsnap-worker from @agoric/xsnap; computrons are deterministic)');
    console.log('');
    console.log('| work (stack only, client model subtracted) | computrons |');
    console.log('|---|---|');
    console.log(`| handshake (SYN in, SYN-ACK out, ACK in, accept) | ${handshake} |`);
    console.log(`| 1460-byte data segment received, read by the app, ACKed | ${segment} |`);
    console.log(`| full connection (open, 100 B in, 100 B echoed, server close, TIME-WAIT) | ${connection} |`);
    console.log('');
    console.log(`XS heap (slots in use after gc) before 10,000 connections: ${heapBefore}, after: ${heapAfter}`
      + ` (each evaluation itself leaves ${perEvaluation}; growth from the connections: ${heapAfter - heapBefore - perEvaluation})`);
    console.log('');
    console.log('| slots | TIME-WAIT records | rx/tx per slot | XS slots for the stack objects | typed-array bytes (Stack.memory()) |');
    console.log('|---|---|---|---|---|');
    for (const [slots, tw, buffer] of [[1, 0, 536], [4, 16, 1072], [8, 16, 1072], [8, 64, 5840], [16, 64, 5840], [32, 256, 5840]]) {
      const before = (await evaluate('globalThis.st = undefined; globalThis[Symbol.for("slotcp.defaultLayer")] = undefined; gc()')).heapCount;
      const after = (await evaluate(`globalThis.st = new Stack({ localAddr: 0xc0000202, slots: ${slots}, timeWaitCapacity: ${tw},
        rxBytes: ${buffer}, txBytes: ${buffer}, mss: 536 }, { send() {} }, { now: () => 0 }, { fill(b) { b.fill(1); } }); gc()`)).heapCount;
      const total = (await evaluate('print(String(st.memory().total))')).prints[0];
      console.log(`| ${slots} | ${tw} | ${buffer} | ${after - before - perEvaluation} | ${total} |`);
    }
  } finally {
    await worker.close();
  }

  // The board app at start-up (firmware/main.ts's, with each platform's profile from
  // manifest.json), in 32-bit bytes, against the XS memory its creation asks for.
  const manifest = readManifest();
  console.log('');
  console.log('| board | profile | XS slots: stack / whole app at start-up | typed arrays: stack / whole app | XS stack (creation) | slotcp total | creation: chunk + (heap + stack) × 16 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const b of await measureBoards(['esp', 'esp32'])) {
    const c = creation(manifest, b.platform);
    const total = b.appSlots * SLOT_BYTES_32 + b.appChunkBytes + c.stack * SLOT_BYTES_32;
    const asked = c.chunk.initial + (c.heap.initial + c.stack) * SLOT_BYTES_32;
    const p = b.profile;
    const share = b.platform === 'esp' ? ` (${(100 * total / 32768).toFixed(1)}% of static 32,768)` : '';
    console.log(`| ${b.platform} | ${p.slots} × ${p.rxBytes}/${p.txBytes} B, ${p.timeWaitCapacity} TIME-WAIT | ${b.stackSlots} / ${b.appSlots}`
      + ` (${b.appSlots * SLOT_BYTES_32} B) | ${b.stackChunkBytes} / ${b.appChunkBytes} B | ${c.stack} slots (${c.stack * SLOT_BYTES_32} B)`
      + ` | ${total} B${share} | ${asked} B |`);
  }

  // The example services: XS heap slots taken by 1,000 whole requests after a warm-up,
  // garbage included (read right after a gc()), less what an empty evaluation takes.
  console.log('');
  console.log('Example services on XS (firmware/apps), 1,000 requests each after a warm-up:');
  for (const r of await measureServiceHeap(1000)) {
    const what = r.spec === 'http' ? `http ${JSON.stringify(r.request.split('\r\n')[0])}${r.config === '{}' ? '' : ` ${r.config}`}` : r.spec;
    console.log(`${what}: heap growth over 1,000 requests: ${r.allocated}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
