// The device packet path's lwIP-facing part (firmware/platform/moddable/slotcp_lwip.c)
// against real lwIP (Debian's liblwip-dev): builds the C test programs in test-native/
// with make (-Wall -Wextra -Werror) and runs each of their cases in a process of its own.
// lwip-raw-direct runs lwIP without a thread of its own (as on ESP8266), lwip-raw-threaded
// with lwIP's tcpip thread (as on ESP32). The cases are described in
// test-native/test_lwip_raw.c. Skipped, saying so, only when liblwip-dev is not installed.
//
// Then the JS side of the packet path (firmware/platform/moddable: LwipPacketPort,
// TicksClock, MathRandomSource, PollTimer), bundled with esbuild with fakes in place of
// the Moddable modules it imports ("timer", "time") and of the host functions
// (./lwip-raw), driving a real Stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';
import { Stack } from '../firmware/tcp/stack';
import { ACK, SYN } from '../firmware/tcp/wire';
import { CLIENT, SERVER, VirtualClock, buildPacket } from './support/net';
import { Prng } from '../host/prng';
import { decodeSegment } from '../host/pkt/segments';

const root = path.join(__dirname, '..', '..');
const sources = path.join(root, 'test-native');
const out = path.join(root, 'dist', 'test-native');

const cases = [
  'eats-own-port',
  'other-port-rst',
  'lwip-listener',
  'port-table',
  'address',
  'ring-full',
  'wake-failure',
  'too-big',
  'chained-pbuf',
  'send',
  'send-unbound',
  'send-errors',
  'stop',
];
const programs: [string, string[]][] = [
  ['lwip-raw-direct', cases],
  ['lwip-raw-threaded', [...cases, 'concurrent']],
];

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60000 });
  if (result.error) throw result.error;
  return result;
}

describe('native packet path on real lwIP (test-native/)', function () {
  this.timeout(120000);

  before(function () {
    const probe = run('make', ['-s', '-C', sources, 'probe']);
    if (probe.status !== 0 && /lwIP headers not found/.test(probe.stdout)) {
      console.log('      skipped: liblwip-dev is not installed (apt-get install liblwip-dev)');
      this.skip();
    }
    assert.equal(probe.status, 0, `make probe failed:\n${probe.stdout}${probe.stderr}`);
    const build = run('make', ['-s', '-C', sources, `OUT=${out}`, 'all']);
    assert.equal(build.status, 0, `building test-native failed:\n${build.stdout}${build.stderr}`);
  });

  for (const [program, names] of programs) {
    describe(program, () => {
      const binary = path.join(out, program);

      it('has exactly the cases listed here', () => {
        const list = run(binary, ['--list']);
        assert.equal(list.status, 0, list.stderr);
        assert.deepEqual(list.stdout.trim().split('\n'), names);
      });

      for (const name of names) {
        it(name, () => {
          const result = run(binary, [name]);
          assert.equal(result.status, 0, `${program} ${name} failed:\n${result.stdout}${result.stderr}`);
          assert.match(result.stdout, new RegExp(`^ok ${name}$`, 'm'));
        });
      }
    });
  }
});

// The byte primitives in C (slotcp_bytes.c) need no lwIP, only a C compiler.
describe('native byte primitives (test-native/test_bytes.c)', function () {
  this.timeout(120000);

  it('sum and copy as reference code at every alignment, odd and zero lengths, overlapping copies', function () {
    const probe = run('make', ['-s', '-C', sources, 'probe']);
    if (/no C compiler/.test(probe.stdout)) {
      console.log('      skipped: no C compiler');
      this.skip();
    }
    const build = run('make', ['-s', '-C', sources, `OUT=${out}`, 'bytes']);
    assert.equal(build.status, 0, `building test-native/test_bytes.c failed:\n${build.stdout}${build.stderr}`);
    const result = run(path.join(out, 'bytes'), []);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /^ok sum on random bytes: \d+ cases$/m);
    assert.match(result.stdout, /^ok copies: \d+ cases$/m);
  });
});

// ---- the JS side, with faked Moddable modules ----------------------------------------

/** Moddable's Timer, on a manual clock. */
class FakeTimers {
  now = 0;
  readonly timers: { callback: (t: object) => void; due: number; repeat: number; cleared: boolean }[] = [];
  readonly api = {
    set: (callback: (t: object) => void, interval = 0, repeat = 0) => this.add(callback, interval, repeat),
    repeat: (callback: (t: object) => void, interval: number) => this.add(callback, interval, interval),
    schedule: (timer: FakeTimers['timers'][number], interval?: number, repeat?: number) => {
      assert.ok(!timer.cleared, 'Timer.schedule on a cleared timer');
      // Unscheduled: infinite initial and repeat intervals (not cleared when it returns).
      timer.due = interval === undefined ? Infinity : this.now + interval;
      timer.repeat = interval === undefined ? Infinity : (repeat ?? 0);
    },
    clear: (timer: FakeTimers['timers'][number] | undefined) => {
      if (timer) timer.cleared = true;
    },
  };
  private add(callback: (t: object) => void, interval: number, repeat: number) {
    const timer = { callback, due: this.now + interval, repeat, cleared: false };
    this.timers.push(timer);
    return timer;
  }
  /** Runs the timers due up to now + ms, in time order, as Moddable's loop does. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const live = this.timers.filter((t) => !t.cleared && t.due <= end).sort((a, b) => a.due - b.due);
      if (!live.length) break;
      const timer = live[0];
      this.now = Math.max(this.now, timer.due);
      const repeat = timer.repeat;
      timer.due = repeat ? this.now + repeat : Infinity;
      timer.callback(timer);
      if (timer.repeat === 0) timer.cleared = true;		// a one-shot is cleared after its callback
    }
    this.now = end;
  }
  scheduled() {
    return this.timers.filter((t) => !t.cleared && t.due !== Infinity);
  }
}

/** The host functions of lwip-raw.js, over a JS ring. */
class FakeLwipRaw {
  ring: Uint8Array[] = [];
  callback: (() => void) | null = null;
  localAddr = -1;
  ports = new Set<number>();
  sent: Uint8Array[] = [];
  raw = [11, 12, 13, 14, 15, 16, 17, 18];
  start(callback: () => void, localAddr: number): void {
    if (this.callback) throw new Error('already started');
    this.callback = callback;
    this.localAddr = localAddr;
  }
  stop(): void {
    this.callback = null;
    this.ring = [];
  }
  addPort(port: number): boolean {
    if (this.ports.size >= 4 && !this.ports.has(port)) return false;
    this.ports.add(port);
    return true;
  }
  removePort(port: number): boolean {
    return this.ports.delete(port);
  }
  read(buffer: Uint8Array): number {
    assert.ok(buffer.length >= 656, 'read() buffer smaller than a ring slot');
    const packet = this.ring.shift();
    if (!packet) return 0;
    buffer.fill(0xee);
    buffer.set(packet);
    return packet.length;
  }
  /** What send() answers: 0, or an lwIP err_t / SLOTCP_ERR_* (negative). */
  sendStatus = 0;
  send(packet: Uint8Array, length: number): number {
    if (this.sendStatus === 0) this.sent.push(packet.slice(0, length));
    return this.sendStatus;
  }
  counters(into: Uint32Array): void {
    into.set(this.raw);
  }
  config(into: Uint32Array): void {
    into.set([4, 656, 4, 8]);
  }
  /** As the native part does: a packet arrives, JS is woken. */
  arrive(...packets: Uint8Array[]): void {
    this.ring.push(...packets);
    this.callback?.();
  }
}

interface Platform {
  LwipPacketPort: new () => any;
  TicksClock: new () => { now(): number };
  MathRandomSource: new () => { fill(bytes: Uint8Array): void };
  PollTimer: new (stack: unknown, clock: unknown, maxIntervalMs?: number) => { reschedule(): void; stop(): void };
}

interface Fakes {
  timer: FakeTimers['api'];
  time: { ticks: number };
  './lwip-raw': FakeLwipRaw;
}

let platformCode: string | undefined;

async function loadPlatform(fakes: Fakes): Promise<Platform> {
  if (!platformCode) {
    const result = await build({
      stdin: {
        contents: [
          "export { LwipPacketPort } from './firmware/platform/moddable/packet-port';",
          "export { TicksClock } from './firmware/platform/moddable/clock';",
          "export { MathRandomSource } from './firmware/platform/moddable/random';",
          "export { PollTimer } from './firmware/platform/moddable/poll-timer';",
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'platform',
      platform: 'neutral',
      target: 'es2022',
      plugins: [{
        name: 'moddable-fakes',
        setup(b) {
          b.onResolve({ filter: /^(timer|time|\.\/lwip-raw)$/ }, (args) => ({ path: args.path, namespace: 'fake' }));
          b.onLoad({ filter: /.*/, namespace: 'fake' }, (args) => ({
            contents: `export default fakes[${JSON.stringify(args.path)}];`,
            loader: 'js',
          }));
        },
      }],
    });
    platformCode = result.outputFiles[0].text;
  }
  return new Function('fakes', `${platformCode}\nreturn platform;`)(fakes) as Platform;
}

const fakeOwner = new WeakMap<object, FakeTimers>();
function makeFakes() {
  const timers = new FakeTimers();
  const f: Fakes = { timer: timers.api, time: { ticks: 0 }, './lwip-raw': new FakeLwipRaw() };
  fakeOwner.set(timers.api, timers);
  return { f, timers, native: f['./lwip-raw'] };
}

describe('device packet path, JS side (firmware/platform/moddable, Moddable modules faked)', () => {
  it('hands each packet the ring delivers to the stack and sends its answer through lwIP', async () => {
    const { f, native } = makeFakes();
    const { LwipPacketPort } = await loadPlatform(f);
    const port = new LwipPacketPort();
    assert.equal(port.ringPackets, 4);
    assert.equal(port.packetBytes, 656);
    assert.equal(port.maxPorts, 4);
    const stack = new Stack({ localAddr: SERVER >>> 0 }, port, new VirtualClock(), new Prng(1));
    stack.listen(7);
    let after = 0;
    port.start(stack, SERVER, { afterReceive: () => after++ });
    assert.equal(native.localAddr, SERVER >>> 0);
    assert.equal(port.addPort(7), true);
    assert.deepEqual([...native.ports], [7]);

    native.arrive(buildPacket({ dstPort: 7, seq: 1000, flags: SYN, mss: 1460 }));
    assert.equal(after, 1);
    assert.equal(native.sent.length, 1);
    const synAck = decodeSegment(native.sent[0], 0);
    assert.equal(synAck.flags, SYN | ACK);
    assert.equal(synAck.srcAddr, SERVER);
    assert.equal(synAck.dstAddr, CLIENT);
    assert.equal(synAck.srcPort, 7);
    assert.equal(synAck.dstPort, 40000);
    assert.equal(synAck.ack, 1001);
    assert.equal(native.sent[0].length, 44);
    assert.equal(stack.counters.packetsIn, 1);
    assert.equal(port.counters().received, 1);
  });

  it('hands the stack at most a batch per wake-up and finishes from an immediate timer', async () => {
    const { f, timers, native } = makeFakes();
    const { LwipPacketPort } = await loadPlatform(f);
    const port = new LwipPacketPort();
    const lengths: number[] = [];
    const stack = { inputBuffer: new Uint8Array(0), receive: (packet: Uint8Array, length: number) => lengths.push(packet[0] === 0x45 ? length : -1) };
    let after = 0;
    port.start(stack, 0, { batch: 3, afterReceive: () => after++ });
    const packets = Array.from({ length: 7 }, (_, i) => buildPacket({ dstPort: 7, seq: i, flags: ACK, data: 'x'.repeat(i) }));
    native.arrive(...packets);
    assert.deepEqual(lengths, [40, 41, 42]);
    assert.equal(after, 1);
    assert.equal(timers.scheduled().length, 1);
    timers.advance(0);
    assert.deepEqual(lengths, [40, 41, 42, 43, 44, 45, 46]);
    assert.equal(after, 3);
    assert.equal(timers.scheduled().length, 0);
    assert.equal(port.service(), 0);
    assert.equal(after, 3);
    native.arrive(...packets.slice(0, 4));
    assert.equal(lengths.length, 10);
    timers.advance(0);
    assert.deepEqual(lengths.slice(7), [40, 41, 42, 43]);
    assert.equal(timers.timers.length, 1, 'the continuation timer is made once and parked');
    assert.equal(timers.timers[0].cleared, false);
  });

  it('maps the native counters and stops cleanly', async () => {
    const { f, timers, native } = makeFakes();
    const { LwipPacketPort } = await loadPlatform(f);
    const port = new LwipPacketPort();
    const stack = { inputBuffer: new Uint8Array(0), receive: () => {} };
    port.start(stack, 0xc0a80002, { batch: 1 });
    assert.equal(native.localAddr, 0xc0a80002);
    assert.throws(() => port.start(stack, 1), /already started/);
    native.arrive(buildPacket({ dstPort: 7, seq: 1, flags: ACK }), buildPacket({ dstPort: 7, seq: 2, flags: ACK }));
    assert.deepEqual({ ...port.counters() }, {
      eaten: 11, droppedRingFull: 12, droppedTooBig: 13, passedToLwip: 14,
      wakes: 15, wakeFailures: 16, sent: 17, sendErrors: 18, received: 1,
    });
    assert.equal(timers.scheduled().length, 1);
    port.stop();
    assert.equal(native.callback, null);
    assert.equal(timers.scheduled().length, 0, 'stop() parks the continuation timer');
    assert.equal(port.service(), 0);
    port.start(stack, 0);
    assert.equal(port.counters().received, 0);
  });

  it('tells the stack the link refused a packet only for want of buffers (ERR_MEM, ERR_BUF)', async () => {
    const { f, native } = makeFakes();
    const { LwipPacketPort } = await loadPlatform(f);
    const port = new LwipPacketPort();
    const packet = new Uint8Array(40);
    const answers = [0, -1, -2, -4, -101, -102].map((status) => {
      native.sendStatus = status;
      return port.send(packet, 40);
    });
    // ERR_MEM and ERR_BUF: not sent, new data is retried; a route or packet error is
    // taken as sent and lost (TCP's retransmission handles it, as before).
    assert.deepEqual(answers, [true, false, false, true, true, true]);
  });

  it('TicksClock never goes backwards across Time.ticks turning negative and wrapping', async () => {
    const { f } = makeFakes();
    const { TicksClock } = await loadPlatform(f);
    // On the boards Time.ticks is the 32-bit millisecond counter read as int32.
    const setTicks = (ms: number) => { f.time.ticks = ms | 0; };
    setTicks(0x7ffffff0);
    const clock = new TicksClock();
    const start = clock.now();
    assert.equal(start, 0x7ffffff0);
    setTicks(0x80000010);
    assert.equal(clock.now(), start + 0x20);
    setTicks(0xfffffff0);
    assert.equal(clock.now(), start + 0x80000000);
    setTicks(0x100000010);
    assert.equal(clock.now(), start + 0x80000020);
    assert.equal(clock.now(), start + 0x80000020);
    setTicks(0x90000000);		// reads negative: the clock starts at the unsigned value
    assert.equal(new TicksClock().now(), 0x90000000);
  });

  it('MathRandomSource fills bytes with every value 0..255', async () => {
    const { f } = makeFakes();
    const { MathRandomSource } = await loadPlatform(f);
    const bytes = new Uint8Array(8192);
    new MathRandomSource().fill(bytes);
    // Each of the 256 values is missing from 8192 uniform bytes with probability e^-32.
    assert.equal(new Set(bytes).size, 256);
  });

  it('PollTimer polls at the stack\'s deadline, and at least every maxIntervalMs', async () => {
    const { f, timers } = makeFakes();
    const { PollTimer } = await loadPlatform(f);
    const clock = { now: () => timers.now };
    let deadline = 250;
    const polls: number[] = [];
    const stack = { nextDeadline: () => deadline, poll: () => { polls.push(timers.now); deadline = -1; }, setWake() {} };
    const poller = new PollTimer(stack, clock, 1000);
    timers.advance(249);
    assert.deepEqual(polls, []);
    timers.advance(1);
    assert.deepEqual(polls, [250]);
    timers.advance(1000);
    assert.deepEqual(polls, [250, 1250]);
    deadline = timers.now + 30;
    poller.reschedule();
    timers.advance(30);
    assert.deepEqual(polls, [250, 1250, 1280]);
    deadline = timers.now - 5;
    poller.reschedule();
    timers.advance(0);
    assert.deepEqual(polls, [250, 1250, 1280, 1280]);
    deadline = timers.now + 5000;		// far: still polled after maxIntervalMs
    poller.reschedule();
    timers.advance(1000);
    assert.deepEqual(polls, [250, 1250, 1280, 1280, 2280]);
    poller.stop();
    timers.advance(5000);
    assert.equal(polls.length, 5);
  });
});
