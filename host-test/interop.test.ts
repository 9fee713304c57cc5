// Interop: `slotcp tun` serves the example services to Linux's own TCP through a TUN
// device in a namespace each test creates (and removes, also on failure). Clients run
// inside the namespace: curl, and the Node clients of interop-client.ts. Needs root,
// /dev/net/tun and socat (skipped, with the reason printed, only when one is missing).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcap, LINKTYPE_RAW } from '../host/pcap';
import { namespaceExists, namespacePids, removeNamespace, which } from '../host/serve/netns';
import { ACK, RST, SYN, finishPacket, flagLetters, parseIpv4 } from '../firmware/tcp/wire';
import { writeHeaders } from '../host/packet';
import { SLOTCP, Tun, disposeAll, interopSkipReason, pcapSegments, reassemble, runCommand } from './interop-harness';
import { SentSegment, decodeSegment } from '../host/pkt/segments';
import { patternSha256, payload, sha256 } from './interop-payload';

const KERNEL = '192.0.2.1';
const SLOTCP_ADDR = '192.0.2.2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The wall clock in microseconds, as the runner stamps its pcap records. */
const wallMicros = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);
const MB10 = 10 * 1024 * 1024;

/** The segments of one connection (by the client's port), with sequence and ACK numbers
 *  relative to each side's ISN, as packetdrill writes them: [from, flags, seq, ack, len]. */
function conversation(segments: SentSegment[], serverPort: number, clientPort: number): [string, string, number, number, number][] {
  const mine = segments.filter((s) => (s.srcPort === clientPort && s.dstPort === serverPort) || (s.srcPort === serverPort && s.dstPort === clientPort));
  const clientIsn = mine.find((s) => s.srcPort === clientPort && s.flags & SYN)?.seq ?? 0;
  const serverIsn = mine.find((s) => s.srcPort === serverPort && s.flags & SYN)?.seq ?? 0;
  return mine.map((s) => {
    const fromClient = s.srcPort === clientPort;
    const [mine_, theirs] = fromClient ? [clientIsn, serverIsn] : [serverIsn, clientIsn];
    return [fromClient ? 'client' : 'server', flagLetters(s.flags), (s.seq - mine_) >>> 0, s.flags & ACK ? (s.ack - theirs) >>> 0 : 0, s.payload.length];
  });
}

/** The conversation less the server's resends: segments whose data and FIN were all
 *  sent before (sequence numbers at or below the highest end seen so far). */
function firstSends(talk: [string, string, number, number, number][]): [string, string, number, number, number][] {
  let sentTo = 0;
  return talk.filter(([who, flags, seq, , len]) => {
    if (who !== 'server') return true;
    const end = seq + len + (flags.includes('F') ? 1 : 0);
    if (end <= sentTo && (len > 0 || flags.includes('F'))) return false;
    if (end > sentTo) sentTo = end;
    return true;
  });
}

/** Cuts the namespace's link to slotcp inside the kernel, both ways, without touching the
 *  TUN device or socat (a TUN set down makes socat's writes fail and socat exit, which
 *  ends slotcp tun): policy rules ahead of the local table blackhole everything from
 *  slotcp arriving on slot0 and everything the kernel sends to slotcp. */
async function cutLink(tun: Tun): Promise<void> {
  const rules = [
    ['rule', 'add', 'pref', '10', 'from', SLOTCP_ADDR, 'iif', 'slot0', 'blackhole'],
    ['rule', 'add', 'pref', '11', 'to', SLOTCP_ADDR, 'blackhole'],
    ['rule', 'add', 'pref', '100', 'lookup', 'local'],
    ['rule', 'del', 'pref', '0'],
  ];
  for (const rule of rules) {
    const r = await tun.exec('ip', rule, 10000);
    assert.equal(r.code, 0, `ip ${rule.join(' ')}: ${r.stderr}`);
  }
}

/** slotcp reset none of the connections: no reset for unread data, data after close,
 *  abort(), linger or a timeout. A reset may still answer a late duplicate from a client
 *  whose connection is already gone (RFC 9293 §3.10.7.1: no TCB, so a reset): when a
 *  service closes second, a spurious resend of our last segment in LAST-ACK (a tail loss
 *  probe after 2 × SRTT, a few ms on this link, when the runner's event loop is late)
 *  draws a second ACK after the first one closed the connection. Each such reset needs
 *  a resend before it, so there are never more of them than resent segments. */
function assertNoConnectionReset(c: any): void {
  const ended = [c.resetsOnCloseUnread, c.resetsOnDataAfterClose, c.resetsOnAbort, c.resetsOnLinger, c.retransmitTimeouts,
    c.keepaliveTimeouts];
  assert.deepEqual(ended, [0, 0, 0, 0, 0, 0], `counters ${JSON.stringify(c)}`);
  assert.ok(c.resetsSent <= c.retransmittedSegments, `${c.resetsSent} resets, ${c.retransmittedSegments} resends`);
}

describe('interop: Linux TCP clients through a TUN device (slotcp tun)', function () {
  this.timeout(90000);
  let dir = '';

  before(function () {
    const reason = interopSkipReason();
    if (reason) {
      console.log(`      interop tests skipped: ${reason}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'slotcp-interop-'));
  });
  afterEach(disposeAll);
  // SLOTCP_INTEROP_KEEP=1 keeps the pcaps and stats of the run for a look afterwards.
  after(() => {
    if (dir && process.env.SLOTCP_INTEROP_KEEP) console.log(`      interop files kept in ${dir}`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

  it('prints how to reach it, serves curl, and removes namespace, socat and runner on SIGTERM', async () => {
    assert.ok(which('curl'), 'curl is needed (apt-get install curl)');
    const tun = await Tun.start();
    assert.match(tun.output, new RegExp(`^slotcp tun: namespace ${tun.ns}: kernel 192\\.0\\.2\\.1/24 on slot0, slotcp 192\\.0\\.2\\.2$`, 'm'));
    assert.match(tun.output, new RegExp(`^slotcp tun: try: ip netns exec ${tun.ns} curl http://192\\.0\\.2\\.2/$`, 'm'));
    assert.match(tun.output, /^slotcp serve: listening 7 echo, 9 discard, 19 source:1048576, 80 http, 5000 hold:2000, 5001 closer$/m);
    const page = await tun.exec('curl', ['-sS', '-m', '10', 'http://192.0.2.2/']);
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, /^slotcp 192\.0\.2\.2 {2}up \d+ s\nslots \d+\/16 in use, TIME-WAIT \d+\/64\n/);
    const missing = await tun.exec('curl', ['-sS', '-m', '10', '-o', '/dev/null', '-w', '%{http_code}', 'http://192.0.2.2/nope']);
    assert.equal(missing.stdout, '404');
    const pids = namespacePids(tun.ns);
    assert.equal(pids.length, 2, 'the runner and socat run in the namespace');
    assert.equal(await tun.stop('SIGTERM'), 0);
    assert.equal(tun.namespaceExists(), false, 'namespace removed');
    assert.deepEqual(pids.filter(alive), [], 'runner and socat gone');
    assert.match(tun.output, /^slotcp serve: stopped \(SIGTERM\)/m);
  });

  it('the ECMA-419 example app (examples/http-server) serves curl: keep-alive, a chunked response, Connection: close', async () => {
    assert.ok(which('curl'), 'curl is needed (apt-get install curl)');
    const tun = await Tun.start(['--listen', '80:example-http', '--slots', '4']);
    // Three requests on one connection (curl reuses it): num_connects is 1, then 0, 0.
    const three = await tun.exec('curl', ['-sS', '-m', '10', '--http1.1', '-w', ' [%{http_code} %{num_connects}]\n',
      'http://192.0.2.2/', 'http://192.0.2.2/chunked', 'http://192.0.2.2/nope']);
    assert.equal(three.code, 0, three.stderr);
    const chunked = `${'x'.repeat(99)}\n`.repeat(10);
    assert.equal(three.stdout, `Hello from an ECMA-419 server\n [200 1]\n${chunked} [200 0]\nnot found\n [404 0]\n`);
    const headers = await tun.exec('curl', ['-sS', '-m', '10', '-D', '-', '-o', '/dev/null', 'http://192.0.2.2/chunked']);
    assert.match(headers.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(headers.stdout, /\r\nTransfer-Encoding: chunked\r\n/);
    // Connection: close: the server closes after the response; every slot is free again.
    const closing = await tun.exec('curl', ['-sS', '-m', '10', '-H', 'Connection: close', '-D', '-', 'http://192.0.2.2/']);
    assert.match(closing.stdout, /\r\nConnection: close\r\n/);
    for (let i = 0; i < 20; i++) {
      const r = await tun.exec('curl', ['-sS', '-m', '10', '-o', '/dev/null', '-w', '%{http_code}', 'http://192.0.2.2/']);
      assert.equal(r.stdout, '200', `request ${i}: ${r.stderr}`);
    }
    assert.equal(await tun.stop('SIGTERM'), 0);
  });

  it('exits 1 and removes everything when the runner dies; leaves an existing namespace alone', async () => {
    const tun = await Tun.start(['--listen', '7:echo']);
    const [runnerPid] = namespacePids(tun.ns).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve'));
    process.kill(runnerPid, 'SIGKILL');
    assert.equal(await tun.exited, 1);
    assert.match(tun.output, /^slotcp tun: the runner exited \(SIGKILL\)$/m);
    assert.equal(tun.namespaceExists(), false);

    const taken = `slotcp-t${process.pid}-taken`;
    await runCommand('ip', ['netns', 'add', taken], 10000);
    try {
      const r = await runCommand(process.execPath, [SLOTCP, 'tun', '--netns', taken], 10000);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^slotcp: namespace ${taken} already exists \\(not touching it`));
      assert.ok(namespaceExists(taken), 'still there');
    } finally {
      removeNamespace(taken);
    }
  });

  it('leaves nothing behind when slotcp tun itself is killed with SIGKILL', async () => {
    const tun = await Tun.start(['--listen', '7:echo']);
    const pids = namespacePids(tun.ns);
    assert.equal(pids.length, 2, 'the runner and socat run in the namespace');
    process.kill(tun.pid, 'SIGKILL');
    assert.equal(await tun.exited, -1);
    // A zombie (not yet reaped by whoever inherited it) counts as gone.
    const running = (pid: number) => { try { return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
    for (let waited = 0; waited < 5000 && (tun.namespaceExists() || pids.some(running)); waited += 50) await sleep(50);
    assert.equal(tun.namespaceExists(), false, 'namespace removed');
    assert.deepEqual(pids.filter(running), [], 'runner and socat gone');
  });

  it('writes --stats on SIGINT exit and cleans up the same way', async () => {
    const stats = join(dir, 'sigint.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '80:http']);
    const got = await tun.client('get', [80, '/']);
    assert.equal(got.status, 200);
    assert.equal(await tun.stop('SIGINT'), 0);
    assert.equal(tun.namespaceExists(), false);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    const [http] = s.services;
    assert.deepEqual([http.port, http.name, http.accepted, http.closed, http.errors], [80, 'http', 1, 1, 0]);
    assert.match(got.body, /^slotcp 192\.0\.2\.2 /);
    assert.ok(http.bytesOut > got.body.length && http.bytesIn > 0, 'head and body counted');
    assert.equal(s.counters.passiveOpens, 1);
    assert.equal(s.counters.timeWaitEntered, 1);
    assert.ok(s.counters.droppedNotIpv4 >= 0);
    assert.equal(s.link.droppedForeign, 0);
  });

  it('churn soak: 10,000 sequential HTTP connections through 4 slots and 8 TIME-WAIT records', async () => {
    const stats = join(dir, 'http.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '80:http', '--slots', '4', '--timewait', '8']);
    const r = await tun.client('http', [80, 10000], 90000);
    console.log(`      10,000 sequential HTTP requests: ${r.ms} ms (${(r.ms / 10000).toFixed(2)} ms each)`);
    assert.deepEqual(r.statuses, { 200: 10000 });
    assert.equal(r.badBodies, 0);
    assert.match(r.lastBody, /TIME-WAIT 8\/8/);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 8 });
    assert.equal(s.counters.passiveOpens, 10000);
    assert.equal(s.counters.established, 10000);
    assert.equal(s.counters.timeWaitEntered, 10000, 'the server closed first every time');
    assert.equal(s.counters.timeWaitEvicted, 10000 - 8);
    assert.equal(s.counters.resetsSent, 0);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.closed, x.errors]), [[10000, 10000, 0]]);
  });

  it('echo: 3 × 2 MB at once come back byte for byte; discard takes 3 MB; source gives 1 MiB of the pattern', async () => {
    const stats = join(dir, 'bulk.json');
    const tun = await Tun.start(['--stats', stats]);
    const [echo, discard, source] = await Promise.all([
      tun.client('echo', [7, 2000000, 11, 3]),
      tun.client('discard', [9, 3000000]),
      tun.client('source', [19]),
    ]);
    console.log(`      echo 3 x 2 MB: ${echo.ms} ms; discard 3 MB: ${discard.ms} ms; source 1 MiB: ${source.ms} ms`);
    assert.deepEqual(echo.results, Array(3).fill({ received: 2000000, firstDiff: -1, ended: true }));
    assert.deepEqual([discard.received, discard.ended, discard.error], [0, true, undefined]);
    assert.deepEqual([source.received, source.badAt, source.ended, source.error], [1048576, -1, true, undefined]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    const by = Object.fromEntries(s.services.map((x: any) => [x.name, x]));
    assert.deepEqual([by.echo.accepted, by.echo.closed, by.echo.bytesIn, by.echo.bytesOut], [3, 3, 6000000, 6000000]);
    assert.deepEqual([by.discard.accepted, by.discard.closed, by.discard.bytesIn], [1, 1, 3000000]);
    assert.deepEqual([by['source:1048576'].closed, by['source:1048576'].bytesOut], [1, 1048576]);
    assertNoConnectionReset(s.counters);
    assert.equal(s.counters.timeWaitEntered, 1, 'source closed first: TIME-WAIT; echo and discard closed second');
  });

  it('hold: unread data → the client sees ECONNRESET after MS; a client that sent nothing sees EOF', async () => {
    const stats = join(dir, 'hold.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '5000:hold:300']);
    const [reset, quiet] = await Promise.all([tun.client('hold', [5000, 1000]), tun.client('hold', [5000, 0])]);
    assert.equal(reset.error, 'ECONNRESET');
    assert.ok(reset.ms >= 290 && reset.ms < 5000, `reset after ${reset.ms} ms`);
    assert.deepEqual([quiet.error, quiet.ended, quiet.received], [undefined, true, 0]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    assert.equal(s.counters.resetsOnCloseUnread, 1);
    assert.equal(s.counters.resetsSent, 1);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.closed, x.errors]), [[2, 2, 0]]);
  });

  it('closer: 300 connections (8 at a time) each see EOF; the TIME-WAIT table stays at its capacity', async () => {
    const stats = join(dir, 'closer.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '5001:closer', '--timewait', '16', '--slots', '8']);
    const r = await tun.client('closer', [5001, 300, 8]);
    console.log(`      300 connections to closer: ${r.ms} ms`);
    assert.deepEqual([r.eofs, r.errors], [300, []]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 16 });
    assert.equal(s.counters.timeWaitEntered, 300);
    assert.equal(s.counters.timeWaitEvicted, 300 - 16);
    assert.equal(s.counters.resetsSent, 0);
    assert.equal(s.connections.length, 16);
    assert.ok(s.connections.every((c: any) => c.state === 'TIME-WAIT' && !c.inSlot && c.local === 5001));
  });

  it('impairment (1% loss, 1% duplication, 1% reordering, both ways): every transfer still byte-exact', async () => {
    // Rates and sizes are kept small: slotcp drops out-of-order segments and offers no
    // timestamps, so each loss costs Linux a go-back-N round whose RTT samples Karn's rule
    // discards; at 2% each way single transfers can stall for a minute in RTO backoff.
    const stats = join(dir, 'impair.json');
    const seed = 4;
    const tun = await Tun.start(['--stats', stats, '--impair', `loss=0.01,dup=0.01,reorder=0.01,seed=${seed}`,
      '--listen', '7:echo', '--listen', '9:discard', '--listen', '19:source:100000', '--listen', '80:http']);
    const [http, echo, discard, source] = await Promise.all([
      tun.client('http', [80, 50]),
      tun.client('echo', [7, 30000, 5, 2]),
      tun.client('discard', [9, 30000]),
      tun.client('source', [19]),
    ]);
    console.log(`      impaired (seed ${seed}): 50 HTTP ${http.ms} ms, echo 2 x 30 kB ${echo.ms} ms, `
      + `discard 30 kB ${discard.ms} ms, source 100 kB ${source.ms} ms`);
    assert.deepEqual(http.statuses, { 200: 50 });
    assert.equal(http.badBodies, 0);
    assert.deepEqual(echo.results, Array(2).fill({ received: 30000, firstDiff: -1, ended: true }));
    assert.deepEqual([discard.ended, discard.error], [true, undefined]);
    assert.deepEqual([source.received, source.badAt, source.ended], [100000, -1, true]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    const { in: into, out } = s.impairment;
    console.log(`      impairment in ${JSON.stringify(into)}, out ${JSON.stringify(out)}`);
    for (const kind of ['dropped', 'duplicated', 'reordered']) assert.ok(into[kind] + out[kind] > 0, `some packets ${kind}`);
    for (const way of [into, out]) assert.ok(way.dropped + way.duplicated + way.reordered > 0);
    assert.equal(s.counters.packetsIn, into.packets - into.dropped + into.duplicated, 'the stack got what the link let through');
    const by = Object.fromEntries(s.services.map((x: any) => [x.name, x]));
    assert.equal(by.discard.bytesIn, 30000);
    assert.deepEqual([by.echo.bytesIn, by.echo.bytesOut, by.echo.closed], [60000, 60000, 2]);
  });

  it('--pcap records every packet in and out, readable as classic pcap (and by tshark when installed)', async () => {
    const pcap = join(dir, 'run.pcap');
    const stats = join(dir, 'pcap.json');
    const tun = await Tun.start(['--pcap', pcap, '--stats', stats, '--listen', '80:http', '--listen', '7:echo']);
    await tun.client('get', [80, '/']);
    await tun.client('echo', [7, 5000, 3, 1]);
    await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    assert.equal(await tun.stop(), 0);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    const file = readPcap(readFileSync(pcap));
    assert.equal(file.linkType, LINKTYPE_RAW);
    assert.equal(file.records.length, s.counters.packetsIn + s.counters.segmentsOut, 'every packet in and out');
    const v4 = file.records.filter((r) => r.data[0] >> 4 === 4);
    const tcp = v4.map((r) => decodeSegment(r.data, 0));
    const [kernel, slotcp] = [parseIpv4(KERNEL) >>> 0, parseIpv4(SLOTCP_ADDR) >>> 0];
    assert.equal(tcp.filter((t) => t.srcAddr === slotcp).length, s.counters.segmentsOut);
    assert.equal(tcp.filter((t) => t.srcAddr === kernel && t.dstPort === 80 && t.flags === 0x02).length, 1, 'one SYN to :80');
    assert.equal(tcp.filter((t) => t.srcAddr === slotcp && t.srcPort === 80 && t.flags === 0x12).length, 1, 'one SYN-ACK from :80');
    for (let i = 1; i < file.records.length; i++) {
      const a = file.records[i - 1];
      const b = file.records[i];
      assert.ok(b.seconds * 1e6 + b.micros >= a.seconds * 1e6 + a.micros, 'timestamps never go back');
    }
    assert.ok(file.records.every((r) => r.originalLength === r.data.length));
    if (which('tshark')) {
      const { spawnSync } = await import('node:child_process');
      const out = spawnSync('tshark', ['-r', pcap, '-Y', 'tcp', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const lines = out.stdout.trim().split('\n');
      assert.equal(lines.length, v4.length, 'tshark sees every TCP packet');
      assert.deepEqual([...new Set(lines)].sort(), ['0', '1'], 'two TCP streams');
    }
  });

  // ---- issue #4 -------------------------------------------------------------------------

  it('1,000 sequential HTTP requests with --slots 4 --timewait 8: all 200, 992 TIME-WAIT evictions, fixed memory unchanged', async () => {
    const stats = join(dir, 'http-small.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '80:http', '--slots', '4', '--timewait', '8']);
    const before = await tun.stats(stats);
    const runner = tun.runnerPid();
    const rss = () => {
      try { return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${runner}/status`, 'utf8'))?.[1] ?? -1); } catch { return -1; }
    };
    const rssBefore = rss();
    const r = await tun.client('http', [80, 1000]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    console.log(`      1,000 HTTP requests on 4 slots / 8 TIME-WAIT records: ${r.ms} ms; runner RSS ${rssBefore} → ${rss()} kB `
      + `(informative); fixed ${s.memory.total} B`);
    assert.deepEqual(r.statuses, { 200: 1000 });
    assert.equal(r.badBodies, 0);
    assert.match(r.lastBody, /^slots [0-4]\/4 in use, TIME-WAIT 8\/8$/m);
    assert.deepEqual([before.config.slots, before.config.timeWaitCapacity], [4, 8]);
    assert.deepEqual(s.memory, before.memory, 'the fixed memory figure did not change');
    assert.equal(s.memory.total, 4 * s.memory.perSlot + 8 * s.memory.perTimeWait + s.memory.packetBuffers + s.memory.tables);
    assert.match(tun.output, new RegExp(`^slotcp serve: 4 slots .*TIME-WAIT 8 records .*, ${s.memory.total} bytes fixed$`, 'm'));
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 8 });
    assert.equal(s.counters.passiveOpens, 1000);
    assert.equal(s.counters.established, 1000);
    assert.equal(s.counters.timeWaitEntered, 1000);
    assert.equal(s.counters.timeWaitEvicted, s.counters.timeWaitEntered - 8);
    assert.equal(s.counters.timeWaitExpired, 0);
    // Nothing is lost on this link, so the only resends may be tail loss probes, sent when a
    // client's ACK came later than the probe timeout (2 × SRTT, a few ms on this link; a busy machine):
    // no timeout and no fast retransmission.
    assert.deepEqual([s.counters.resetsSent, s.counters.droppedSlotsFull, s.counters.droppedBacklogFull,
      s.counters.retransmittedSegments - s.counters.lossProbes], [0, 0, 0, 0]);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.closed, x.errors]), [[1000, 1000, 0]]);
    assert.equal(s.connections.length, 8);
    assert.ok(s.connections.every((c: any) => c.state === 'TIME-WAIT' && !c.inSlot));
  });

  it('32 concurrent echo clients against --slots 4: every client gets its 20 kB back intact', async () => {
    const stats = join(dir, 'echo32.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '7:echo', '--slots', '4']);
    const r = await tun.client('echo', [7, 20000, 100, 32], 60000);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    const times = [...r.times].sort((a: number, b: number) => a - b);
    const c = s.counters;
    console.log(`      32 clients on 4 slots: all done in ${r.ms} ms (first ${times[0]} ms, median ${times[16]} ms, last ${times[31]} ms); `
      + `SYNs dropped (slots full ${c.droppedSlotsFull}, backlog full ${c.droppedBacklogFull}), SYN cookies ${c.synCookiesSent} sent `
      + `/ ${c.synCookiesAccepted} accepted, ${c.retransmittedSegments} retransmissions`);
    // Outcomes by kind (a compact failure message): every one must be a whole echo.
    const outcomes: Record<string, number> = {};
    for (const x of r.results) {
      const kind = x.received === 20000 && x.firstDiff === -1 && x.ended && !x.error ? 'intact' : `${x.error ?? 'no error'}, ${x.received} B back`;
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
    }
    assert.deepEqual(outcomes, { intact: 32 }, `counters ${JSON.stringify(c)}`);
    const [echo] = s.services;
    assert.deepEqual([echo.accepted, echo.closed, echo.errors, echo.bytesIn, echo.bytesOut], [32, 32, 0, 640000, 640000]);
    assert.equal(c.established, 32);
    assert.ok(c.droppedSlotsFull + c.droppedBacklogFull + c.synCookiesSent > 0, 'the 4 slots were a limit: some clients had to wait');
    assertNoConnectionReset(c);
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 0 }, 'echo closes second: no TIME-WAIT on our side');
  });

  it('10 MB upload to discard and 10 MB download from source, SHA-256 verified at the far end (clean link)', async () => {
    const stats = join(dir, 'big.json');
    const pcap = join(dir, 'big.pcap');
    const tun = await Tun.start(['--stats', stats, '--pcap', pcap, '--listen', '9:discard', '--listen', `19:source:${MB10}`]);
    const [up, down] = await Promise.all([tun.client('upload', [9, MB10, 77], 60000), tun.client('download', [19], 60000)]);
    console.log(`      clean: upload 10 MB ${up.ms} ms, download 10 MB ${down.ms} ms`);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    checkUpload(s, pcap, up, 77);
    checkDownload(s, down);
    assertNoConnectionReset(s.counters);
  });

  it('10 MB up and down with loss=0.05,dup=0.01,reorder=0.05: finishes within 110 s, SHA-256 verified', async function () {
    // Both ends agree to SACK, so Linux resends only what slotcp lacks, and slotcp (as the
    // sender) resends the holes Linux reports; the host runner's 200 ms RTO floor covers
    // the rest. If the transfers do not finish within the clients' deadline, the failure
    // says how far each got and what Linux saw.
    this.timeout(150000);
    const seed = 7;
    const stats = join(dir, 'big-impaired.json');
    const pcap = join(dir, 'big-impaired.pcap');
    const tun = await Tun.start(['--stats', stats, '--pcap', pcap, '--impair', `loss=0.05,dup=0.01,reorder=0.05,seed=${seed}`,
      '--listen', '9:discard', '--listen', `19:source:${MB10}`]);
    const deadline = 110000;
    // Just before the clients give up, the kernel's view of both connections (bytes
    // ACKed, RTO backoff) for the report.
    let kernel = '';
    const look = setTimeout(async () => {
      const ss = await tun.exec('ss', ['-Htin', 'dst', SLOTCP_ADDR], 5000);
      kernel = ss.stdout.trim().replace(/\s+/g, ' ').split(/ (?=ESTAB|FIN-WAIT|CLOSE-WAIT|LAST-ACK)/).map((conn) => {
        const field = (name: string) => new RegExp(`\\b${name}:([^ ]+)`).exec(conn)?.[1] ?? '-';
        return `${conn.split(' ')[0]} ${/192\.0\.2\.2:(\d+)/.exec(conn)?.[1]}: bytes_acked ${field('bytes_acked')}, `
          + `bytes_received ${field('bytes_received')}, retrans ${field('retrans')}, rto ${field('rto')} ms, backoff ${field('backoff')}`;
      }).join('; ');
    }, deadline - 2000);
    let up: any;
    let down: any;
    try {
      [up, down] = await Promise.all([tun.client('upload', [9, MB10, 78], deadline, true), tun.client('download', [19], deadline, true)]);
    } finally {
      clearTimeout(look);
    }
    const s = await tun.stats(stats);
    const by = Object.fromEntries(s.services.map((x: any) => [x.name, x]));
    const pct = (n: number) => `${(100 * n / MB10).toFixed(1)}%`;
    const c = s.counters;
    const report = `impaired (seed ${seed}): upload ${up.error ? `NOT DONE after ${up.ms} ms` : `${up.ms} ms`}, discard read `
      + `${by.discard.bytesIn} B (${pct(by.discard.bytesIn)}); download ${down.error ? `NOT DONE after ${down.ms} ms` : `${down.ms} ms`}, `
      + `client got ${down.error ? down.progress.received : down.received} B (${pct(down.error ? down.progress.received : down.received)}); `
      + `slotcp: ${c.retransmittedSegments} retransmissions (${c.fastRetransmits} fast, ${c.sackRetransmits} SACK holes, `
      + `${c.lostResends} lost resends, ${c.lossProbes} tail loss probes, ${c.retransmitTimerExpiries} on timeout), `
      + `${c.outOfOrderHeld} out-of-order held, ${c.droppedOutOfOrder} dropped; impairment in ${JSON.stringify(s.impairment.in)} out ${JSON.stringify(s.impairment.out)}`
      + (kernel ? `; Linux ${deadline / 1000 - 2} s in: ${kernel}` : '');
    console.log(`      ${report}`);
    // Each transfer that finished is checked in full, whether or not the other did.
    if (!up.error) checkUpload(s, pcap, up, 78);
    if (!down.error) checkDownload(s, down);
    assert.ok(!up.error && !down.error, `did not finish within ${deadline / 1000} s: ${report}`);
    // No connection was given up or reset by slotcp. (A RST may still answer a duplicate
    // the link delivered after its connection was gone, as RFC 9293 says it must.)
    assert.deepEqual([c.retransmitTimeouts, c.resetsOnCloseUnread, c.resetsOnDataAfterClose, c.resetsOnAbort], [0, 0, 0, 0]);
  });

  /** The upload's checks: the client's digest, the bytes the stack received (discard only
   *  counts, so they are rebuilt from the runner's pcap, which shows what the stack saw,
   *  after the impairment) and discard's counts. `s`: stats taken after the upload ended
   *  (taking them also flushes the pcap). */
  function checkUpload(s: any, pcap: string, up: any, seed: number): void {
    const expected = sha256(payload(MB10, seed));
    assert.deepEqual([up.sent, up.sha256, up.ended, up.error, up.received], [MB10, expected, true, undefined, 0]);
    const discard = s.services.find((x: any) => x.name === 'discard');
    assert.deepEqual([discard.accepted, discard.closed, discard.errors, discard.bytesIn], [1, 1, 0, MB10]);
    const segments = pcapSegments(pcap);
    const client = segments.find((x) => x.dstPort === 9 && x.flags === SYN)!;
    const got = reassemble(segments, { addr: KERNEL, port: client.srcPort }, { addr: SLOTCP_ADDR, port: 9 }, MB10);
    assert.deepEqual([got.covered, got.conflicts, sha256(got.bytes)], [MB10, 0, expected], 'slotcp received every byte sent');
    const lastAck = segments.filter((x) => x.srcPort === 9 && x.dstPort === client.srcPort && x.flags & ACK).pop()!;
    assert.equal((lastAck.ack - client.seq) >>> 0, MB10 + 2, "slotcp's last ACK covers the 10 MB and the client's FIN");
  }

  /** The download's checks: every byte the client got is source's pattern, and its
   *  SHA-256 is the pattern's. */
  function checkDownload(s: any, down: any): void {
    assert.deepEqual([down.received, down.badAt, down.sha256, down.ended, down.error], [MB10, -1, patternSha256(MB10), true, undefined]);
    const source = s.services.find((x: any) => x.name === `source:${MB10}`);
    assert.deepEqual([source.accepted, source.closed, source.errors, source.bytesOut], [1, 1, 0, MB10]);
  }

  it('half-close: after the client shuts down its write side, http and echo still send their whole reply, then close', async () => {
    const stats = join(dir, 'half.json');
    const pcap = join(dir, 'half.pcap');
    const tun = await Tun.start(['--stats', stats, '--pcap', pcap, '--listen', '80:http', '--listen', '7:echo']);
    const page = await tun.client('request', [80, '/']);
    assert.deepEqual([page.statusLine, page.ended, page.error], ['HTTP/1.1 200 OK', true, undefined]);
    assert.equal(page.bodyLength, page.contentLength);
    assert.match(page.body, /^slotcp 192\.0\.2\.2 /);
    const echo = await tun.client('echo', [7, 100000, 21, 1]);
    assert.deepEqual(echo.results, [{ received: 100000, firstDiff: -1, ended: true }]);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    const by = Object.fromEntries(s.services.map((x: any) => [x.name, x]));
    assert.deepEqual([by.http.accepted, by.http.closed, by.http.errors], [1, 1, 0]);
    assert.deepEqual([by.echo.accepted, by.echo.closed, by.echo.errors, by.echo.bytesIn, by.echo.bytesOut], [1, 1, 0, 100000, 100000]);
    assertNoConnectionReset(s.counters);
    assert.equal(await tun.stop(), 0);
    const segments = pcapSegments(pcap);
    for (const [port, replyBytes] of [[80, by.http.bytesOut], [7, 100000]]) {
      const clientPort = segments.find((x) => x.dstPort === port && x.flags === SYN)!.srcPort;
      // Without resends (a tail loss probe may repeat the last segment on this
      // few-ms-RTT link): what the reply and its FIN took, each byte once.
      const talk = firstSends(conversation(segments, port, clientPort));
      const clientFin = talk.findIndex(([who, flags]) => who === 'client' && flags.includes('F'));
      const serverFin = talk.findIndex(([who, flags]) => who === 'server' && flags.includes('F'));
      const after = talk.slice(clientFin + 1).filter(([who]) => who === 'server').reduce((n, [, , , , len]) => n + len, 0);
      const total = talk.filter(([who]) => who === 'server').reduce((n, [, , , , len]) => n + len, 0);
      assert.ok(clientFin > 0 && serverFin > clientFin, `port ${port}: the client's FIN came before the server's`);
      assert.equal(total, replyBytes, `port ${port}: the whole reply`);
      assert.ok(after > 0, `port ${port}: reply data after the client's FIN`);
      if (port === 80) {
        assert.deepEqual(talk[clientFin].slice(1), ['FP.', 34, 1, 2], "http: the request's last 2 bytes and the FIN in one segment");
        assert.equal(after, replyBytes, 'http: the whole reply after the request and its FIN');
      }
      // The server's FIN follows its last byte, and the client ACKs it.
      const [, , finSeq, finAck, finLength] = talk[serverFin];
      assert.deepEqual([finSeq + finLength, finAck], [replyBytes + 1, talk[clientFin][2] + talk[clientFin][4] + 1]);
      assert.ok(talk.slice(serverFin + 1).some(([who, flags, , ack]) => who === 'client' && flags === '.' && ack === replyBytes + 2));
      assert.ok(!talk.some(([, flags]) => flags.includes('R')), `port ${port}: no RST`);
    }
  });

  it("seed scenario against Linux: closer's FIN, the client's ACK and FIN, slotcp's last ACK (pcap), and the TIME-WAIT record (stats)", async () => {
    const stats = join(dir, 'seed.json');
    const pcap = join(dir, 'seed.pcap');
    const tun = await Tun.start(['--stats', stats, '--pcap', pcap, '--listen', '5001:closer']);
    // The client waits 300 ms after EOF before closing, so its ACK of the FIN goes out on
    // its own (Linux's delayed ACK is at most 200 ms), as in the seed script.
    const r = await tun.client('seed', [5001, 300]);
    assert.deepEqual([r.received, r.error], [0, undefined]);
    assert.ok(r.endMs >= 0 && r.closeMs - r.endMs >= 300, JSON.stringify(r));
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0 && x.usage.timeWait === 1);
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 1 });
    assert.deepEqual(s.connections, [{ state: 'TIME-WAIT', local: 5001, remote: `${KERNEL}:${r.localPort}`, rxQueued: 0, txQueued: 0, inSlot: false }]);
    assert.deepEqual([s.counters.timeWaitEntered, s.counters.timeWaitEvicted, s.counters.timeWaitExpired, s.counters.resetsSent], [1, 0, 0, 0]);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.closed, x.errors]), [[1, 1, 0]]);
    // Linux got slotcp's last ACK: its socket is gone (not left in LAST-ACK).
    let ss = await tun.exec('ss', ['-Htan', 'dst', SLOTCP_ADDR], 10000);
    for (let i = 0; i < 20 && ss.code === 0 && ss.stdout.trim() !== ''; i++) {
      await sleep(100);
      ss = await tun.exec('ss', ['-Htan', 'dst', SLOTCP_ADDR], 10000);
    }
    assert.equal(ss.code, 0, ss.stderr);
    assert.equal(ss.stdout.trim(), '', 'no socket to slotcp left in the kernel');
    assert.equal(await tun.stop(), 0);
    const talk = conversation(pcapSegments(pcap), 5001, r.localPort);
    assert.deepEqual(talk.map(([who, flags, seq, ack, len]) => `${who} ${flags} ${seq}:${seq + len}(${len}) ack ${ack}`), [
      'client S 0:0(0) ack 0',
      'server S. 0:0(0) ack 1',
      'client . 1:1(0) ack 1',
      'server F. 1:1(0) ack 1',
      'client . 1:1(0) ack 2',
      'client F. 1:1(0) ack 2',
      'server . 2:2(0) ack 2',
    ]);
  });

  it('keepalive 1000,500,3: probes answered keep an idle client; once its link is cut, the slot is freed after 3 probes', async () => {
    const stats = join(dir, 'keepalive.json');
    const pcap = join(dir, 'keepalive.pcap');
    const tun = await Tun.start(['--stats', stats, '--pcap', pcap, '--listen', '7:echo', '--keepalive', '1000,500,3']);
    const idle = tun.background('idle', [7], 30000);
    const hello = await idle.line((l) => l.connected, 10000);
    // Link up and the client idle for 2.6 s: the kernel answers every probe.
    await sleep(2600);
    let s = await tun.stats(stats);
    assert.equal(s.usage.slotsInUse, 1, 'an idle client that answers probes keeps its slot');
    assert.ok(s.counters.keepaliveProbes >= 2, `probes while the link was up: ${s.counters.keepaliveProbes}`);
    assert.equal(s.counters.keepaliveTimeouts, 0);
    await cutLink(tun);
    const cut = wallMicros();
    s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0, 8000);
    const freedMs = (wallMicros() - cut) / 1000;
    console.log(`      slot freed ${freedMs.toFixed(0)} ms after the cut (idle 1000 + 3 x 500 after the last answer before it)`);
    assert.equal(s.usage.slotsInUse, 0, 'the slot was freed');
    assert.ok(freedMs >= 1400 && freedMs <= 2500 + 1000, `freed within idle + count x interval + 1 s slack: ${freedMs} ms`);
    assert.deepEqual([s.counters.keepaliveTimeouts, s.counters.resetsSent], [1, 1]);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.errors, x.bytesIn, x.bytesOut]), [[1, 1, 5, 5]]);
    // The cut was real: the kernel never saw slotcp's RST, its socket is still established.
    const ss = await tun.exec('ss', ['-Htan', 'dst', SLOTCP_ADDR], 10000);
    assert.match(ss.stdout, new RegExp(`^ESTAB .* ${KERNEL.replace(/\./g, '\\.')}:${hello.localPort} +192\\.0\\.2\\.2:7 *$`, 'm'));
    idle.kill();
    assert.equal(await tun.stop(), 0);
    // On the wire: the last segment from the client, then exactly 3 probes (SEQ=SND.NXT-1,
    // no data) at +1000, +1500, +2000 ms and the RST at +2500 ms.
    const segments = pcapSegments(pcap).filter((x) => x.srcPort === hello.localPort || x.dstPort === hello.localPort);
    const last = segments.filter((x) => x.srcPort === hello.localPort).pop()!;
    assert.ok(last.usecs < cut, 'nothing from the client after the cut');
    const then = segments.filter((x) => x.usecs > last.usecs);
    const serverNext = last.ack; // slotcp's SND.NXT
    assert.deepEqual(then.map((x) => [flagLetters(x.flags), x.payload.length, x.flags & RST ? x.seq === serverNext : (x.seq + 1) >>> 0 === serverNext]),
      [['.', 0, true], ['.', 0, true], ['.', 0, true], ['R.', 0, true]]);
    const offsets = then.map((x) => Math.round((x.usecs - last.usecs) / 1000));
    console.log(`      after the client's last segment: probes at +${offsets.slice(0, 3).join(', +')} ms, RST at +${offsets[3]} ms`);
    [1000, 1500, 2000, 2500].forEach((want, i) => assert.ok(Math.abs(offsets[i] - want) <= 250, `segment ${i} at +${offsets[i]} ms, want +${want}`));
  });

  it('a non-IPv4 packet, corrupt IPv4 packets and a foreign datagram are dropped and counted; the stack keeps serving', async () => {
    const stats = join(dir, 'bad.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '80:http']);
    // The kernel's own IPv6 chatter (router solicitations) would blur the counts.
    const off = await tun.exec('sh', ['-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/slot0/disable_ipv6'], 10000);
    assert.equal(off.code, 0, off.stderr);
    await sleep(200);
    const before = await tun.stats(stats);
    // A well-formed SYN to :80 from the kernel's address...
    const syn = new Uint8Array(44);
    writeHeaders(syn, 1, 64, parseIpv4(KERNEL), parseIpv4(SLOTCP_ADDR), 40000, 80, 12345, 0, SYN, 65535, 1460, 0);
    finishPacket(syn);
    // ... with its TCP checksum broken.
    const badChecksum = syn.slice();
    badChecksum[20 + 16] ^= 0x55;
    // ... with its IPv4 header checksum broken.
    const badIpChecksum = syn.slice();
    badIpChecksum[10] ^= 0x55;
    // An IPv6 packet (UDP, 8 bytes of payload).
    const ipv6 = new Uint8Array(48);
    ipv6.set([0x60, 0, 0, 0, 0, 8, 17, 64]);
    ipv6.fill(0xaa, 8, 24);
    ipv6.fill(0xbb, 24, 40);
    // Ten bytes: shorter than any IPv4 header.
    const truncated = syn.slice(0, 10);
    for (const [i, packet] of [ipv6, badChecksum, badIpChecksum, truncated].entries()) await tun.inject(packet, join(dir, `bad-${i}.bin`));
    // And a datagram to the runner's UDP port from someone other than its peer (socat).
    await tun.datagramToRunner(syn, join(dir, 'bad-udp.bin'));
    const after = await tun.statsWhen(stats, (x) => x.counters.packetsIn >= before.counters.packetsIn + 4 && x.link.droppedForeign > before.link.droppedForeign);
    const delta = (get: (x: any) => number) => get(after) - get(before);
    assert.deepEqual({
      packetsIn: delta((x) => x.counters.packetsIn),
      droppedNotIpv4: delta((x) => x.counters.droppedNotIpv4),
      droppedBadChecksum: delta((x) => x.counters.droppedBadChecksum),
      droppedBadIpHeader: delta((x) => x.counters.droppedBadIpHeader),
      segmentsIn: delta((x) => x.counters.segmentsIn),
      segmentsOut: delta((x) => x.counters.segmentsOut),
      passiveOpens: delta((x) => x.counters.passiveOpens),
      datagramsIn: delta((x) => x.link.datagramsIn),
      droppedForeign: delta((x) => x.link.droppedForeign),
    }, {
      packetsIn: 4, droppedNotIpv4: 1, droppedBadChecksum: 1, droppedBadIpHeader: 2, segmentsIn: 0, segmentsOut: 0, passiveOpens: 0,
      datagramsIn: 4, droppedForeign: 1,
    });
    assert.deepEqual(after.usage, { slotsInUse: 0, timeWait: 0 });
    const page = await tun.client('get', [80, '/']);
    assert.equal(page.status, 200);
    assert.match(page.body, /^slotcp 192\.0\.2\.2 /);
  });
});
