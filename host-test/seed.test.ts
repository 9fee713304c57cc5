// The seed document's scenario (../shared/pkt/seed-server-active-close.pkt), step by step
// at the engine level: the server accepts, closes first, the client ACKs our FIN and
// sends its own FIN with an old ACK field; we ACK it and hold TIME-WAIT for 2MSL.
import assert from 'node:assert/strict';
import { ACK, FIN, SYN } from '../firmware/tcp/wire';
import { Bench, Client, wires } from './support/net';

describe('seed script: server active close', () => {
  it('follows the scripted exchange exactly and stays quiet through TIME-WAIT', () => {
    const bench = new Bench({ mslMs: 30000 });
    bench.stack.listen(8080, { backlog: 1 });
    const c = new Client(bench, 8080, 40000, 0);
    // +0 < S 0:0(0) win 65535 <mss 100>   /   +0 > S. 0:0(0) ack 1 <...>
    const synAck = c.segment(SYN, { mss: 100, window: 65535 })[0];
    c.serverIsn = synAck.seq;
    assert.deepEqual(wires(c, [synAck]), [{ flags: 'S.', seq: 0, ack: 1, len: 0, win: 1072 }]);
    c.seq = 1;
    c.ack = (synAck.seq + 1) >>> 0;
    // .1 < . 1:1(0) ack 1 win 65535
    bench.advance(100);
    assert.deepEqual(c.segment(ACK, { window: 65535 }), []);
    // +.1 accept(3, ...) = 4
    bench.advance(100);
    const h = bench.stack.accept(0);
    assert.ok(h >= 0);
    // +.1 close(4) = 0   /   +0 > F. 1:1(0) ack 1
    bench.advance(100);
    bench.stack.close(h);
    assert.deepEqual(wires(c, bench.take()), [{ flags: 'F.', seq: 1, ack: 1, len: 0, win: 1072 }]);
    // +.1 < . 1:1(0) ack 2 win 257
    bench.advance(100);
    assert.deepEqual(c.segment(ACK, { ack: (c.ack + 1) >>> 0, window: 257 }), []);
    // +.1 < F. 1:1(0) win 65535 <mss 100>   (no ack given: packetdrill sends relative ack 0)
    bench.advance(100);
    const reply = c.segment(FIN | ACK, { ack: c.serverIsn, window: 65535, mss: 100 });
    // +0 > . 2:2(0) ack 2
    assert.deepEqual(wires(c, reply), [{ flags: '.', seq: 2, ack: 2, len: 0, win: 1072 }]);
    assert.deepEqual(bench.stack.usage(), { slotsInUse: 0, timeWait: 1 });
    // `sleep`: nothing more is sent, and the record expires after 2MSL.
    assert.deepEqual(bench.advance(59999), []);
    assert.equal(bench.stack.usage().timeWait, 1);
    assert.deepEqual(bench.advance(1000000), []);
    assert.equal(bench.stack.usage().timeWait, 0);
  });
});
