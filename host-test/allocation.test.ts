// The core allocates only at construction. On Node this is checked from the outside:
// after a warm-up, 20,000 whole connections and 100,000 data segments run while V8's
// garbage collector is watched. Any per-segment or per-connection allocation, even
// short-lived, fills the young generation and triggers collections (a 2-element array
// per sent segment already causes dozens). The XS suite checks the same with XS's exact
// heap counter.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

interface Phase {
  done: number;
  collections: number;
  heapDelta: number;
}

/** Runs the probe under --trace-gc and splits its output into the measured phases. */
function probe(connections: number): Record<string, Phase> {
  const script = path.join(__dirname, 'support', 'alloc-probe.js');
  const out = execFileSync(process.execPath, ['--trace-gc', script, String(connections)], { encoding: 'utf8' });
  const phases: Record<string, Phase> = {};
  let current: Phase | undefined;
  for (const line of out.split('\n')) {
    const begin = /^BEGIN (.+)$/.exec(line);
    const end = /^END (.+) done=(\d+) heapDelta=(-?\d+)$/.exec(line);
    if (begin) {
      current = { done: 0, collections: 0, heapDelta: 0 };
      phases[begin[1]] = current;
    } else if (end && current) {
      current.done = Number(end[2]);
      current.heapDelta = Number(end[3]);
      current = undefined;
    } else if (current && /Scavenge|Mark-Compact|Mark-sweep/i.test(line)) {
      current.collections++;
    }
  }
  return phases;
}

/** The round of a phase that allocated least (see alloc-probe.ts). */
function quietest(phases: Record<string, Phase>, name: string): Phase {
  const rounds = Object.entries(phases).filter(([key]) => key.startsWith(`${name} `)).map(([, p]) => p);
  assert.ok(rounds.length > 0, `no ${name} rounds`);
  return rounds.reduce((best, p) => (p.collections < best.collections
    || (p.collections === best.collections && p.heapDelta < best.heapDelta) ? p : best));
}

describe('allocation in steady state (Node)', function () {
  this.timeout(60000);

  it('runs 20,000 connections and 100,000 segments without a single garbage collection', () => {
    const phases = probe(20000);
    const detail = JSON.stringify(phases);
    for (const [name, p] of Object.entries(phases)) {
      assert.equal(p.done, name.startsWith('churn') ? 20000 : 100000, `${name}: every operation went through: ${detail}`);
    }
    const churn = quietest(phases, 'churn');
    const stream = quietest(phases, 'stream');
    assert.equal(churn.collections, 0, detail);
    assert.equal(stream.collections, 0, detail);
    // Without a collection, heap in use grows by what was allocated: here under 1 byte per
    // connection or segment (a single boxed number each would be 16 bytes).
    assert.ok(churn.heapDelta < 20000, detail);
    assert.ok(stream.heapDelta < 100000, detail);
  });
});
