// Run as `node --trace-gc alloc-probe.js N`: drives the stack through N connections and
// 5N data segments after a warm-up, between marker lines. V8 prints a line for every
// collection as it happens; a collection inside a measured phase means the phase
// allocated (the young generation is only a few MB). The heap in use before and after
// each phase, without a collection in between, is printed too.
import { ChurnDriver, churnConfig, streamConfig } from './churn';

function phase(name: string, work: () => number): void {
  const before = process.memoryUsage().heapUsed;
  console.log(`BEGIN ${name}`);
  const done = work();
  console.log(`END ${name} done=${done} heapDelta=${process.memoryUsage().heapUsed - before}`);
}

console.log('probe: start'); // the first write sets up process.stdout, which allocates
const connections = Number(process.argv[2] ?? 20000);
const rounds = 3;
const churn = new ChurnDriver(churnConfig);
// Warm-up: V8 compiles and optimizes as code runs hot; that allocates (code and type
// feedback) once, not per connection. Compilation can still finish during a measured
// round, so each phase runs several rounds: an allocation per connection or segment
// shows in every round, compilation in one at most.
churn.churn(connections, 1000);
for (let r = 0; r < rounds; r++) phase(`churn ${r}`, () => churn.churn(connections, 30000 + r * 1000));

const stream = new ChurnDriver(streamConfig, 1460);
const h = stream.openForStreaming(5000);
for (let i = 0; i < connections * 5; i++) stream.streamSegment(h);
for (let r = 0; r < rounds; r++) {
  phase(`stream ${r}`, () => {
    let ok = 0;
    for (let i = 0; i < connections * 5; i++) if (stream.streamSegment(h)) ok++;
    return ok;
  });
}
