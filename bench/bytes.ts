// `npm run bench:bytes`: what the byte primitives (firmware/tcp/bytes.ts) change on XS, in
// wall-clock time on slotcp's own XS host (x86-64, natively): ns per 1460-byte segment and
// per full connection, stack only, with the portable jsBytes and with the boards' C
// primitives. bench/xs-host-cost.ts measures; this prints. A benchmark: nothing gates on
// it. Computrons (XS's deterministic meter) are in `npm run bench:xs`, which runs on
// xsnap and so only with jsBytes.
import { DEFAULT_XS_TIME, measureXsTime } from './xs-host-cost';

const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;

async function main(): Promise<void> {
  const o = DEFAULT_XS_TIME;
  const { ns } = await measureXsTime(o);
  console.log(`slotcp on its XS host (x86-64, XS built -O2), wall clock, stack only (client model subtracted);`
    + ` ${o.segments} segments and ${o.connections} connections a round, median of ${o.rounds} rounds, median of ${o.processes} processes`);
  console.log('');
  console.log('| work | jsBytes | C primitives (slotcp_bytes.c) | ratio |');
  console.log('|---|---|---|---|');
  for (const [label, what] of [['1460-byte segment received, read by the app, ACKed', 'segment'],
    ['full connection (open, 100 B in, 100 B echoed, server close, TIME-WAIT)', 'connection']] as const) {
    console.log(`| ${label} | ${us(ns.js[what])} | ${us(ns.native[what])} | ${(ns.js[what] / ns.native[what]).toFixed(2)}x |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
