// `npm run bench:xs`: slotcp's cost on the XS engine, from XS's deterministic meter
// (computrons: XS's count of executed work, identical on every run and machine), and the
// XS heap a stack takes as a function of its slots and TIME-WAIT capacity.
import { XsSession, bundleSourceForXs } from '../host/xs/xsnap-runner';
import { measureServiceHeap } from '../host-test/support/service-heap';

const setup = `
  import { ChurnDriver } from './host-test/support/churn';
  import { Stack } from './firmware/tcp/stack';
  import { SocketLayer } from './firmware/tcp/socket';
  import { startService } from './firmware/apps/services';
  (globalThis as any).ChurnDriver = ChurnDriver;
  (globalThis as any).Stack = Stack;
  // The board app's start-up (firmware/main.ts) with a given profile: the stack, the
  // socket layer and the manifest's six services.
  (globalThis as any).startApp = (config: object) => {
    const stack = new Stack({ localAddr: 0xc0000202, listeners: 6, ...config }, { send() {} }, { now: () => 0 }, { fill(b: Uint8Array) { b.fill(1); } });
    const scheduler = { now: () => 0, after() { return { cancel() {} }; } };
    const context = { layer: new SocketLayer(stack), scheduler, listen: {} };
    for (const spec of ['7:echo', '9:discard', '19:source:65536', '80:http', '5000:hold:2000', '5001:closer']) {
      const colon = spec.indexOf(':');
      startService(context as any, Number(spec.slice(0, colon)), spec.slice(colon + 1));
    }
    return { stack, context };
  };
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
      const before = (await evaluate('globalThis.st = undefined; gc()')).heapCount;
      const after = (await evaluate(`globalThis.st = new Stack({ localAddr: 0xc0000202, slots: ${slots}, timeWaitCapacity: ${tw},
        rxBytes: ${buffer}, txBytes: ${buffer}, mss: 536 }, { send() {} }, { now: () => 0 }, { fill(b) { b.fill(1); } }); gc()`)).heapCount;
      const total = (await evaluate('print(String(st.memory().total))')).prints[0];
      console.log(`| ${slots} | ${tw} | ${buffer} | ${after - before - perEvaluation} | ${total} |`);
    }
    console.log('');
    console.log('| board profile | XS slots: stack objects | XS slots: whole app at start-up (stack, socket layer, six services) |');
    console.log('|---|---|---|');
    for (const [name, profile] of [['esp (ESP8266)', '{}'], ['esp32', '{ slots: 8, rxBytes: 5840, txBytes: 5840, mss: 1460, timeWaitCapacity: 64 }']]) {
      const before = (await evaluate('globalThis.app = undefined; globalThis.st = undefined; gc()')).heapCount;
      const stackOnly = (await evaluate(`globalThis.st = new Stack({ localAddr: 0xc0000202, listeners: 6, ...${profile} }, { send() {} }, { now: () => 0 }, { fill(b) { b.fill(1); } }); gc()`)).heapCount;
      const cleared = (await evaluate('globalThis.st = undefined; gc()')).heapCount;
      const app = (await evaluate(`globalThis.app = startApp(${profile}); gc()`)).heapCount;
      console.log(`| ${name} | ${stackOnly - before - perEvaluation} | ${app - cleared - perEvaluation} |`);
    }
  } finally {
    await worker.close();
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
