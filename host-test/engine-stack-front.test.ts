// The Stack's front half as the app and the platform see it (stack.ts up to accept()):
// memory(), listen()'s checks and their messages, unlisten(), event delivery (which
// events reach the app and when, exceptions from its callbacks, deferred delivery and
// the wake hook), and how often the clock is read. Pins what the mutation run showed
// no other test held.
import assert from 'node:assert/strict';
import { ACK, FIN, PSH, RST, SYN } from '../firmware/tcp/wire';
import { IPV4_HEADER, MSS_OPTION, Out, TCP_HEADER } from '../firmware/tcp/wire';
import { Count } from '../firmware/tcp/counters';
import { Lst, StackEvents } from '../firmware/tcp/core';
import { Tcb } from '../firmware/tcp/slots';
import { ConfigError, StackConfig } from '../firmware/tcp/config';
import { Stack } from '../firmware/tcp/stack';
import { PacketPort } from '../firmware/tcp/platform';
import { Prng } from '../host/prng';
import { Bench, Client, SERVER, VirtualClock, flagString } from './support/net';

/** Records every event the stack delivers, as short strings. */
function recorder(bench: Bench, hooks: Partial<StackEvents> = {}) {
  const log: string[] = [];
  const events: StackEvents = {
    acceptable: (l, n) => { log.push(`acceptable ${l} ${n}`); hooks.acceptable?.(l, n); },
    readable: (h, n) => { log.push(`readable ${h} ${n}`); hooks.readable?.(h, n); },
    writable: (h, n) => { log.push(`writable ${h} ${n}`); hooks.writable?.(h, n); },
    ended: (h) => { log.push(`ended ${h}`); hooks.ended?.(h); },
    error: (h, e) => { log.push(`error ${h} ${e}`); hooks.error?.(h, e); },
  };
  if (hooks.deferred) events.deferred = () => { log.push('deferred'); hooks.deferred?.(); };
  bench.stack.setEvents(events);
  return log;
}

describe('Stack.memory()', () => {
  it('adds up the parts: per slot, per TIME-WAIT record, packet buffers and tables', () => {
    const config: Partial<StackConfig> = { slots: 3, rxBytes: 1000, txBytes: 2000, mss: 600, timeWaitCapacity: 5, listeners: 2 };
    const m = new Bench(config).stack.memory();
    assert.equal(m.perSlot, Tcb.ROW * 4 + 1000 + 2000);
    // One outgoing packet (headers, the MSS option and an MSS of payload) and one input
    // buffer (60-byte IPv4 and TCP headers at most, and our MSS).
    assert.equal(m.packetBuffers, (IPV4_HEADER + TCP_HEADER + MSS_OPTION + 600) + (60 + 60 + 600));
    // Counters (32-bit), the listener table, the parsed segment, and SipHash's scratch:
    // a 20-byte message, the 8-byte result and two 16-byte keys.
    assert.equal(m.tables, Count.SIZE * 4 + 2 * Lst.ROW * 4 + Out.END * 4 + 20 + 8 + 2 * 16);
    assert.equal(m.total, m.perSlot * 3 + m.perTimeWait * 5 + m.packetBuffers + m.tables);
    assert.ok(m.perTimeWait > 0);
  });

  it('grows per slot by exactly the rx and tx buffer sizes', () => {
    const base = new Bench({ rxBytes: 1000, txBytes: 1000 }).stack.memory().perSlot;
    assert.equal(new Bench({ rxBytes: 1100, txBytes: 1000 }).stack.memory().perSlot, base + 100);
    assert.equal(new Bench({ rxBytes: 1000, txBytes: 1300 }).stack.memory().perSlot, base + 300);
  });
});

describe('Stack.listen() checks', () => {
  function throwsConfig(fn: () => unknown, message: string): void {
    assert.throws(fn, (e: unknown) => e instanceof ConfigError && e.message === message);
  }

  it('takes ports 1 to 65535 and refuses the rest with the port in the message', () => {
    const stack = new Bench({ listeners: 4 }).stack;
    throwsConfig(() => stack.listen(0), 'slotcp listen: bad port 0');
    throwsConfig(() => stack.listen(65536), 'slotcp listen: bad port 65536');
    throwsConfig(() => stack.listen(80.5), 'slotcp listen: bad port 80.5');
    throwsConfig(() => stack.listen(-80), 'slotcp listen: bad port -80');
    assert.equal(stack.listen(1), 0);
    assert.equal(stack.listen(65535), 1);
    throwsConfig(() => stack.listen(1), 'slotcp listen: port 1 is already listening');
  });

  it('says how many listeners are in use when the table is full', () => {
    const stack = new Bench({ listeners: 2 }).stack;
    stack.listen(80);
    stack.listen(81);
    throwsConfig(() => stack.listen(82), 'slotcp listen: all 2 listeners in use');
  });

  it('takes a backlog of 1 to 255', () => {
    const stack = new Bench({ listeners: 8 }).stack;
    throwsConfig(() => stack.listen(80, { backlog: 0 }), 'slotcp listen: backlog must be 1..255, got 0');
    throwsConfig(() => stack.listen(80, { backlog: 256 }), 'slotcp listen: backlog must be 1..255, got 256');
    throwsConfig(() => stack.listen(80, { backlog: 2.5 }), 'slotcp listen: backlog must be 1..255, got 2.5');
    assert.equal(stack.listen(80, { backlog: 1 }), 0);
    assert.equal(stack.listen(81, { backlog: 255 }), 1);
  });

  it('takes keepalive times of 1 ms to 2^30 - 1 ms and counts of 1 to 255, and nothing else', () => {
    const message = 'slotcp listen: keepalive needs whole idleMs and intervalMs from 1 to 2^30 and count 1..255';
    const good = { idleMs: 1000, intervalMs: 500, count: 3 };
    const bad = [
      { ...good, idleMs: 0 }, { ...good, idleMs: 0x40000000 }, { ...good, idleMs: 10.5 },
      { ...good, intervalMs: 0 }, { ...good, intervalMs: 0x40000000 }, { ...good, intervalMs: 10.5 },
      { ...good, count: 0 }, { ...good, count: 256 },
    ];
    const stack = new Bench({ listeners: 8 }).stack;
    for (const keepalive of bad) throwsConfig(() => stack.listen(80, { keepalive }), message);
    // None of those took a listener.
    assert.equal(stack.listen(80, { keepalive: { idleMs: 1, intervalMs: 1, count: 1 } }), 0);
    assert.equal(stack.listen(81, { keepalive: { idleMs: 0x3fffffff, intervalMs: 0x3fffffff, count: 255 } }), 1);
  });

  it('takes an mss of 64 to config.mss and a user timeout of 0 to 2^30 - 1 ms, at listen() and after', () => {
    const stack = new Bench({ listeners: 8, mss: 1000 }).stack;
    for (const mss of [63, 1001, 600.5, NaN]) {
      throwsConfig(() => stack.listen(80, { mss }), `slotcp listen: mss must be a whole number from 64 to config.mss (1000), got ${mss}`);
    }
    for (const userTimeoutMs of [-1, 0x40000000, 2.5, NaN]) {
      throwsConfig(() => stack.listen(80, { userTimeoutMs }), `slotcp listen: userTimeoutMs must be a whole number of ms up to 2^30, got ${userTimeoutMs}`);
    }
    // None of those took a listener.
    assert.equal(stack.listen(80, { mss: 64, userTimeoutMs: 0 }), 0);
    assert.equal(stack.listen(81, { mss: 1000, userTimeoutMs: 0x3fffffff }), 1);
    throwsConfig(() => stack.setListenOptions(0, { mss: 1001 }), 'slotcp setListenOptions: mss must be a whole number from 64 to config.mss (1000), got 1001');
    throwsConfig(() => stack.setListenOptions(0, { userTimeoutMs: -1 }), 'slotcp setListenOptions: userTimeoutMs must be a whole number of ms up to 2^30, got -1');
    for (const listener of [2, -1, 8, 0.5]) {
      throwsConfig(() => stack.setListenOptions(listener, { mss: 500 }), `slotcp setListenOptions: ${listener} is not a listener`);
    }
    stack.unlisten(1);
    throwsConfig(() => stack.setListenOptions(1, { mss: 500 }), 'slotcp setListenOptions: 1 is not a listener');
    stack.setListenOptions(0, { mss: 500, userTimeoutMs: 100 });
  });

  it('asks the packet path for the port, and throws when it has no room', () => {
    const asked: string[] = [];
    let room = true;
    const port: PacketPort = {
      send() {},
      addPort: (p) => { asked.push(`add ${p}`); return room; },
      removePort: (p) => { asked.push(`remove ${p}`); return true; },
    };
    const stack = new Stack({ localAddr: SERVER }, port, new VirtualClock(), new Prng(1));
    assert.equal(stack.listen(80), 0);
    room = false;
    assert.throws(() => stack.listen(81), (e: unknown) => e instanceof ConfigError
      && e.message === 'slotcp listen: the packet path has no room for port 81');
    // The refused port took no listener: 81 is free to listen on once there is room.
    room = true;
    assert.equal(stack.listen(81), 1);
    assert.deepEqual(asked, ['add 80', 'add 81', 'add 81']);
  });

  it('gives the port back to the packet path on unlisten, once', () => {
    const asked: string[] = [];
    const port: PacketPort = {
      send() {},
      addPort: (p) => { asked.push(`add ${p}`); return true; },
      removePort: (p) => { asked.push(`remove ${p}`); return true; },
    };
    const stack = new Stack({ localAddr: SERVER, listeners: 3 }, port, new VirtualClock(), new Prng(1));
    stack.listen(80);
    stack.listen(81);
    stack.unlisten(1);
    stack.unlisten(1);
    // Not listening, or no listener at all: nothing to give back.
    stack.unlisten(2);
    stack.unlisten(3);
    stack.unlisten(-1);
    stack.unlisten(0);
    assert.deepEqual(asked, ['add 80', 'add 81', 'remove 81', 'remove 80']);
  });
});

describe('Stack.listen() options and unlisten() on a listener other than the first', () => {
  it('turns Nagle off for connections of listener 1 with noDelay', () => {
    const bench = new Bench({ listeners: 2 });
    bench.stack.listen(80);
    assert.equal(bench.stack.listen(81, { noDelay: true }), 1);
    const c = new Client(bench, 81);
    c.connect();
    const h = bench.stack.accept(1);
    bench.stack.write(h, new Uint8Array(10));
    // With Nagle, the second small segment would wait for the first one's ACK.
    bench.stack.write(h, new Uint8Array(10));
    assert.deepEqual(bench.take().map((s) => [flagString(s.flags), c.rel(s.seq), s.payload.length]), [['P.', 1, 10], ['P.', 11, 10]]);
  });

  it('stops listener 1 only: its port then answers a SYN with a RST and may be listened on again', () => {
    const bench = new Bench({ listeners: 2 });
    bench.stack.listen(80);
    bench.stack.listen(81);
    bench.stack.unlisten(1);
    const reply = bench.send({ dstPort: 81, seq: 7, flags: SYN, mss: 1460 });
    assert.deepEqual(reply.map((s) => [flagString(s.flags), s.ack]), [['R.', 8]]);
    assert.equal(bench.send({ dstPort: 80, seq: 7, flags: SYN, mss: 1460 }).map((s) => flagString(s.flags)).join(), 'S.');
    assert.equal(bench.stack.listen(81), 1);
  });

  it('does not hand out a connection still in SYN-RECEIVED', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    new Client(bench, 80).syn();
    assert.equal(bench.stack.accept(0), -1);
    assert.equal(bench.stack.acceptable(0), 0);
  });

  it('names the offset and the buffer size when read() gets an offset past the buffer', () => {
    const bench = new Bench();
    assert.throws(() => bench.stack.read(0, new Uint8Array(4), 5), (e: unknown) => e instanceof RangeError
      && e.message === 'slotcp read: offset 5 is out of range for a buffer of 4 bytes');
  });
});

describe('event delivery', () => {
  it('returns the events set', () => {
    const bench = new Bench();
    const log = recorder(bench);
    assert.equal(typeof bench.stack.events.acceptable, 'function');
    bench.stack.events.acceptable(3, 4);
    assert.deepEqual(log, ['acceptable 3 4']);
  });

  it('announces a listener-1 connection once, not again on the next packet', () => {
    const bench = new Bench({ listeners: 2 });
    bench.stack.listen(80);
    bench.stack.listen(81);
    const log = recorder(bench);
    new Client(bench, 81).connect();
    assert.deepEqual(log, ['acceptable 1 1']);
    new Client(bench, 80, 40001).syn();
    bench.send({ dstPort: 82, seq: 1, flags: RST });
    assert.deepEqual(log, ['acceptable 1 1']);
  });

  it('does not announce a listener whose connections the deferred call already accepted', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const accepted: number[] = [];
    const log = recorder(bench, { deferred: () => { accepted.push(bench.stack.accept(0)); } });
    const c = new Client(bench, 80);
    c.syn();
    bench.stack.requestDelivery();
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(accepted.length, 1);
    assert.ok(accepted[0] >= 0);
    assert.deepEqual(log, ['deferred']);
  });

  it('tells nothing of a connection not yet accepted', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const log = recorder(bench);
    const c = new Client(bench, 80);
    c.connect();
    c.write('hello');
    c.fin();
    assert.deepEqual(log, ['acceptable 0 1']);
    assert.equal(bench.stack.acceptable(0), 1);
  });

  it('sends no readable event when the acceptable callback already read the bytes', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const got: number[] = [];
    const log = recorder(bench, {
      acceptable: () => {
        const h = bench.stack.accept(0);
        got.push(bench.stack.read(h, new Uint8Array(16)));
      },
    });
    const c = new Client(bench, 80);
    c.syn();
    // The handshake's ACK carries data.
    c.write('hello', ACK);
    assert.deepEqual(got, [5]);
    assert.deepEqual(log, ['acceptable 0 1']);
  });

  it('sends no writable event when the readable callback filled the send buffer', () => {
    const bench = new Bench({ txBytes: 100 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    assert.equal(bench.stack.write(h, new Uint8Array(10)), 10);
    bench.take();
    const wrote: number[] = [];
    const log = recorder(bench, { readable: () => { wrote.push(bench.stack.write(h, new Uint8Array(100))); } });
    // ACKs our 10 bytes (room comes free) and brings data.
    c.ack = (c.serverIsn + 11) >>> 0;
    c.write('x');
    assert.deepEqual(wrote, [100]);
    assert.equal(bench.stack.writable(h), 0);
    assert.deepEqual(log, [`readable ${h} 1`]);
  });

  it('tells a writable event with the room when data is acknowledged', () => {
    const bench = new Bench({ txBytes: 100 });
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(10));
    const log = recorder(bench);
    c.ack = (c.serverIsn + 11) >>> 0;
    c.segment(ACK);
    assert.deepEqual(log, [`writable ${h} 100`]);
  });

  it('sends no ended event to a connection the readable callback closed', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    const log = recorder(bench, { readable: (handle) => bench.stack.close(handle) });
    c.write('bye', FIN | ACK | PSH);
    assert.deepEqual(log, [`readable ${h} 3`]);
  });

  it('calls deferred() only when a delivery was asked for, and once per request', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const log = recorder(bench, { deferred: () => {} });
    new Client(bench, 80).syn();
    bench.stack.poll();
    assert.deepEqual(log, []);
    bench.stack.requestDelivery();
    bench.stack.requestDelivery();
    bench.stack.poll();
    bench.stack.poll();
    assert.deepEqual(log, ['deferred']);
  });

  it('takes events without deferred()', () => {
    const bench = new Bench();
    recorder(bench);
    bench.stack.requestDelivery();
    assert.equal(bench.stack.nextDeadline(), 0);
    bench.stack.poll();
    assert.equal(bench.stack.counters.appExceptions, 0);
    assert.equal(bench.stack.nextDeadline(), -1);
  });

  it('wakes the platform once per delivery request until it is delivered', () => {
    const bench = new Bench();
    recorder(bench, { deferred: () => {} });
    let wakes = 0;
    bench.stack.setWake(() => { wakes++; });
    bench.stack.requestDelivery();
    bench.stack.requestDelivery();
    assert.equal(wakes, 1);
    bench.stack.poll();
    bench.stack.requestDelivery();
    assert.equal(wakes, 2);
    bench.stack.setWake(undefined);
    bench.stack.poll();
    bench.stack.requestDelivery();
    assert.equal(wakes, 2);
  });

  it('rethrows from receive() what the acceptable callback threw, after counting it', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const boom = new Error('acceptable failed');
    recorder(bench, { acceptable: () => { throw boom; } });
    const c = new Client(bench, 80);
    c.syn();
    assert.throws(() => c.segment(ACK), (e: unknown) => e === boom);
    assert.equal(bench.stack.counters.appExceptions, 1);
    assert.equal(bench.stack.acceptable(0), 1);
  });

  it('rethrows from poll() what deferred() threw, after counting it', () => {
    const bench = new Bench();
    const boom = new Error('deferred failed');
    recorder(bench, { deferred: () => { throw boom; } });
    bench.stack.requestDelivery();
    assert.throws(() => bench.stack.poll(), (e: unknown) => e === boom);
    assert.equal(bench.stack.counters.appExceptions, 1);
    bench.stack.poll();
    assert.equal(bench.stack.counters.appExceptions, 1);
  });
});

describe('the clock', () => {
  class CountingClock extends VirtualClock {
    reads = 0;
    override now(): number {
      this.reads++;
      return this.time;
    }
  }

  function counted(config: Partial<StackConfig> = {}) {
    const clock = new CountingClock();
    const sent: Uint8Array[] = [];
    const stack = new Stack({ localAddr: SERVER, ...config }, { send: (p, n) => { sent.push(p.slice(0, n)); } }, clock, new Prng(1));
    return { clock, stack, sent };
  }

  it('poll() reads the clock itself, so a timer falls due without a nextDeadline() first', () => {
    const bench = new Bench({ synAckRetries: 3, rtoInitialMs: 1000 });
    bench.stack.listen(80);
    new Client(bench, 80).syn();
    bench.clock.time = 1000;
    bench.stack.poll();
    assert.deepEqual(bench.take().map((s) => [flagString(s.flags), s.usecs]), [['S.', 1000000]]);
  });

  it('is read by calls that change a live connection only, not by read-only calls or dead handles', () => {
    const { clock, stack } = counted();
    stack.listen(80);
    const before = clock.reads;
    assert.equal(stack.available(0x100), -1);
    stack.setKeepalive(0x100, 1000, 100, 3);
    stack.setNoDelay(0x100, true);
    assert.equal(clock.reads, before);
  });

  it('is read once per receive(), events delivered included', () => {
    const bench = new Bench();
    bench.stack.listen(80);
    const c = new Client(bench, 80);
    c.connect();
    const h = bench.stack.accept(0);
    bench.stack.write(h, new Uint8Array(10));
    recorder(bench);
    let reads = 0;
    const now = bench.clock.now.bind(bench.clock);
    bench.clock.now = () => { reads++; return now(); };
    c.ack = (c.serverIsn + 11) >>> 0;
    c.write('bye', FIN | ACK | PSH);
    assert.equal(reads, 1);
  });
});
