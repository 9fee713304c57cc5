// State-machine model check: random sequences of peer segments and app calls on one
// connection, compared after every step against a small reference model of RFC 9293's
// states written here from the RFC (plus slotcp's documented choices: RST on close with
// unread data, RST for data after close, RFC 1337, RFC 5961). A correct peer model
// acknowledges what the stack actually sent.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACK, FIN, PSH, RST, SYN } from '../firmware/tcp/wire';
import { Bench, Client } from './support/net';
import { SentSegment } from '../host/pkt/segments';

/** RFC 9293's states; CLOSED is a connection that has ended while the app still holds it
 *  (its unread data stays readable); GONE is one with no trace left. */
type State = 'ESTABLISHED' | 'CLOSE-WAIT' | 'LAST-ACK' | 'FIN-WAIT-1' | 'FIN-WAIT-2' | 'CLOSING' | 'TIME-WAIT' | 'CLOSED' | 'GONE';

const allStates: State[] = ['CLOSE-WAIT', 'CLOSED', 'CLOSING', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'GONE', 'LAST-ACK',
  'TIME-WAIT'];

const actions = [
  'peerData', 'peerFin', 'peerAck', 'peerRstExact', 'peerRstInWindow', 'peerSyn',
  'appRead', 'appWrite', 'appClose', 'appShutdown', 'appAbort', 'wait',
] as const;
type Action = (typeof actions)[number];

/** The reference: what RFC 9293 says the server's state becomes, and whether it resets. */
class Model {
  state: State = 'ESTABLISHED';
  unread = 0;
  appHolds = true;
  peerFinSent = false;
  /** Our FIN has been seen on the wire and is not yet acknowledged / has been acknowledged. */
  finSeen = false;
  finAcked = false;
  sendOpen = true;

}

/** Plays `list` against the stack and the model, checking after every step that they
 *  agree exactly; returns the model states it went through, in order. */
function run(list: Action[]): State[] {
  const reached: State[] = ['ESTABLISHED'];
  const bench = new Bench({ rxBytes: 4096, txBytes: 4096, mslMs: 30000, finWait2TimeoutMs: 600000 });
  bench.stack.listen(80);
  const c = new Client(bench, 80, 40000, 1000);
  c.connect();
  const h = bench.stack.accept(0);
  const m = new Model();
  let serverNext = c.ack; // the server's SND.NXT as seen on the wire
  const buf = new Uint8Array(4096);
  const log: string[] = [];

  const observe = (sent: SentSegment[]) => {
    for (const s of sent) {
      if (s.flags & RST) continue;
      const end = (s.seq + s.payload.length + (s.flags & FIN ? 1 : 0) + (s.flags & SYN ? 1 : 0)) >>> 0;
      if (((end - serverNext) | 0) > 0) serverNext = end;
      if (s.flags & FIN) m.finSeen = true;
    }
    return sent;
  };
  const resets = (sent: SentSegment[]) => sent.filter((s) => s.flags & RST).length;

  for (const action of list) {
    log.push(`${action} in ${m.state}`);
    let sent: SentSegment[] = [];
    let expectReset = false;
    switch (action) {
      case 'peerData': {
        if (m.peerFinSent || m.state === 'GONE' || m.state === 'TIME-WAIT' || m.unread > 3000) continue;
        sent = observe(c.write('x'.repeat(50)));
        if (!m.appHolds && (m.state === 'FIN-WAIT-1' || m.state === 'FIN-WAIT-2')) {
          expectReset = true; // data after close: nobody will read it
          m.state = 'GONE';
        } else {
          m.unread += 50;
        }
        break;
      }
      case 'peerFin': {
        if (m.peerFinSent || m.state === 'GONE' || m.state === 'TIME-WAIT') continue;
        sent = observe(c.fin());
        m.peerFinSent = true;
        if (m.state === 'ESTABLISHED') m.state = 'CLOSE-WAIT';
        else if (m.state === 'FIN-WAIT-1') m.state = 'CLOSING';
        else if (m.state === 'FIN-WAIT-2') m.state = 'TIME-WAIT';
        break;
      }
      case 'peerAck': {
        if (m.state === 'GONE') continue;
        c.ack = serverNext;
        sent = observe(c.segment(ACK));
        if (m.finSeen) m.finAcked = true;
        if (m.finAcked && m.state === 'FIN-WAIT-1') m.state = 'FIN-WAIT-2';
        else if (m.finAcked && m.state === 'CLOSING') m.state = 'TIME-WAIT';
        else if (m.finAcked && m.state === 'LAST-ACK') m.state = m.appHolds ? 'CLOSED' : 'GONE';
        break;
      }
      case 'peerRstExact': {
        if (m.state === 'GONE') continue;
        sent = observe(c.segment(RST));
        if (m.state !== 'TIME-WAIT') m.state = 'GONE'; // RFC 1337: TIME-WAIT ignores it
        break;
      }
      case 'peerRstInWindow': {
        if (m.state === 'GONE' || m.state === 'TIME-WAIT') continue;
        sent = observe(c.segment(RST, { seq: (c.seq + 100) >>> 0 }));
        break;
      }
      case 'peerSyn': {
        if (m.state === 'GONE') continue;
        sent = observe(c.segment(SYN, { seq: c.seq }));
        break;
      }
      case 'appRead':
        if (!m.appHolds) continue;
        bench.stack.read(h, buf);
        sent = observe(bench.take());
        m.unread = 0;
        break;
      case 'appWrite':
        if (!m.appHolds || !m.sendOpen || (m.state !== 'ESTABLISHED' && m.state !== 'CLOSE-WAIT')) continue;
        assert.equal(bench.stack.write(h, buf, 0, 30), 30);
        sent = observe(bench.take());
        break;
      case 'appShutdown':
        if (!m.appHolds || !m.sendOpen || m.state === 'GONE') continue;
        bench.stack.shutdown(h);
        sent = observe(bench.take());
        m.sendOpen = false;
        if (m.state === 'ESTABLISHED') m.state = 'FIN-WAIT-1';
        else if (m.state === 'CLOSE-WAIT') m.state = 'LAST-ACK';
        break;
      case 'appClose':
        if (!m.appHolds) continue;
        bench.stack.close(h);
        sent = observe(bench.take());
        m.appHolds = false;
        if (m.state === 'CLOSED') m.state = 'GONE';
        else if (m.unread > 0 && ['ESTABLISHED', 'CLOSE-WAIT', 'FIN-WAIT-1', 'FIN-WAIT-2'].includes(m.state)) {
          expectReset = true; // RFC 2525 §2.17
          m.state = 'GONE';
        } else if (m.state === 'ESTABLISHED') m.state = 'FIN-WAIT-1';
        else if (m.state === 'CLOSE-WAIT') m.state = 'LAST-ACK';
        m.sendOpen = false;
        break;
      case 'appAbort':
        if (!m.appHolds) continue;
        bench.stack.abort(h);
        sent = observe(bench.take());
        m.appHolds = false;
        expectReset = m.state !== 'GONE' && m.state !== 'TIME-WAIT' && m.state !== 'CLOSED';
        m.state = 'GONE';
        break;
      case 'wait':
        sent = observe(bench.advance(300)); // delayed ACKs; below every retransmission timeout
        break;
    }
    // A peer segment (other than a RST) to a connection that has ended meets no TCB and is
    // answered with a RST (RFC 9293 §3.10.7.1).
    if (m.state === 'CLOSED' && action.startsWith('peer') && !action.startsWith('peerRst') && sent.length) expectReset = true;
    reached.push(m.state);
    const where = log.join(' → ');
    assert.equal(resets(sent), expectReset ? 1 : 0, `RST expected: ${expectReset}; after ${where}`);
    const rows = bench.stack.connections().filter((r) => r.remotePort === c.port);
    assert.ok(rows.length <= 1, `one trace of the connection at most; after ${where}`);
    const row = rows[0];
    assert.equal(row ? row.state : 'GONE', m.state, `state after ${where}`);
    // TIME-WAIT stays in the slot while the app holds the socket, else it is a record.
    if (row) assert.equal(row.handle === -1, m.state === 'TIME-WAIT' && !m.appHolds, `slot or record after ${where}`);
  }
  return reached;
}

describe('state-machine model check', function () {
  this.timeout(60000);
  const seed = Number(process.env.FUZZ_SEED ?? 9293);
  const runs = Number(process.env.FUZZ_RUNS ?? 500);

  it(`agrees with the RFC 9293 reference model over ${runs} random sequences of 30 events (seed ${seed})`, () => {
    const reached = new Set<State>();
    fc.assert(fc.property(fc.array(fc.constantFrom(...actions), { minLength: 1, maxLength: 30 }), (list) => {
      for (const state of run(list)) reached.add(state);
    }), { seed, numRuns: runs });
    if (runs >= 500) assert.deepEqual([...reached].sort(), allStates, 'the random sequences went through every state');
  });

  it('reaches every state of the model on paths of its own, the stack agreeing at each step', () => {
    const paths: [Action[], State][] = [
      [['peerFin'], 'CLOSE-WAIT'],
      [['peerFin', 'appClose'], 'LAST-ACK'],
      [['peerFin', 'appShutdown', 'peerAck'], 'CLOSED'],
      [['appClose'], 'FIN-WAIT-1'],
      [['appClose', 'peerAck'], 'FIN-WAIT-2'],
      [['appClose', 'peerFin'], 'CLOSING'],
      [['appClose', 'peerAck', 'peerFin'], 'TIME-WAIT'], // a TIME-WAIT record
      [['appShutdown', 'peerAck', 'peerFin'], 'TIME-WAIT'], // in the slot, the app holding it
      [['appShutdown', 'peerAck', 'peerFin', 'appClose'], 'TIME-WAIT'], // moved to a record
      [['appClose', 'peerFin', 'peerAck'], 'TIME-WAIT'],
      [['peerData', 'appAbort'], 'GONE'],
    ];
    const reached = new Set<State>();
    for (const [path, last] of paths) {
      const states = run(path);
      assert.equal(states[states.length - 1], last, `${path.join(' → ')} ends in ${last}`);
      for (const state of states) reached.add(state);
    }
    assert.deepEqual([...reached].sort(), allStates);
  });

});
