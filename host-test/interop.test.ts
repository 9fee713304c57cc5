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
import { SLOTCP, Tun, disposeAll, interopSkipReason, runCommand } from './interop-harness';

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
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

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

  it('answers 1,000 sequential HTTP requests, each on its own connection, with TIME-WAIT bounded', async () => {
    const stats = join(dir, 'http.json');
    const tun = await Tun.start(['--stats', stats, '--listen', '80:http', '--timewait', '64']);
    const r = await tun.client('http', [80, 1000]);
    console.log(`      1,000 sequential HTTP requests: ${r.ms} ms (${(r.ms / 1000).toFixed(2)} ms each)`);
    assert.deepEqual(r.statuses, { 200: 1000 });
    assert.equal(r.badBodies, 0);
    assert.match(r.lastBody, /TIME-WAIT 64\/64/);
    const s = await tun.statsWhen(stats, (x) => x.usage.slotsInUse === 0);
    assert.deepEqual(s.usage, { slotsInUse: 0, timeWait: 64 });
    assert.equal(s.counters.passiveOpens, 1000);
    assert.equal(s.counters.established, 1000);
    assert.equal(s.counters.timeWaitEntered, 1000, 'the server closed first every time');
    assert.equal(s.counters.timeWaitEvicted, 1000 - 64);
    assert.equal(s.counters.resetsSent, 0);
    assert.equal(s.counters.retransmittedSegments, 0);
    assert.deepEqual(s.services.map((x: any) => [x.accepted, x.closed, x.errors]), [[1000, 1000, 0]]);
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
    assert.equal(s.counters.resetsSent, 0);
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
    const tcp = (r: { data: Uint8Array }) => {
      const ihl = (r.data[0] & 15) * 4;
      const view = new DataView(r.data.buffer, r.data.byteOffset);
      return { src: r.data.slice(12, 16).join('.'), dport: view.getUint16(ihl + 2), sport: view.getUint16(ihl), flags: r.data[ihl + 13] };
    };
    assert.equal(v4.filter((r) => tcp(r).src === '192.0.2.2').length, s.counters.segmentsOut);
    assert.equal(v4.filter((r) => tcp(r).src === '192.0.2.1' && tcp(r).dport === 80 && tcp(r).flags === 0x02).length, 1, 'one SYN to :80');
    assert.equal(v4.filter((r) => tcp(r).src === '192.0.2.2' && tcp(r).sport === 80 && tcp(r).flags === 0x12).length, 1, 'one SYN-ACK from :80');
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
});
