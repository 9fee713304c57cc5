// Measures, on the real XS engine, what each example service allocates per request: the
// ServiceDriver (service-churn.ts) runs a warm-up, then `requests` whole requests to the
// service, and XS's heap counter is read around them. Shared by host-test and bench:xs.
import { XsSession, bundleSourceForXs } from '../../host/xs/xsnap-runner';

export interface ServiceCase {
  /** The service spec, as `--listen PORT:SPEC` takes it. */
  spec: string;
  /** The stack config, as a JavaScript object literal. */
  config: string;
  /** What the client sends after the handshake (Latin-1 text). */
  request: string;
  /** The client sends FIN right after its request (echo, discard). */
  finFirst: boolean;
  /** The reply's length at least, and how it starts. */
  minBytes: number;
  expect?: string;
}

export const serviceCases: readonly ServiceCase[] = [
  { spec: 'echo', config: '{}', request: 'x'.repeat(100), finFirst: true, minBytes: 100, expect: 'x'.repeat(16) },
  { spec: 'discard', config: '{}', request: 'x'.repeat(100), finFirst: true, minBytes: 0 },
  { spec: 'source:1000', config: '{}', request: '', finFirst: false, minBytes: 1000 },
  { spec: 'http', config: '{}', request: 'GET / HTTP/1.1\r\nHost: 192.0.2.2\r\n\r\n', finFirst: false, minBytes: 1000, expect: 'HTTP/1.1 200 OK\r' },
  { spec: 'http', config: '{ rxBytes: 4096, txBytes: 4096, mss: 1460 }', request: 'GET / HTTP/1.1\r\n\r\n', finFirst: false, minBytes: 1000, expect: 'HTTP/1.1 200 OK\r' },
  { spec: 'http', config: '{}', request: 'GET /nope?x=1 HTTP/1.1\r\n\r\n', finFirst: false, minBytes: 100, expect: 'HTTP/1.1 404 Not' },
  { spec: 'hold:10', config: '{}', request: '', finFirst: false, minBytes: 0 },
  { spec: 'closer', config: '{}', request: '', finFirst: false, minBytes: 0 },
];

export interface ServiceHeap {
  spec: string;
  config: string;
  request: string;
  /** Heap slots the requests took, garbage included (read right after a gc()), minus
   *  what an empty evaluation takes: 0 means they allocated nothing at all. */
  allocated: number;
  /** Live slots after a gc(), minus before, minus what an evaluation leaves: 0 means
   *  nothing was kept. */
  kept: number;
  /** Bytes the machine reserved for slots and chunks grew by (it grows in megabyte
   *  steps, so only a gross leak of chunks shows). */
  reserved: number;
}

const setup = `
  import { ServiceDriver } from './host-test/support/service-churn';
  import { asciiBytes } from './firmware/apps/ascii';
  (globalThis as any).ServiceDriver = ServiceDriver;
  (globalThis as any).asciiBytes = asciiBytes;
`;

/** Runs every case (or those given) on one XS worker; throws if a request went wrong. */
export async function measureServiceHeap(requests = 1000, warmUp = 50,
  cases: readonly ServiceCase[] = serviceCases): Promise<ServiceHeap[]> {
  const worker = await XsSession.start({ timeoutMs: 300_000 });
  try {
    const run = async (code: string) => {
      const r = await worker.evaluate(code);
      if (!r.ok) throw new Error(`XS: ${r.error}`);
      return r.meter;
    };
    await run(await bundleSourceForXs(setup));
    const rows: ServiceHeap[] = [];
    for (const c of cases) {
      const expect = c.expect === undefined ? 'undefined' : `asciiBytes(${JSON.stringify(c.expect)})`;
      await run(`globalThis.d = new ServiceDriver(${JSON.stringify(c.spec)}, { request: asciiBytes(${JSON.stringify(c.request)}),
        finFirst: ${c.finFirst} }, ${c.config}); globalThis.expected = ${expect};
        if (d.run(${warmUp}, 1000, ${c.minBytes}, expected) !== ${warmUp}) throw new Error('warm-up requests failed');`);
      const work = (first: number) => `{ const ok = d.run(${requests}, ${first}, ${c.minBytes}, expected);
        if (ok !== ${requests}) throw new Error(${JSON.stringify(c.spec)} + ': ' + ok + ' of ${requests} requests went right'); }`;
      // currentHeapCount counts live slots and garbage not yet swept, so work run right
      // after a full collection shows any slot it allocated; every evaluation itself
      // leaves a little behind, so an empty one is measured the same way.
      const grows = async (code: string) => {
        const before = await run('gc()');
        const after = await run(code);
        return { slots: after.heapCount - before.heapCount, reserved: after.allocate - before.allocate };
      };
      const perEvaluation = (await grows('')).slots;
      const allocated = await grows(work(10000));
      const liveBefore = (await run('gc()')).heapCount;
      const liveAfter = (await run(`${work(20000)}; gc()`)).heapCount;
      const left = (await run('gc()')).heapCount - liveAfter;
      rows.push({
        spec: c.spec, config: c.config, request: c.request,
        allocated: allocated.slots - perEvaluation, kept: liveAfter - liveBefore - left, reserved: allocated.reserved,
      });
    }
    return rows;
  } finally {
    await worker.close();
  }
}
