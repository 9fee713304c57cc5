// Part 4 of `npm run bench`: XS figures. First the output of `npm run bench:xs`
// (dist/bench/xs.js, run as it is), parsed; then the same two workloads measured here with
// ChurnDriver.stream and churn, as a cross-check of the same subtraction of the client's own cost.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { XsSession, bundleSourceForXs } from '../host/xs/xsnap-runner';

export interface BenchXsFigures {
  handshake?: number;
  segment?: number;
  connection?: number;
  /** XS heap slots left behind by 10,000 connections (should be 0). */
  heapGrowth?: number;
  /** XS slots taken by a stack's objects (the same for every slot count). */
  stackObjectSlots?: number;
  output: string;
  error?: string;
}

export function runBenchXs(root: string): BenchXsFigures {
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'bench', 'xs.js')], { encoding: 'utf8', timeout: 180000 });
  const output = (r.stdout ?? '').trim();
  const figures: BenchXsFigures = { output };
  if (r.error || r.status !== 0) {
    figures.error = `node dist/bench/xs.js failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`;
  }
  const row = (label: RegExp) => {
    const line = output.split('\n').find((l) => label.test(l));
    const m = line?.match(/\|\s*(-?\d+)\s*\|\s*$/);
    return m ? Number(m[1]) : undefined;
  };
  figures.handshake = row(/^\|\s*handshake/);
  figures.segment = row(/^\|\s*1460-byte data segment/);
  figures.connection = row(/^\|\s*full connection/);
  const growth = output.match(/growth from the connections: (-?\d+)/);
  if (growth) figures.heapGrowth = Number(growth[1]);
  const table = output.split('\n').find((l) => /^\|\s*\d+\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*\d+\s*\|/.test(l));
  if (table) figures.stackObjectSlots = Number(table.split('|')[4]);
  if (!figures.error && (figures.segment === undefined || figures.connection === undefined)) {
    figures.error = 'could not find the segment and connection rows in bench:xs output';
  }
  return figures;
}

export interface ClientXsFigures {
  segment: number;
  connection: number;
  /** Computrons of the client model alone, per segment and per connection. */
  clientSegment: number;
  clientConnection: number;
}

const setup = `
  import { ChurnDriver, churnConfig, streamConfig } from './host-test/support/churn';
  (globalThis as any).ChurnDriver = ChurnDriver;
  (globalThis as any).churnConfig = churnConfig;
  (globalThis as any).streamConfig = streamConfig;
`;

/** Computrons per segment and per connection with ChurnDriver.stream and churn on XS: the work with
 *  the stack minus the identical evaluation with the client only building. */
export async function runClientXs(count = 1000): Promise<ClientXsFigures> {
  const xs = await XsSession.start();
  const compute = async (code: string) => {
    const r = await xs.evaluate(code);
    if (!r.ok) throw new Error(`XS: ${r.error}`);
    return r.meter.compute;
  };
  try {
    await compute(await bundleSourceForXs(setup));
    await compute('globalThis.s = new ChurnDriver(streamConfig, 1460); s.openStream(); globalThis.c = new ChurnDriver(churnConfig, 100);');
    const pair = async (work: (build: boolean) => string) => {
      await compute(work(false));
      await compute(work(true)); // warm both paths
      const full = await compute(work(false));
      const client = await compute(work(true));
      return { engine: Math.round((full - client) / count), client: Math.round(client / count) };
    };
    const seg = await pair((build) => `s.buildOnly = ${build}; s.stream(${count}); s.buildOnly = false;`);
    let port = 2000;
    const conn = await pair((build) => {
      port += count;
      return `c.buildOnly = ${build}; c.churn(${count}, ${port}); c.buildOnly = false;`;
    });
    return { segment: seg.engine, connection: conn.engine, clientSegment: seg.client, clientConnection: conn.client };
  } finally {
    await xs.close();
  }
}
