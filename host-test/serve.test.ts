// `slotcp serve` without root: its flags (bad ones exit 2), the UDP link driven by packets
// this test crafts (junk dropped and counted, a connection served), --stats on SIGUSR1 and
// on exit, --pcap, clean shutdown on SIGTERM; and the impairment and pcap modules alone.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACK, PSH, SYN } from '../firmware/tcp/wire';
import { UsageError } from '../host/cli';
import { Impairment, parseImpair } from '../host/link/impair';
import { LINKTYPE_RAW, PcapWriter, readPcap } from '../host/pcap';
import { writeStats } from '../host/stats';
import { ServeOptions, parseServeArgs } from '../host/serve/options';
import { namespaceExists } from '../host/serve/netns';
import { SLOTCP, runCommand } from './interop-harness';
import { buildPacket, flagString } from './support/net';
import { SentSegment, decodeSegment, mssOption } from '../host/pkt/segments';

describe('slotcp serve: flags', () => {
  const parse = (...args: string[]) => parseServeArgs(args, 'serve') as ServeOptions;

  it('applies the host defaults and the default services', () => {
    const o = parse();
    assert.deepEqual(o.link, { bind: { host: '127.0.0.1', port: 9001 }, peer: { host: '127.0.0.1', port: 9000 } });
    assert.deepEqual([o.config.localAddr, o.config.slots, o.config.rxBytes, o.config.txBytes, o.config.mss, o.config.timeWaitCapacity,
      o.config.mslMs, o.config.listeners], [0xc0000202, 16, 16384, 16384, 1460, 64, 30000, 6]);
    // Linux's RTO floor on the host (the board keeps RFC 6298's 1 s); SACK offered back.
    assert.deepEqual([o.config.rtoMinMs, o.config.rtoInitialMs, o.config.sack], [200, 1000, true]);
    assert.deepEqual(o.services.map((s) => `${s.port}:${s.spec}`), ['7:echo', '9:discard', '19:source:1048576', '80:http', '5000:hold:2000', '5001:closer']);
    assert.equal(o.impair, undefined);
  });

  it('takes every flag, in both --flag value and --flag=value forms', () => {
    const o = parse('--link', 'udp:127.0.0.1:0:127.0.0.2:7000', '--addr=10.1.2.3', '--listen', '8080:http', '--listen=7:echo',
      '--slots', '3', '--rx', '65535', '--tx=4096', '--timewait', '0', '--msl', '1000', '--mss', '536',
      '--keepalive', '1000,500,3', '--pcap', 'x.pcap', '--stats', 's.json', '--impair', 'loss=0.1,reorder=.5,seed=9',
      '--rto-min', '50', '--sack=off');
    assert.deepEqual(o.link, { bind: { host: '127.0.0.1', port: 0 }, peer: { host: '127.0.0.2', port: 7000 } });
    assert.deepEqual([o.config.localAddr, o.config.slots, o.config.rxBytes, o.config.txBytes, o.config.timeWaitCapacity, o.config.mslMs,
      o.config.mss, o.config.listeners], [0x0a010203, 3, 65535, 4096, 0, 1000, 536, 2]);
    assert.deepEqual(o.keepalive, { idleMs: 1000, intervalMs: 500, count: 3 });
    assert.deepEqual([o.pcap, o.stats], ['x.pcap', 's.json']);
    assert.deepEqual(o.impair, { loss: 0.1, dup: 0, reorder: 0.5, seed: 9 });
    assert.deepEqual([o.config.rtoMinMs, o.config.rtoInitialMs, o.config.sack], [50, 1000, false]);
    // A floor above the first RTO raises the first RTO with it.
    assert.deepEqual([parse('--rto-min', '3000').config.rtoInitialMs, parse('--sack', 'on').config.sack], [3000, true]);
  });

  it('names the problem with each bad flag', () => {
    const bad: [string[], RegExp][] = [
      [['--bogus'], /unknown flag '--bogus'/],
      [['--slots'], /--slots needs a value/],
      [['--slots', 'many'], /--slots needs a whole number, got 'many'/],
      [['--slots', '0'], /--slots: slots must be an integer from 1 to 255, got 0/],
      [['--rx', '70000'], /--rx: rxBytes must be an integer from 64 to 65535/],
      [['--link', 'tcp:1:2:3:4'], /--link must be udp:BIND_HOST:BIND_PORT:PEER_HOST:PEER_PORT/],
      [['--link', 'udp:10.0.0.1:9001:127.0.0.1:9000'], /bind host must be a 127\.x\.x\.x address/],
      [['--link', 'udp:127.0.0.1:9001:127.0.0.1:0'], /peer port cannot be 0/],
      [['--addr', '127.0.0.1'], /--addr must be a unicast IPv4 address/],
      [['--addr', '300.1.1.1'], /--addr must be a unicast/],
      [['--listen', '7'], /--listen must be PORT:SERVICE/],
      [['--listen', '70000:echo'], /--listen must be PORT:SERVICE/],
      [['--listen', '7:ftp'], /--listen 7:ftp: unknown service 'ftp'/],
      [['--listen', '19:source'], /source:BYTES must be a whole number/],
      [['--listen', '7:echo', '--listen', '7:discard'], /port 7 given twice/],
      [['--keepalive', '1000,500'], /--keepalive must be IDLE_MS,INTERVAL_MS,COUNT/],
      [['--impair', 'loss=1'], /loss must be a probability from 0 to below 1, got '1'/],
      [['--impair', 'jitter=0.1'], /unknown key 'jitter'/],
      [['--impair', 'seed=-1'], /seed must be a whole number/],
      [['--netns', 'x'], /unknown flag '--netns'/],
      [['--rto-min', '0'], /--rto-min must be from 1 to 60000 ms \(the largest RTO\), got 0/],
      [['--rto-min', '70000'], /--rto-min must be from 1 to 60000 ms/],
      [['--rto-min', '1.5'], /--rto-min needs a whole number/],
      [['--sack', 'yes'], /--sack must be on or off, got 'yes'/],
      [['--addr', '010.0.0.1'], /--addr must be a dotted quad without leading zeros, got '010\.0\.0\.1'/],
      [['--link', 'udp:127.0.0.1:9001:127.000.0.01:9000'], /--link: peer host must be a dotted quad without leading zeros, got '127\.000\.0\.01'/],
      [['--link', 'udp:127.0.0.01:9001:127.0.0.1:9000'], /--link: bind host must be a dotted quad without leading zeros/],
    ];
    for (const [args, message] of bad) {
      assert.throws(() => parseServeArgs(args, 'serve'), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
    }
    assert.throws(() => parseServeArgs(['--link', 'udp:127.0.0.1:1:127.0.0.1:2'], 'tun'), /tun makes its own link/);
    assert.throws(() => parseServeArgs(['--addr', '10.0.0.2'], 'tun'), /192\.0\.2\.2 to 192\.0\.2\.254/);
    assert.throws(() => parseServeArgs(['--netns', 'a b'], 'tun'), /--netns must be a plain name/);
  });

  it('exits with status 2 and a clear message on bad flags (serve and tun)', async () => {
    const runs = await Promise.all([
      runCommand(process.execPath, [SLOTCP, 'serve', '--listen', '7:ftp'], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', '--slots', '1000'], 10000),
      runCommand(process.execPath, [SLOTCP, 'tun', '--link', 'udp:127.0.0.1:1:127.0.0.1:2'], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', '--help'], 10000),
    ]);
    assert.deepEqual(runs.map((r) => r.code), [2, 2, 2, 0]);
    assert.equal(runs[0].stderr, "slotcp serve: --listen 7:ftp: unknown service 'ftp' (known: echo, discard, source:BYTES, http, hold:MS, closer)\n");
    assert.equal(runs[1].stderr, 'slotcp serve: --slots: slots must be an integer from 1 to 255, got 1000\n');
    assert.match(runs[2].stderr, /^slotcp tun: unknown flag '--link' \(tun makes its own link\)\nusage: slotcp tun/);
    assert.match(runs[3].stdout, /^usage: slotcp serve /);
    assert.deepEqual(runs.map((r) => r.stdout.includes('ready')), [false, false, false, false]);
  });

  it('rejects a zero-padded peer address (it would drop every datagram as foreign)', async () => {
    const r = await runCommand(process.execPath, [SLOTCP, 'serve', '--link', 'udp:127.0.0.1:0:127.000.0.01:9000'], 10000);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "slotcp serve: --link: peer host must be a dotted quad without leading zeros, got '127.000.0.01'\n");
  });
});

/** The test's end of the UDP link: receives what the runner sends, sends crafted packets. */
class Peer {
  readonly received: SentSegment[] = [];
  readonly raw: Buffer[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg) => {
      this.raw.push(msg);
      this.received.push(decodeSegment(new Uint8Array(msg), Date.now() * 1000));
    });
  }
  static open(): Promise<Peer> {
    return new Promise((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.bind(0, '127.0.0.1', () => resolve(new Peer(socket)));
    });
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(to: number, bytes: Uint8Array): void {
    this.socket.send(bytes, to, '127.0.0.1');
  }
  async waitFor(count: number, ms = 3000): Promise<SentSegment[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.received;
  }
}

describe('slotcp serve over a UDP link (crafted packets, no root needed)', function () {
  this.timeout(20000);
  let dir = '';
  let child: ChildProcess | undefined;
  const sockets: dgram.Socket[] = [];

  before(() => { dir = mkdtempSync(join(tmpdir(), 'slotcp-serve-')); });
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of sockets.splice(0)) s.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function startServe(args: string[]): Promise<{ port: number; output: () => string; exited: Promise<number | null> }> {
    const proc = spawn(process.execPath, [SLOTCP, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => { output += c; });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => { output += c; });
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const deadline = Date.now() + 10000;
    let match: RegExpMatchArray | null;
    while (!(match = /^slotcp serve: ready on udp 127\.0\.0\.1:(\d+)$/m.exec(output))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return { port: Number(match[1]), output: () => output, exited };
  }

  async function statsAfterUsr1(file: string): Promise<any> {
    rmSync(file, { force: true });
    child!.kill('SIGUSR1');
    for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    return JSON.parse(readFileSync(file, 'utf8'));
  }

  it('drops and counts junk, serves a connection, writes --stats on SIGUSR1 and exit, resets open connections on SIGTERM', async () => {
    const peer = await Peer.open();
    const stranger = await Peer.open();
    sockets.push(peer.socket, stranger.socket);
    const stats = join(dir, 'stats.json');
    const pcap = join(dir, 'serve.pcap');
    const serve = await startServe(['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`, '--listen', '7:echo', '--stats', stats, '--pcap', pcap]);
    assert.match(serve.output(), /^slotcp serve: 192\.0\.2\.2 over udp 127\.0\.0\.1:\d+, peer 127\.0\.0\.1:\d+$/m);

    const syn = buildPacket({ srcPort: 40000, dstPort: 7, seq: 1000, flags: SYN, mss: 1460 });
    const ipv6 = new Uint8Array(48); // an IPv6 router solicitation's size, as the kernel sends into a TUN
    ipv6.set([0x60, 0, 0, 0, 0, 8, 58, 255]);
    peer.send(serve.port, ipv6);
    peer.send(serve.port, Uint8Array.from([0x45, 0, 0])); // truncated IPv4
    peer.send(serve.port, buildPacket({ dst: 0xc0000203, dstPort: 7, seq: 1, flags: SYN })); // not our address
    stranger.send(serve.port, syn); // a valid SYN, but not from the peer
    peer.send(serve.port, syn);
    const [synAck] = await peer.waitFor(1);
    assert.equal(flagString(synAck.flags), 'S.');
    assert.deepEqual([synAck.srcAddr, synAck.dstAddr, synAck.srcPort, synAck.dstPort, synAck.ack, mssOption(synAck.options), synAck.window],
      [0xc0000202, 0xc0000201, 7, 40000, 1001, 1460, 16384]);
    peer.send(serve.port, buildPacket({ srcPort: 40000, dstPort: 7, seq: 1001, ack: synAck.seq + 1, flags: ACK | PSH, data: 'hello' }));
    const replies = await peer.waitFor(2);
    assert.equal(new TextDecoder().decode(replies[1].payload), 'hello');
    assert.equal(replies[1].ack, 1006);
    assert.equal(stranger.received.length, 0, 'nothing goes to anyone but the peer');

    const s = await statsAfterUsr1(stats);
    assert.deepEqual([s.counters.packetsIn, s.counters.droppedNotIpv4, s.counters.droppedBadIpHeader, s.counters.droppedWrongAddress],
      [5, 1, 1, 1]);
    assert.deepEqual({ ...s.link }, { datagramsIn: 5, datagramsOut: 2, droppedForeign: 1, droppedKernel: 0, sendErrors: 0 });
    assert.deepEqual(s.usage, { slotsInUse: 1, timeWait: 0 });
    assert.deepEqual(s.connections, [{ state: 'ESTABLISHED', local: 7, remote: '192.0.2.1:40000', rxQueued: 0, txQueued: 5, inSlot: true }]);
    assert.deepEqual(s.services, [{ port: 7, name: 'echo', accepted: 1, closed: 0, errors: 0, bytesIn: 5, bytesOut: 5 }]);

    child!.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
    assert.match(serve.output(), /^slotcp serve: stopped \(SIGTERM\): 5 packets in, 3 segments out, 1 connections$/m);
    const [, , rst] = await peer.waitFor(3);
    assert.equal(flagString(rst.flags), 'R.', 'the open connection is reset, so the client does not hang');
    const final = JSON.parse(readFileSync(stats, 'utf8'));
    assert.equal(final.counters.segmentsOut, 2, 'stats as they were when the signal came (before the resets)');

    const file = readPcap(readFileSync(pcap));
    assert.equal(file.linkType, LINKTYPE_RAW);
    assert.equal(file.records.length, 5 + 3, 'the 5 packets from the peer (not the stranger\'s) and the 3 sent');
    assert.deepEqual(Array.from(file.records[0].data), Array.from(ipv6));
    assert.deepEqual(file.records.map((r) => r.data[0] >> 4 === 4 && r.data.length >= 40 ? flagString(r.data[33]) : '-'),
      ['-', '-', 'S', 'S', 'S.', 'P.', 'P.', 'R.']);
  });

  it('--trace prints every segment in and out and every drop with its reason, one tcpdump-like line each', async () => {
    assert.equal((parseServeArgs([], 'serve') as ServeOptions).trace, false);
    assert.equal((parseServeArgs(['--trace'], 'serve') as ServeOptions).trace, true);
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const serve = await startServe(['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`, '--listen', '7:echo', '--trace']);
    peer.send(serve.port, buildPacket({ dst: 0xc0000203, dstPort: 7, seq: 1, flags: SYN })); // not our address
    peer.send(serve.port, buildPacket({ srcPort: 40000, dstPort: 7, seq: 1000, flags: SYN, mss: 1460 }));
    const [synAck] = await peer.waitFor(1);
    peer.send(serve.port, buildPacket({ srcPort: 40000, dstPort: 7, seq: 1001, ack: synAck.seq + 1, flags: ACK | PSH, data: 'hi' }));
    await peer.waitFor(2);
    for (let i = 0; i < 100 && (serve.output().match(/ OUT /g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    // The first five (a retransmission of the echo may follow: the peer never ACKs it).
    const lines = serve.output().split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l)).map((l) => l.slice(13)).slice(0, 5);
    assert.deepEqual(lines, [
      'DROP droppedWrongAddress 192.0.2.1.40000 > 192.0.2.3.7: Flags [S], seq 1, win 65535, length 0',
      'IN   192.0.2.1.40000 > 192.0.2.2.7: Flags [S], seq 1000, win 65535, options [mss 1460], length 0',
      `OUT  192.0.2.2.7 > 192.0.2.1.40000: Flags [S.], seq ${synAck.seq >>> 0}, ack 1001, win 16384, options [mss 1460], length 0`,
      `IN   192.0.2.1.40000 > 192.0.2.2.7: Flags [P.], seq 1001, ack ${(synAck.seq + 1) >>> 0}, win 65535, length 2`,
      `OUT  192.0.2.2.7 > 192.0.2.1.40000: Flags [P.], seq ${(synAck.seq + 1) >>> 0}, ack 1003, win 16384, length 2`,
    ]);
    child!.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
  });

  it('--keepalive reaches every listener and --msl sets the TIME-WAIT time (real clock)', async () => {
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const stats = join(dir, 'keepalive.json');
    const serve = await startServe(['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`, '--listen', '7:echo', '--listen', '5001:closer',
      '--keepalive', '150,50,2', '--msl', '50', '--stats', stats]);
    // Closer: server FIN first; our FIN+ACK puts it in TIME-WAIT for 2 x 50 ms.
    peer.send(serve.port, buildPacket({ srcPort: 40001, dstPort: 5001, seq: 5000, flags: SYN }));
    const [closerSynAck] = await peer.waitFor(1);
    peer.send(serve.port, buildPacket({ srcPort: 40001, dstPort: 5001, seq: 5001, ack: closerSynAck.seq + 1, flags: ACK }));
    const [, fin] = await peer.waitFor(2);
    assert.equal(flagString(fin.flags), 'F.');
    peer.send(serve.port, buildPacket({ srcPort: 40001, dstPort: 5001, seq: 5001, ack: fin.seq + 1, flags: ACK | 0x01 }));
    await peer.waitFor(3);
    // Echo with keepalive: a silent client is probed after 150 ms, every 50 ms, then reset.
    peer.send(serve.port, buildPacket({ srcPort: 40002, dstPort: 7, seq: 9000, flags: SYN }));
    const synAck = (await peer.waitFor(4))[3];
    const opened = Date.now();
    peer.send(serve.port, buildPacket({ srcPort: 40002, dstPort: 7, seq: 9001, ack: synAck.seq + 1, flags: ACK }));
    const sent = await peer.waitFor(7, 3000);
    const echoSide = sent.slice(4).map((x) => [flagString(x.flags), (x.seq - synAck.seq) | 0]);
    assert.deepEqual(echoSide, [['.', 0], ['.', 0], ['R.', 1]], 'two probes at SND.NXT-1, then RST');
    assert.ok(sent[4].usecs / 1000 - opened >= 140, `first probe after ${sent[4].usecs / 1000 - opened} ms`);
    const s = await statsAfterUsr1(stats);
    assert.deepEqual([s.counters.keepaliveProbes, s.counters.keepaliveTimeouts], [2, 1]);
    assert.deepEqual([s.counters.timeWaitEntered, s.counters.timeWaitExpired, s.usage.timeWait], [1, 1, 0], 'TIME-WAIT over after 2 x 50 ms');
    assert.deepEqual(s.services.map((x: any) => [x.name, x.errors]), [['echo', 1], ['closer', 0]]);
  });

  it('exits 2 naming the flag when --pcap or --stats cannot be created, before the link is bound', async () => {
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const missing = join(dir, 'no-such-dir');
    // The bind port is taken, so a run that bound first would fail on the bind instead.
    const link = ['--link', `udp:127.0.0.1:${peer.port}:127.0.0.1:9`];
    const ns = `slotcp-s${process.pid}`;
    const runs = await Promise.all([
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--pcap', join(missing, 'a.pcap')], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--stats', join(missing, 'a.json')], 10000),
      // tun finds it before it makes anything (and before it asks for root).
      runCommand(process.execPath, [SLOTCP, 'tun', '--netns', ns, '--stats', join(missing, 'a.json')], 10000),
    ]);
    assert.deepEqual(runs.map((r) => r.code), [2, 2, 2], runs.map((r) => r.stderr).join(''));
    assert.match(runs[0].stderr, /^slotcp serve: --pcap: cannot create .*no-such-dir\/a\.pcap: ENOENT/);
    assert.match(runs[1].stderr, /^slotcp serve: --stats: cannot write in .*no-such-dir: ENOENT/);
    assert.match(runs[2].stderr, /^slotcp tun: --stats: cannot write in .*no-such-dir: ENOENT/);
    assert.deepEqual(runs.map((r) => r.stdout.includes('ready')), [false, false, false]);
    assert.equal(namespaceExists(ns), false);
  });

  it('creates --pcap and --stats 0600, refuses an existing file without --overwrite and a symlink always', async () => {
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const link = ['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`];
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const existing = join(dir, 'existing.pcap');
    writeFileSync(existing, 'old\n');
    const symlink = join(dir, 'link.pcap');
    symlinkSync(victim, symlink);
    const runs = await Promise.all([
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--pcap', existing], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--stats', existing], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--pcap', symlink, '--overwrite'], 10000),
      runCommand(process.execPath, [SLOTCP, 'serve', ...link, '--stats', symlink, '--overwrite'], 10000),
    ]);
    assert.deepEqual(runs.map((r) => r.code), [2, 2, 2, 2], runs.map((r) => r.stderr).join(''));
    assert.match(runs[0].stderr, /^slotcp serve: --pcap: .*existing\.pcap exists \(give --overwrite to replace it\)\n$/);
    assert.match(runs[1].stderr, /^slotcp serve: --stats: .*existing\.pcap exists \(give --overwrite to replace it\)\n$/);
    assert.match(runs[2].stderr, /^slotcp serve: --pcap: .*link\.pcap is a symbolic link \(not following it\)\n$/);
    assert.match(runs[3].stderr, /^slotcp serve: --stats: .*link\.pcap is a symbolic link \(not following it\)\n$/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(readFileSync(existing, 'utf8'), 'old\n');

    const stats = join(dir, 'mode.json');
    writeFileSync(stats, '{}');
    chmodSync(existing, 0o644);
    await startServe([...link, '--listen', '7:echo', '--pcap', existing, '--stats', stats, '--overwrite']);
    assert.equal(lstatSync(existing).mode & 0o777, 0o600, 'the pcap is replaced by a new file, 0600');
    assert.equal(readFileSync(existing).readUInt32LE(0), 0xa1b2c3d4);
    const s = await statsAfterUsr1(stats);
    assert.equal(s.counters.packetsIn, 0);
    assert.equal(lstatSync(stats).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
  });

  it('reports a --stats write that fails later on stderr, counts it, and keeps serving', async () => {
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const sub = join(dir, 'gone');
    mkdirSync(sub);
    const stats = join(sub, 'late.json');
    const serve = await startServe(['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`, '--listen', '7:echo', '--stats', stats]);
    rmSync(sub, { recursive: true });
    child!.kill('SIGUSR1');
    for (let i = 0; i < 300 && !/--stats: cannot write/.test(serve.output()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(serve.output(), /^slotcp serve: --stats: cannot write .*late\.json: ENOENT/m);
    peer.send(serve.port, buildPacket({ srcPort: 40003, dstPort: 7, seq: 1, flags: SYN }));
    const [synAck] = await peer.waitFor(1);
    assert.equal(flagString(synAck.flags), 'S.', 'still serving');
    mkdirSync(sub);
    const s = await statsAfterUsr1(stats);
    assert.deepEqual(s.statsFile, { file: stats, writeErrors: 1 });
    child!.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
  });

  it('counts the datagrams the kernel drops on a full socket buffer (stats and the stopped line)', async () => {
    const peer = await Peer.open();
    const stranger = await Peer.open();
    sockets.push(peer.socket, stranger.socket);
    const stats = join(dir, 'drops.json');
    const serve = await startServe(['--link', `udp:127.0.0.1:0:127.0.0.1:${peer.port}`, '--listen', '7:echo', '--stats', stats]);
    // Stopped, the runner reads nothing: 4000 datagrams of 1400 bytes (5.6 MB) overflow its
    // receive buffer (1 MiB asked; at most twice net.core.rmem_max granted).
    const sent = 4000;
    child!.kill('SIGSTOP');
    try {
      const junk = new Uint8Array(1400);
      await new Promise<void>((resolve) => {
        let done = 0;
        for (let i = 0; i < sent; i++) stranger.socket.send(junk, serve.port, '127.0.0.1', () => { if (++done === sent) resolve(); });
      });
    } finally {
      child!.kill('SIGCONT');
    }
    let s: any;
    for (let i = 0; i < 100; i++) {
      s = await statsAfterUsr1(stats);
      if (s.link.droppedForeign + s.link.droppedKernel >= sent) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(s.link.droppedKernel > 0, JSON.stringify(s.link));
    assert.equal(s.link.droppedForeign + s.link.droppedKernel, sent, 'every datagram read (and dropped as foreign) or dropped by the kernel');
    child!.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
    assert.match(serve.output(), new RegExp(`^slotcp serve: stopped \\(SIGTERM\\): 0 packets in, 0 segments out, 0 connections, ${s.link.droppedKernel} datagrams dropped by the kernel \\(receive buffer full\\)$`, 'm'));
  });

  it('exits 1 with the reason when the link cannot be bound', async () => {
    const peer = await Peer.open();
    sockets.push(peer.socket);
    const r = await runCommand(process.execPath, [SLOTCP, 'serve', '--link', `udp:127.0.0.1:${peer.port}:127.0.0.1:9`], 10000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^slotcp: cannot bind udp 127\.0\.0\.1:\d+: bind EADDRINUSE/);
  });
});

describe('link impairment (seeded)', () => {
  const run = (spec: string, count: number) => {
    const config = parseImpair(spec);
    assert.notEqual(typeof config, 'string');
    const out: number[] = [];
    const impair = new Impairment(config as Exclude<typeof config, string>, 1234, (p) => out.push(p[0]));
    for (let i = 0; i < count; i++) impair.push(Uint8Array.of(i & 0xff));
    impair.release();
    return { out, stats: { ...impair.stats } };
  };

  it('passes everything through unchanged when all rates are 0', () => {
    const { out, stats } = run('loss=0,dup=0,reorder=0', 100);
    assert.deepEqual(out, Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual(stats, { packets: 100, dropped: 0, duplicated: 0, reordered: 0 });
  });

  it('makes the same decisions for the same seed, and counts each kind', () => {
    const a = run('loss=0.1,dup=0.1,reorder=0.1', 1000);
    const b = run('loss=0.1,dup=0.1,reorder=0.1', 1000);
    assert.deepEqual(a, b);
    const { dropped, duplicated, reordered } = a.stats;
    assert.ok(dropped > 60 && dropped < 140 && duplicated > 50 && duplicated < 140 && reordered > 50 && reordered < 140, JSON.stringify(a.stats));
    assert.equal(a.out.length, 1000 - dropped + duplicated, 'held packets are delayed, never lost');
  });

  it('a held packet comes right after the next one', () => {
    const { out } = run('reorder=0.5', 50);
    const firstSwap = out.findIndex((v, i) => i > 0 && v < out[i - 1]);
    assert.ok(firstSwap > 0);
    assert.equal(out[firstSwap], out[firstSwap - 1] - 1);
    assert.deepEqual([...out].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  });

  it('releases a held packet after holdMs when nothing follows', async () => {
    const out: number[] = [];
    const impair = new Impairment({ loss: 0, dup: 0, reorder: 0.999999, seed: 1 }, 1, (p) => out.push(p[0]), 5);
    impair.push(Uint8Array.of(7));
    assert.deepEqual(out, []);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(out, [7]);
  });
});

describe('pcap files', () => {
  it('writes classic pcap (magic, v2.4, LINKTYPE_RAW, µs stamps) that readPcap reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotcp-pcap-'));
    try {
      const path = join(dir, 'a.pcap');
      const writer = new PcapWriter(path);
      const big = new Uint8Array(70000).fill(9); // larger than the write buffer: written through
      writer.record(Uint8Array.of(0x45, 1, 2, 3));
      writer.record(big);
      writer.record(Uint8Array.of(0x45, 4, 5, 6, 7, 8), 3);
      writer.close();
      const bytes = readFileSync(path);
      assert.deepEqual(Array.from(bytes.subarray(0, 24)), [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0]);
      const file = readPcap(bytes);
      assert.deepEqual([file.linkType, file.snaplen], [101, 65535]);
      assert.deepEqual(file.records.map((r) => [r.data.length, r.originalLength]), [[4, 4], [65535, 70000], [3, 3]]);
      assert.deepEqual(Array.from(file.records[2].data), [0x45, 4, 5]);
      const now = Date.now() / 1000;
      assert.ok(file.records.every((r) => Math.abs(r.seconds - now) < 60 && r.micros < 1e6));
      assert.throws(() => readPcap(bytes.subarray(0, bytes.length - 1)), /truncated record/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('stats file', () => {
  it('is replaced through an unpredictable temporary name, created 0600, never through a planted symlink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotcp-stats-'));
    try {
      const path = join(dir, 's.json');
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious\n');
      // The old temporary name was predictable from the PID: a symlink there redirected the write.
      symlinkSync(victim, `${path}.${process.pid}.tmp`);
      writeStats(path, { a: 1 });
      writeStats(path, { a: 2 });
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { a: 2 });
      assert.equal(lstatSync(path).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir).sort(), ['s.json', `s.json.${process.pid}.tmp`, 'victim']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
