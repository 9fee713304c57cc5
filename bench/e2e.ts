// Issue #7 part 3: end to end over the host link, Linux's TCP as the client.
//
// slotcp: `slotcp tun` (a namespace of its own, TUN slot0 with the kernel at 192.0.2.1,
// socat bridging it to `slotcp serve` on 127.0.0.1 UDP 9000 <-> 9001) with the serve
// defaults written out (--slots 16 --rx 16384 --tx 16384 --mss 1460; --tx changes the
// send buffer), and Node clients
// (bench/e2e-client.ts) inside that namespace:
//   (a) download of BYTES from source:BYTES, (b) upload of BYTES to discard,
//   (c) short HTTP exchanges (GET /, server closes first) sequential and PARALLEL at a time.
// The link ceiling: a second namespace built the same way (same TUN, same socat command,
// same 127.0.0.1 ports) with a trivial stand-in for the runner:
//   inward  (the upload path): the kernel sends 1500-byte IPv4/UDP packets to 192.0.2.2
//           through slot0 → socat → UDP 9001, where a sink counts them;
//   outward (the download path): a generator bound on 9001 sends whole 1500-byte IPv4/UDP
//           packets to socat on 9000 → slot0 → the kernel, where a UDP socket on
//           192.0.2.1 counts them.
// slotcp's throughput is then printed as a fraction of the ceiling in the same direction
// (ceiling packets/s × 1460 payload bytes, what a full-size TCP segment carries).
//
//   node dist/bench/e2e.js [--runs 3] [--bytes 10485760] [--http 500] [--parallel 8] [--link-ms 2000]
//                          [--tx 16384]   (slotcp's send buffer; 16384 is the serve default)
// Root, /dev/net/tun, ip and socat are required (exit status 2 with a message otherwise).
// Prints a markdown table on stdout, progress on stderr. Namespaces and child processes
// are removed on exit, on error and on SIGINT/SIGTERM.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tun, disposeAll } from '../host-test/interop-harness';
import { ip, namespaceExists, removeNamespace, which } from '../host/serve/netns';
import { KERNEL_ADDR, RUNNER_PORT, SOCAT_PORT, TUN_NAME } from '../host/serve/tun';
import { Summary, cell, num, summarize } from './stats';

const CLIENT = join(__dirname, 'e2e-client.js');
const SLOTCP_ADDR = '192.0.2.2';
const serveArgs = (tx: number) => ['--slots', '16', '--rx', '16384', '--tx', String(tx), '--mss', '1460'];
const PACKET = 1500;
const PAYLOAD = 1460;
const COUNT_PORT = 5555;

export interface E2eOptions {
  runs: number;
  bytes: number;
  http: number;
  parallel: number;
  linkMs: number;
  /** slotcp's send buffer per slot (--tx of serve): the data it can have in flight. */
  tx: number;
}

export const e2eDefaults: E2eOptions = { runs: 3, bytes: 10485760, http: 500, parallel: 8, linkMs: 2000, tx: 16384 };

/** Why the end-to-end bench cannot run here, or undefined when it can. */
export function e2eSkipReason(): string | undefined {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces and TUN devices need it)');
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  if (!which('ip')) missing.push('ip (apt-get install iproute2)');
  if (!which('socat')) missing.push('socat (apt-get install socat)');
  return missing.length ? `needs ${missing.join(', ')}` : undefined;
}

interface TunCounters { rxPackets: number; txPackets: number; rxBytes: number; txBytes: number; txDropped: number; rxDropped: number }

function counters(ns: string): TunCounters {
  const j = JSON.parse(ip('-n', ns, '-s', '-j', 'link', 'show', 'dev', TUN_NAME))[0];
  const s = j.stats64 ?? j.stats;
  return {
    rxPackets: s.rx.packets, txPackets: s.tx.packets, rxBytes: s.rx.bytes, txBytes: s.tx.bytes,
    txDropped: s.tx.dropped, rxDropped: s.rx.dropped,
  };
}

function delta(a: TunCounters, b: TunCounters): TunCounters {
  return {
    rxPackets: b.rxPackets - a.rxPackets, txPackets: b.txPackets - a.txPackets, rxBytes: b.rxBytes - a.rxBytes,
    txBytes: b.txBytes - a.txBytes, txDropped: b.txDropped - a.txDropped, rxDropped: b.rxDropped - a.rxDropped,
  };
}

/** A client process inside a namespace, started now; `ready` resolves on its 'listening' line. */
function startClient(ns: string, args: (string | number)[], timeoutMs: number) {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, CLIENT, ...args.map(String)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLOTCP_CLIENT_DEADLINE_MS: String(timeoutMs) } });
  let stdout = '';
  let stderr = '';
  let onListening = () => {};
  const ready = new Promise<void>((r) => { onListening = r; });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { stdout += c; if (/^listening$/m.test(stdout)) onListening(); });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
  const done = new Promise<any>((resolve, reject) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      onListening();
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const result = JSON.parse(line);
        if (code !== 0 || result.error) reject(new Error(`e2e-client ${args[0]} failed (exit ${code}): ${line} ${stderr}`));
        else resolve(result);
      } catch {
        reject(new Error(`e2e-client ${args[0]} printed no result (exit ${code}): ${stdout}${stderr}`));
      }
    });
  });
  return { ready, done };
}

const client = (ns: string, args: (string | number)[], timeoutMs = 120000) => startClient(ns, args, timeoutMs).done;

/** The ceiling's namespace: the TUN and socat exactly as `slotcp tun` starts them, and no runner. */
class Bridge {
  readonly ns = `slotcp-e2e-${process.pid}`;
  private socat: ChildProcess | undefined;
  private socatErrors = '';

  async start(): Promise<void> {
    if (namespaceExists(this.ns)) removeNamespace(this.ns);
    ip('netns', 'add', this.ns);
    ip('-n', this.ns, 'link', 'set', 'lo', 'up');
    const tun = `TUN:${KERNEL_ADDR}/24,tun-name=${TUN_NAME},iff-up,iff-no-pi`;
    const udp = `UDP-DATAGRAM:127.0.0.1:${RUNNER_PORT},bind=127.0.0.1:${SOCAT_PORT}`;
    this.socat = spawn('ip', ['netns', 'exec', this.ns, 'socat', tun, udp], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.socat.stderr!.setEncoding('utf8').on('data', (c: string) => { if (this.socatErrors.length < 4000) this.socatErrors += c; });
    for (let waited = 0; ; waited += 20) {
      try {
        const addr = ip('-n', this.ns, '-o', '-4', 'addr', 'show', 'dev', TUN_NAME);
        const link = ip('-n', this.ns, '-o', 'link', 'show', 'dev', TUN_NAME);
        if (addr.includes(`${KERNEL_ADDR}/24`) && /<[^>]*\bUP\b/.test(link)) return;
      } catch { /* not yet */ }
      if (this.socat.exitCode !== null || waited >= 5000) throw new Error(`the TUN device did not come up: ${this.socatErrors.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  dispose(): void {
    if (this.socat && this.socat.exitCode === null && this.socat.signalCode === null) this.socat.kill('SIGKILL');
    removeNamespace(this.ns);
  }
}

interface LinkRun { pps: number; sent: number; received: number; errors: number; tunDropped: number }

/** Inward: kernel → slot0 → socat → UDP 9001 (the upload path). */
async function inward(ns: string, ms: number): Promise<LinkRun> {
  const sink = startClient(ns, ['udp-count', '127.0.0.1', RUNNER_PORT, 300], ms + 20000);
  await sink.ready;
  const before = counters(ns);
  const sent = await client(ns, ['udp-send', SLOTCP_ADDR, 9, PACKET - 28, ms], ms + 20000);
  const got = await sink.done;
  const d = delta(before, counters(ns));
  return { pps: (got.count - 1) / (got.ms / 1000), sent: sent.sent, received: got.count, errors: sent.errors, tunDropped: d.txDropped };
}

/** Outward: UDP 9001 → socat → slot0 → kernel (the download path). */
async function outward(ns: string, ms: number): Promise<LinkRun> {
  const sink = startClient(ns, ['udp-count', KERNEL_ADDR, COUNT_PORT, 300], ms + 20000);
  await sink.ready;
  const before = counters(ns);
  const sent = await client(ns, ['link-gen', RUNNER_PORT, SOCAT_PORT, KERNEL_ADDR, COUNT_PORT, PACKET, ms], ms + 20000);
  const got = await sink.done;
  const d = delta(before, counters(ns));
  return { pps: (got.count - 1) / (got.ms / 1000), sent: sent.sent, received: got.count, errors: sent.errors, tunDropped: d.rxDropped + (d.rxPackets - got.count) };
}

export interface E2eResults {
  options: E2eOptions;
  download: { mbps: Summary; pps: Summary; runs: any[] };
  upload: { mbps: Summary; pps: Summary; runs: any[] };
  httpSequential: { perSecond: Summary; runs: any[] };
  httpParallel: { perSecond: Summary; runs: any[] };
  ceilingIn: { pps: Summary; runs: LinkRun[] };
  ceilingOut: { pps: Summary; runs: LinkRun[] };
  failures: string[];
}

let active: { tun?: Tun; bridge?: Bridge } = {};

/** Synchronous last-resort cleanup (signals, exit). */
function cleanupSync(): void {
  active.tun?.dispose();
  active.bridge?.dispose();
  active = {};
}

/** Runs the whole end-to-end bench; returns the markdown lines and the raw results. */
export async function runE2e(partial: Partial<E2eOptions> = {}, say: (line: string) => void = (l) => process.stderr.write(`${l}\n`))
  : Promise<{ lines: string[]; results: E2eResults }> {
  const o: E2eOptions = { ...e2eDefaults, ...partial };
  const skip = e2eSkipReason();
  if (skip) throw new Error(`e2e bench ${skip}`);
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupSync();
    process.stderr.write(`e2e: ${signal}, namespaces and children removed\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanupSync);
  const failures: string[] = [];
  const download: any[] = [];
  const upload: any[] = [];
  const httpSeq: any[] = [];
  const httpPar: any[] = [];
  const cin: LinkRun[] = [];
  const cout: LinkRun[] = [];
  try {
    // ---- slotcp ----
    say(`e2e: starting slotcp tun ${serveArgs(o.tx).join(' ')}`);
    const tun = await Tun.start([...serveArgs(o.tx), '--listen', `19:source:${o.bytes}`, '--listen', '9:discard', '--listen', '80:http']);
    active.tun = tun;
    // One short warm-up of each kind (JIT in the runner and the client).
    await client(tun.ns, ['download', 19, o.bytes]).catch((e) => failures.push(`warm-up: ${e.message}`));
    await client(tun.ns, ['http', 80, 50, 1]).catch((e) => failures.push(`warm-up: ${e.message}`));
    for (let r = 0; r < o.runs; r++) {
      const measure = async (label: string, into: any[], args: (string | number)[]) => {
        const before = counters(tun.ns);
        try {
          const res = await client(tun.ns, args);
          const d = delta(before, counters(tun.ns));
          into.push({ ...res, tun: d });
        } catch (e) {
          failures.push(`${label}: ${(e as Error).message}`);
        }
      };
      await measure('download', download, ['download', 19, o.bytes]);
      await measure('upload', upload, ['upload', 9, o.bytes]);
      await measure('http sequential', httpSeq, ['http', 80, o.http, 1]);
      await measure(`http ×${o.parallel}`, httpPar, ['http', 80, o.http, o.parallel]);
      say(`e2e: slotcp round ${r + 1}/${o.runs} done`);
    }
    for (const d of download) if (d.bytes !== o.bytes || !d.ended) failures.push(`download: ${d.bytes} bytes, ended ${d.ended}`);
    for (const u of upload) if (!u.ended) failures.push('upload: no FIN from the server');
    for (const h of [...httpSeq, ...httpPar]) if (h.ok !== h.count) failures.push(`http: ${h.ok}/${h.count} ok (${h.errors.join(', ')})`);
    await tun.stop('SIGTERM', 5000).catch(() => undefined);
    tun.dispose();
    active.tun = undefined;

    // ---- the link ceiling ----
    say('e2e: link ceiling (socat/TUN bridge, no slotcp)');
    const bridge = new Bridge();
    active.bridge = bridge;
    await bridge.start();
    await inward(bridge.ns, 300).catch(() => undefined); // warm-up
    for (let r = 0; r < o.runs; r++) {
      try { cin.push(await inward(bridge.ns, o.linkMs)); } catch (e) { failures.push(`ceiling in: ${(e as Error).message}`); }
      try { cout.push(await outward(bridge.ns, o.linkMs)); } catch (e) { failures.push(`ceiling out: ${(e as Error).message}`); }
      say(`e2e: ceiling round ${r + 1}/${o.runs} done`);
    }
    bridge.dispose();
    active.bridge = undefined;
  } finally {
    await disposeAll().catch(() => undefined);
    cleanupSync();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanupSync);
  }

  const mbps = (runs: any[]) => summarize(runs.length ? runs.map((x) => x.bytes / (x.ms / 1000) / 1e6) : [NaN]);
  const pps = (runs: any[], f: (t: TunCounters) => number) => summarize(runs.length ? runs.map((x) => f(x.tun) / (x.ms / 1000)) : [NaN]);
  const perSecond = (runs: any[]) => summarize(runs.length ? runs.map((x) => x.count / (x.ms / 1000)) : [NaN]);
  const results: E2eResults = {
    options: o,
    download: { mbps: mbps(download), pps: pps(download, (t) => t.rxPackets), runs: download },
    upload: { mbps: mbps(upload), pps: pps(upload, (t) => t.txPackets), runs: upload },
    httpSequential: { perSecond: perSecond(httpSeq), runs: httpSeq },
    httpParallel: { perSecond: perSecond(httpPar), runs: httpPar },
    ceilingIn: { pps: summarize(cin.length ? cin.map((x) => x.pps) : [NaN]), runs: cin },
    ceilingOut: { pps: summarize(cout.length ? cout.map((x) => x.pps) : [NaN]), runs: cout },
    failures,
  };
  return { lines: table(results), results };
}

function table(r: E2eResults): string[] {
  const o = r.options;
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const mb = (pps: number) => (pps * PAYLOAD) / 1e6;
  const frac = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a');
  const ceilOutMb = mb(r.ceilingOut.pps.median);
  const ceilInMb = mb(r.ceilingIn.pps.median);
  const linkPps = (runs: any[]) => summarize(runs.length ? runs.map((x) => (x.tun.rxPackets + x.tun.txPackets) / (x.ms / 1000)) : [NaN]);
  const seqPps = linkPps(r.httpSequential.runs);
  const parPps = linkPps(r.httpParallel.runs);
  const pktsPer = (runs: any[]) => (runs.length ? runs.reduce((a, x) => a + x.tun.rxPackets + x.tun.txPackets, 0) / runs.reduce((a, x) => a + x.count, 0) : NaN);
  line('## End to end over the host link (Linux clients in a namespace)');
  line('');
  line(`slotcp serve ${serveArgs(o.tx).join(' ')} (${o.tx === e2eDefaults.tx ? 'the serve defaults' : 'the serve defaults but --tx'}) behind \`slotcp tun\` (TUN ${TUN_NAME}, socat, UDP 127.0.0.1:${SOCAT_PORT}↔${RUNNER_PORT});`
    + ` Node clients (Linux TCP) in the namespace. Median (min–max) of ${o.runs} runs after one warm-up; MB = 10^6 bytes.`
    + ' Link packets/s are slot0\'s counters over the client\'s timed interval (both directions unless noted).');
  line('');
  line('| figure | slotcp | link ceiling (same socat/TUN path, trivial sink/generator) | slotcp ÷ ceiling |');
  line('|---|---|---|---|');
  line(`| (a) download ${num(o.bytes)} B from source (MB/s, connect → EOF) | ${cell(r.download.mbps)} | ${num(ceilOutMb)} MB/s (outward ${cell(r.ceilingOut.pps)} pkt/s × ${PAYLOAD} B) | ${frac(r.download.mbps.median, ceilOutMb)} |`);
  line(`| (a′) download: packets/s slotcp → kernel | ${cell(r.download.pps)} | ${cell(r.ceilingOut.pps)} | ${frac(r.download.pps.median, r.ceilingOut.pps.median)} |`);
  line(`| (b) upload ${num(o.bytes)} B to discard (MB/s, connect → server FIN) | ${cell(r.upload.mbps)} | ${num(ceilInMb)} MB/s (inward ${cell(r.ceilingIn.pps)} pkt/s × ${PAYLOAD} B) | ${frac(r.upload.mbps.median, ceilInMb)} |`);
  line(`| (b′) upload: packets/s kernel → slotcp | ${cell(r.upload.pps)} | ${cell(r.ceilingIn.pps)} | ${frac(r.upload.pps.median, r.ceilingIn.pps.median)} |`);
  line(`| (c) HTTP GET / exchanges/s, sequential (${num(o.http)} per run) | ${cell(r.httpSequential.perSecond)} | | |`);
  line(`| (c′) HTTP GET / exchanges/s, ${o.parallel} concurrent (${num(o.http)} per run) | ${cell(r.httpParallel.perSecond)} | | |`);
  line(`| (c″) link packets/s during (c) / (c′), ${num(pktsPer(r.httpSequential.runs))} / ${num(pktsPer(r.httpParallel.runs))} packets per exchange | ${cell(seqPps)} / ${cell(parPps)} | ${cell(r.ceilingIn.pps)} in, ${cell(r.ceilingOut.pps)} out (1500-byte packets) | ${frac(seqPps.median, r.ceilingIn.pps.median)} / ${frac(parPps.median, r.ceilingIn.pps.median)} (of inward) |`);
  const lost = (runs: LinkRun[]) => runs.map((x) => `${num(x.sent)} sent, ${num(x.received)} counted, ${num(x.tunDropped)} dropped at slot0, ${num(x.errors)} send errors`).join('; ');
  line('');
  line(`Ceiling: inward, a Node UDP socket in the namespace sends ${PACKET}-byte IPv4 packets to ${SLOTCP_ADDR} for ${o.linkMs} ms (the kernel routes them into slot0, socat carries them to UDP ${RUNNER_PORT}) and a Node sink bound where the runner binds counts them;`
    + ` outward, a Node generator bound on ${RUNNER_PORT} sends whole ${PACKET}-byte IPv4/UDP packets to socat on ${SOCAT_PORT}, which writes them into slot0, and a UDP socket on ${KERNEL_ADDR} counts them.`
    + ' Rate = packets counted ÷ time between the first and last one. The ceiling\'s endpoints are Node processes, like slotcp\'s runner and clients, and share the same cores with socat.');
  line(`Ceiling runs: inward ${lost(r.ceilingIn.runs)}. Outward ${lost(r.ceilingOut.runs)}.`);
  if (r.failures.length) line(`**${r.failures.length} failures:** ${r.failures.slice(0, 5).join(' | ')}`);
  return out;
}

function parseArgs(argv: string[]): Partial<E2eOptions> {
  const o: Partial<E2eOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`e2e: ${arg} needs a positive whole number`);
      return v;
    };
    if (arg === '--runs') o.runs = Math.min(20, value());
    else if (arg === '--bytes') o.bytes = Math.min(1 << 30, value());
    else if (arg === '--http') o.http = Math.min(100000, value());
    else if (arg === '--parallel') o.parallel = Math.min(256, value());
    else if (arg === '--link-ms') o.linkMs = Math.min(60000, value());
    else if (arg === '--tx') o.tx = Math.min(1 << 20, value());
    else throw new Error(`e2e: unknown option ${arg}`);
  }
  return o;
}

if (require.main === module) {
  let options: Partial<E2eOptions>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const skip = e2eSkipReason();
  if (skip) {
    process.stderr.write(`e2e bench: ${skip}\n`);
    process.exit(2);
  }
  runE2e(options).then(({ lines, results }) => {
    process.stdout.write(`${lines.join('\n')}\n`);
    if (results.failures.length) process.exitCode = 1;
  }, (err) => {
    process.stderr.write(`e2e bench failed: ${err instanceof Error ? err.stack : err}\n`);
    process.exitCode = 1;
  });
}

