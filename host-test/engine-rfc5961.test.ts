// RFC 5961 blind-attack defences and the RFC 9293 acceptability test where the counters
// matter: RSTs inside and outside the window, the challenge ACK limit, out-of-window data
// and its ACK limit across the clock's wrap. host-test/pkt/rfc5961/ pins the wire.
import assert from 'node:assert/strict';
import { ConnectionError } from '../firmware/tcp/core';
import { Count } from '../firmware/tcp/counters';
import { TraceEvent } from '../firmware/tcp/trace';
import { ACK, PSH, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client, established, wires } from './support/net';

const challenge = { flags: '.', seq: 1, ack: 1, len: 0, win: 1072 };

describe('RFC 5961 and segment acceptability', () => {

  it('RST inside the window but not at RCV.NXT gets a challenge ACK; the connection lives', () => {
    const { c, h, stack, errors } = established();
    for (const offset of [1, 500, 1071]) {
      assert.deepEqual(wires(c, c.segment(RST, { seq: (c.seq + offset) >>> 0 })), [challenge]);
    }
    assert.equal(stack.state(h), 'ESTABLISHED');
    assert.deepEqual(errors, []);
    assert.equal(stack.counters.challengeAcks, 3);
  });

  it('RST outside the window (right edge, beyond, left of RCV.NXT) is dropped silently', () => {
    const { c, h, stack } = established();
    for (const offset of [1072, 5000, -1, -100000]) {
      assert.deepEqual(c.segment(RST, { seq: (c.seq + offset) >>> 0 }), []);
    }
    assert.equal(stack.state(h), 'ESTABLISHED');
    assert.equal(stack.counters.droppedResets, 4);
  });

  it('rate-limits challenge ACKs per second', () => {
    const { bench, c, stack } = established({ challengeAcksPerSecond: 3 });
    let sent = 0;
    for (let i = 0; i < 10; i++) sent += c.segment(RST, { seq: (c.seq + 10 + i) >>> 0 }).length;
    assert.equal(sent, 3);
    assert.equal(stack.counters.challengeAcksSuppressed, 7);
    bench.advance(1000);
    assert.equal(c.segment(RST, { seq: (c.seq + 10) >>> 0 }).length, 1);
  });

  it('data outside the window is answered with an ACK (one per 500 ms) and dropped', () => {
    const { bench, c, h, stack } = established();
    assert.deepEqual(wires(c, c.segment(ACK, { seq: (c.seq + 2000) >>> 0, data: 'far' })), [challenge]);
    assert.deepEqual(c.segment(ACK, { seq: (c.seq + 3000) >>> 0, data: 'far' }), [], 'held back: too soon');
    bench.advance(500);
    assert.deepEqual(wires(c, c.segment(ACK, { seq: (c.seq - 2000) >>> 0, data: 'old' })), [challenge]);
    assert.equal(stack.available(h), 0);
    assert.equal(stack.counters.droppedOutOfWindow, 3);
    assert.equal(stack.counters.outOfWindowAcksSuppressed, 1);
  });

  it('answers a keepalive probe after 2^31 ms of quiet: the out-of-window limit survives the clock wrap', () => {
    const { bench, c, stack } = established();
    const probe = () => c.segment(ACK, { seq: (c.seq - 1) >>> 0 }); // the peer's keepalive: SEQ = RCV.NXT - 1
    assert.deepEqual(wires(c, probe()), [challenge]);
    bench.advance(2 ** 31 + 1); // just past 2^31 ms after the last ACK's stamp
    assert.deepEqual(wires(c, probe()), [challenge], 'the probe after the quiet spell is answered');
    assert.deepEqual(probe(), [], 'and the limit still holds right after it');
    bench.advance(2 ** 31 - 1); // 2^32 ms after the first probe: its stamp again, one wrap later
    bench.advance(500);
    assert.deepEqual(wires(c, probe()), [challenge]);
    assert.equal(stack.counters.outOfWindowAcksSuppressed, 1);
  });

  it('drops a segment without the ACK bit in a synchronized state, silently, and counts it', () => {
    const { c, h, stack } = established();
    assert.deepEqual(c.segment(PSH, { data: 'hello' }), []);
    assert.equal(stack.available(h), 0);
    assert.equal(stack.counters.droppedNoAck, 1);
  });

  it('tells the trace hook of every segment in, and of a challenged one as a drop with its reason', () => {
    const { c, stack } = established();
    const seen: [TraceEvent, number][] = [];
    stack.setTrace((event, reason) => seen.push([event, reason]));
    assert.deepEqual(wires(c, c.segment(SYN, { seq: (c.seq + 5) >>> 0 })), [challenge]);
    assert.deepEqual(seen, [[TraceEvent.In, 0], [TraceEvent.Drop, Count.challengeAcks], [TraceEvent.Out, 0]]);
  });
});
