// `npm run bench:profile`: where a 1460-byte in-order segment and a full connection spend
// their computrons on XS, per function of the engine (firmware/tcp). Deterministic: the
// same figures on every run, from XS's own meter on xsnap-worker (jsBytes).
//
// How: the bundle is rewritten so that every module-level function of firmware/tcp and
// every method of the engine's classes goes through a wrapper that reads the meter
// (xsnap's resetMeter) on the way in and out and charges what was spent since the last
// reading to the function on top of a call stack: its self cost. The wrapper's own cost is
// measured on an empty function and subtracted, per call made and per call received, so
// that the selves add up to what the uninstrumented run costs (printed as a check). The
// workloads are bench:xs's (ChurnDriver); the client model's own share (it calls
// finishPacket too) is removed by profiling the same work with the client only building
// its packets, function by function.
//
//   node dist/bench/profile.js [--count 200] [--top 30]
import { XsSession, bundleSourceForXs } from '../host/xs/xsnap-runner';

interface Options {
  count: number;
  top: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { count: 200, top: 30 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => Number(argv[++i]);
    if (argv[i] === '--count') options.count = Math.max(10, value());
    else if (argv[i] === '--top') options.top = Math.max(1, value());
    else throw new Error(`bench:profile: unknown option ${argv[i]}`);
  }
  return options;
}

const workloadSource = `
  import { ChurnDriver } from './host-test/support/churn';
  import { Stack } from './firmware/tcp/stack';
  import { Core, Listeners } from './firmware/tcp/core';
  import { Slots } from './firmware/tcp/slots';
  import { TimeWaitTable } from './firmware/tcp/timewait';
  import { SipHash24 } from './firmware/tcp/siphash';
  const g = globalThis as any;
  g.ChurnDriver = ChurnDriver;
  // The engine's classes, whose methods the profiler wraps (when it runs).
  g.engineClasses = { Stack, Core, Listeners, Slots, TimeWaitTable, SipHash24 };
`;

/** Defines the profiler's globals; the rewritten functions call __profiled. */
const profilerSource = `
(() => {
  const g = globalThis;
  const ids = new Map();
  const names = [];
  let self = [], calls = [], made = [];
  const stack = [0];
  let idle = false;
  const id = (name) => {
    let i = ids.get(name);
    if (i === undefined) {
      i = names.length;
      ids.set(name, i);
      names.push(name);
      self.push(0); calls.push(0); made.push(0);
    }
    return i;
  };
  id('(outside)');
  // Charges the computrons since the last reading to the function on top.
  const charge = () => { self[stack[stack.length - 1]] += resetMeter(0, 0); };
  g.__profiled = (i, f, that, args) => {
    charge();
    made[stack[stack.length - 1]]++;
    calls[i]++;
    stack.push(i);
    try {
      return f.apply(that, args);
    } finally {
      charge();
      stack.pop();
    }
  };
  g.__profileId = id;
  g.__profileReset = () => {
    resetMeter(0, 0);
    for (let i = 0; i < names.length; i++) { self[i] = 0; calls[i] = 0; made[i] = 0; }
  };
  g.__profileRead = () => {
    charge();
    return JSON.stringify(names.map((name, i) => ({ name, self: self[i], calls: calls[i], made: made[i] })));
  };
  // Wraps the methods and accessors of the engine's classes.
  g.__profileClasses = (classes) => {
    for (const [className, C] of Object.entries(classes)) {
      for (const key of Object.getOwnPropertyNames(C.prototype)) {
        if (key === 'constructor') continue;
        const d = Object.getOwnPropertyDescriptor(C.prototype, key);
        const wrap = (f, label) => {
          const i = id(className + '.' + label);
          return function (...args) { return g.__profiled(i, f, this, args); };
        };
        if (typeof d.value === 'function') d.value = wrap(d.value, key);
        if (d.get) d.get = wrap(d.get, 'get ' + key);
        if (d.set) d.set = wrap(d.set, 'set ' + key);
        Object.defineProperty(C.prototype, key, d);
      }
    }
  };
  g.__calibrationEmptyId = id('(calibration)');
})();
`;

/** Makes every module-level function of firmware/tcp in an esbuild IIFE bundle go
 *  through __profiled. esbuild writes each module after a "// path" comment, with its
 *  declarations indented by two spaces. */
function instrument(bundle: string): string {
  let module = '';
  const out: string[] = [];
  for (const line of bundle.split('\n')) {
    const header = line.match(/^ {2}\/\/ (\S+\.[jt]s)$/);
    if (header) module = header[1];
    const decl = line.match(/^ {2}function (\w+)\(/);
    if (decl && module.startsWith('firmware/tcp/')) {
      const name = decl[1];
      const label = `${module.replace(/^firmware\/tcp\//, '').replace(/\.ts$/, '')}:${name}`;
      out.push(`  const ${name}__id = __profileId(${JSON.stringify(label)});`);
      out.push(`  function ${name}(...args) { return __profiled(${name}__id, ${name}__p, this, args); }`);
      out.push(line.replace(`function ${name}(`, `function ${name}__p(`));
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

interface Row {
  name: string;
  self: number;
  calls: number;
  made: number;
}

const config = '{ slots: 4, timeWaitCapacity: 8, mss: 1460, rxBytes: 4096, txBytes: 4096 }';
const workloads = {
  segment: {
    prepare: 'globalThis.d = new ChurnDriver({ mss: 1460, rxBytes: 8192, txBytes: 4096 }, 1460); globalThis.h = d.openForStreaming(5000);',
    work: (count: number) => `for (let i = 0; i < ${count}; i++) d.streamSegment(h);`,
  },
  connection: {
    prepare: `globalThis.d = new ChurnDriver(${config}); globalThis.port = 2000;`,
    work: (count: number) => `d.churn(${count}, port); port += ${count};`,
  },
};

async function evaluate(session: XsSession, code: string) {
  const r = await session.evaluate(code);
  if (!r.ok) throw new Error(`XS: ${r.error}`);
  return r;
}

/** Computrons of the work per operation, uninstrumented: with the stack less the client alone. */
async function plainCost(bundle: string, prepare: string, work: string, count: number): Promise<number> {
  const session = await XsSession.start();
  try {
    await evaluate(session, bundle);
    const run = async (build: boolean) => {
      await evaluate(session, `${prepare} d.buildOnly = ${build}; ${work}`); // warm
      return (await evaluate(session, `d.buildOnly = ${build}; ${work}`)).meter.compute;
    };
    const full = await run(false);
    const client = await run(true);
    return (full - client) / count;
  } finally {
    await session.close();
  }
}

/** Per-function rows of the work, client only (build) or with the stack. */
async function profiledRows(bundle: string, prepare: string, work: string, build: boolean): Promise<Row[]> {
  const session = await XsSession.start();
  try {
    await evaluate(session, profilerSource);
    await evaluate(session, bundle);
    await evaluate(session, '__profileClasses(engineClasses);');
    await evaluate(session, `${prepare} d.buildOnly = ${build}; ${work}`); // warm
    const r = await evaluate(session, `__profileReset(); d.buildOnly = ${build}; ${work}; print(__profileRead());`);
    return JSON.parse(r.prints[r.prints.length - 1]) as Row[];
  } finally {
    await session.close();
  }
}

/** The wrapper's cost: what an empty function's call adds to the callee (its self, as
 *  the function does nothing) and to the caller, per call. */
async function calibrate(): Promise<{ callee: number; caller: number }> {
  const n = 1000;
  const session = await XsSession.start();
  try {
    await evaluate(session, profilerSource);
    // An empty function wrapped as instrument() wraps them, called in a loop, and the
    // same loop calling it directly.
    await evaluate(session, `
      const empty__id = __calibrationEmptyId;
      function empty(...args) { return __profiled(empty__id, empty__p, this, args); }
      function empty__p() {}
      globalThis.callEmpty = () => { for (let i = 0; i < ${n}; i++) empty(); };
      globalThis.loop = () => { for (let i = 0; i < ${n}; i++) empty__p(); };`);
    // The same loop calling the function directly, metered as a whole.
    const direct = (await evaluate(session, 'loop()')).meter.compute;
    const rows = JSON.parse((await evaluate(session, '__profileReset(); callEmpty(); print(__profileRead());')).prints[0]) as Row[];
    const empty = rows.find((r) => r.name === '(calibration)')!;
    const outside = rows.find((r) => r.name === '(outside)')!;
    // The direct loop's cost is the caller's own; what the wrapped loop's caller spent
    // beyond it is the wrapper's share on the caller's side. The empty body costs a
    // computron or two, counted in the callee's share.
    return { callee: empty.self / n, caller: (outside.self - direct) / n };
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const bundle = await bundleSourceForXs(workloadSource);
  const instrumented = instrument(bundle);
  const overhead = await calibrate();
  console.log(`slotcp on XS, computrons per function (xsnap-worker, jsBytes; deterministic), ${options.count} operations,`
    + ' stack only (the client model profiled alone and subtracted function by function);'
    + ` the profiler's own cost removed (${overhead.callee.toFixed(1)} per call received, ${overhead.caller.toFixed(1)} per call made)`);
  for (const [what, w] of Object.entries(workloads)) {
    const work = w.work(options.count);
    const plain = await plainCost(bundle, w.prepare, work, options.count);
    const full = await profiledRows(instrumented, w.prepare, work, false);
    const client = await profiledRows(instrumented, w.prepare, work, true);
    const clientByName = new Map(client.map((r) => [r.name, r]));
    const rows = full.map((r) => {
      const c = clientByName.get(r.name) ?? { self: 0, calls: 0, made: 0 };
      const calls = r.calls - c.calls;
      const made = r.made - c.made;
      const self = r.self - c.self - overhead.callee * calls - overhead.caller * made;
      return { name: r.name, self: self / options.count, calls: calls / options.count };
    }).filter((r) => r.calls > 0 || Math.abs(r.self) >= 0.5);
    rows.sort((a, b) => b.self - a.self);
    const total = rows.reduce((a, r) => a + r.self, 0);
    const callsTotal = rows.reduce((a, r) => a + r.calls, 0);
    console.log('');
    console.log(`### ${what}: ${Math.round(plain).toLocaleString('en-US')} computrons uninstrumented;`
      + ` the rows add up to ${Math.round(total).toLocaleString('en-US')}, in ${callsTotal.toFixed(1)} calls`);
    console.log('');
    console.log('| function (module:name or Class.method) | calls | self computrons | share |');
    console.log('|---|---|---|---|');
    for (const r of rows.slice(0, options.top)) {
      console.log(`| ${r.name} | ${r.calls.toFixed(2)} | ${Math.round(r.self).toLocaleString('en-US')} | ${((100 * r.self) / total).toFixed(1)}% |`);
    }
    const rest = rows.slice(options.top);
    if (rest.length > 0) {
      const restSelf = rest.reduce((a, r) => a + r.self, 0);
      const restCalls = rest.reduce((a, r) => a + r.calls, 0);
      console.log(`| ${rest.length} others | ${restCalls.toFixed(2)} | ${Math.round(restSelf).toLocaleString('en-US')} | ${((100 * restSelf) / total).toFixed(1)}% |`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
