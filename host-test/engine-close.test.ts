// Close paths where the app's side matters beyond the wire: the ended event, handle
// state, write()'s result after shutdown, abort(), and the counters (RFC 9293 §3.10.4,
// §3.10.7.4; RFC 2525 §2.17). The wire exchange of every close path, the seed script's
// old-ACK FIN included, is pinned by host-test/pkt/close/*.pkt.
import assert from 'node:assert/strict';
import { ACK } from '../firmware/tcp/wire';
import { established, wires } from './support/net';

describe('close paths', () => {
  it('passive close: FIN → ACK → CLOSE-WAIT; close → FIN → LAST-ACK; ACK → slot free', () => {
    const { bench, c, h, stack } = established();
    let ended = 0;
    stack.setEvents({ acceptable() {}, readable() {}, writable() {}, ended: () => ended++, error() {} });
    assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 1, ack: 2, len: 0, win: 1072 }]);
    assert.equal(stack.state(h), 'CLOSE-WAIT');
    assert.equal(ended, 1);
    assert.equal(stack.ended(h), true);
    stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 2, len: 0, win: 1072 }]);
    assert.equal(stack.usage().slotsInUse, 1);
    c.ack = (c.ack + 1) >>> 0;
    assert.deepEqual(c.segment(ACK), []);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 0 }, 'LAST-ACK → CLOSED, no TIME-WAIT');
  });

  it('active close: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT, slot freed, record kept for 2MSL', () => {
    const { bench, c, h, stack } = established();
    stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
    assert.equal(stack.state(h), 'CLOSED', 'the handle is released by close()');
    c.ack = (c.ack + 1) >>> 0;
    assert.deepEqual(c.segment(ACK), []);
    assert.equal(stack.connections()[0].state, 'FIN-WAIT-2');
    assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 1 });
    assert.equal(stack.nextDeadline(), bench.clock.time + 60000);
    assert.deepEqual(bench.advance(59999), []);
    assert.equal(stack.usage().timeWait, 1);
    bench.advance(1);
    assert.equal(stack.usage().timeWait, 0);
    assert.equal(stack.counters.timeWaitExpired, 1);
  });

  it('half-close: shutdown() sends FIN and FIN-WAIT-2 keeps receiving', () => {
    const { bench, c, h, stack } = established();
    stack.shutdown(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
    c.ack = (c.ack + 1) >>> 0;
    c.segment(ACK);
    assert.equal(stack.state(h), 'FIN-WAIT-2');
    assert.equal(stack.write(h, new Uint8Array(1)), -2, 'the send side is closed (-1 is for a dead handle)');
    assert.deepEqual(c.write('more'), []);
    assert.equal(stack.available(h), 4);
    assert.deepEqual(wires(c, c.fin()), [{ flags: '.', seq: 2, ack: 6, len: 0, win: 1067 }]);
    assert.equal(stack.state(h), 'TIME-WAIT', 'the app still holds it: TIME-WAIT in the slot');
    const buf = new Uint8Array(10);
    assert.equal(stack.read(h, buf), 4);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), 'more');
    assert.equal(stack.ended(h), true);
    stack.close(h);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 1 });
    assert.deepEqual(bench.take(), [], 'no RST: everything was read');
  });

  it('close() with unread data sends RST (RFC 2525 §2.17), frees the slot, keeps no TIME-WAIT', () => {
    const { bench, c, h, stack } = established();
    c.write('unread');
    bench.take();
    stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'R.', seq: 1, ack: 7, len: 0, win: 0 }]);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 0 });
    assert.equal(stack.counters.resetsOnCloseUnread, 1);
  });

  it('data arriving after close() is answered with RST and the slot freed', () => {
    const { bench, c, h, stack } = established();
    stack.close(h);
    bench.take();
    // The client has not ACKed our FIN: the reset goes at its SEG.ACK (1), where an RFC 5961
    // peer accepts it, not at SND.NXT (2).
    assert.deepEqual(wires(c, c.write('late')), [{ flags: 'R', seq: 1, ack: 0, len: 0, win: 0 }]);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 0 });
    assert.equal(stack.counters.resetsOnDataAfterClose, 1);
  });

  it('abort() sends RST and frees the slot at once', () => {
    const { bench, c, h, stack } = established();
    stack.abort(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'R.', seq: 1, ack: 1, len: 0, win: 0 }]);
    assert.deepEqual(stack.usage(), { slotsInUse: 0, timeWait: 0 });
    assert.equal(stack.state(h), 'CLOSED');
  });

  it('an orphaned FIN-WAIT-2 is reset after finWait2TimeoutMs', () => {
    const { bench, c, h, stack } = established({ finWait2TimeoutMs: 5000 });
    stack.close(h);
    bench.take();
    c.ack = (c.ack + 1) >>> 0;
    c.segment(ACK);
    assert.deepEqual(bench.advance(4999), []);
    assert.deepEqual(wires(c, bench.advance(1)), [{ flags: 'R.', seq: 2, ack: 1, len: 0, win: 0 }]);
    assert.equal(stack.usage().slotsInUse, 0);
    assert.equal(stack.counters.finWait2Timeouts, 1);
  });
});
