// Part 2 of `npm run bench`: lwIP 2.1.3 (Debian's liblwip-dev) through the C harness in
// bench/lwip/. Installs the package when missing and running as root, builds the harness
// with make, and runs it one round at a time (run.ts interleaves rounds with slotcp's).
// When any step fails the lwIP column is reported unavailable and the bench goes on.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface LwipRun {
  version: string;
  failures: number;
  config: Record<string, number>;
  sizeof: { tcp_pcb: number; tcp_pcb_listen: number; tcp_pcb_malloc_block: number; pointer: number };
  /** Medians over this process's runs (run.ts recomputes them over all rounds). */
  figures: { segmentNs: number; connectionNs: number; connectionsPerSecond: number };
  segment: { fullNs: number[]; clientNs: number[]; serverSegmentsPerOp: number; heapBytesPerOp: number };
  connection: {
    fullNs: number[]; clientNs: number[]; serverSegmentsPerOp: number; heapBytesPerOp: number;
    timeWaitKillsPerOp: number; timeWaitPcbs: number;
  };
  unbounded: { fullNs: number; clientNs: number; heapBytesPerOp: number; timeWaitPcbs: number };
}

export interface Layout32 {
  debianOptions: { tcp_pcb: number; tcp_pcb_listen: number };
  ipv4Defaults: { tcp_pcb: number; tcp_pcb_listen: number };
}

type Say = (line: string) => void;

function run(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, env: env ?? process.env, maxBuffer: 16 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const ok = !r.error && r.status === 0;
  const why = r.error ? r.error.message : r.status !== 0 ? `exit ${r.status ?? r.signal}` : '';
  return { ok, output, why, stdout: r.stdout ?? '' };
}

function tail(text: string, lines = 6): string {
  return text.split('\n').slice(-lines).join('\n') || '(no output)';
}

export class Lwip {
  private constructor(
    readonly binary: string,
    readonly packageVersion: string,
    readonly layout32: Layout32 | undefined,
    readonly layout32Error: string | undefined,
  ) {}

  /** The harness, ready to run, or why it cannot be. */
  static prepare(root: string, say: Say): Lwip | { unavailable: string } {
    const header = '/usr/include/lwip/lwip/tcp.h';
    const library = () => run('pkg-config', ['--exists', 'lwip'], 10000).ok
      || fs.readdirSync('/usr/lib').some((dir) => fs.existsSync(path.join('/usr/lib', dir, 'liblwip.so')));
    const installed = () => fs.existsSync(header) && library();
    if (!installed()) {
      if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
        return { unavailable: 'liblwip-dev is not installed and the bench is not running as root to install it' };
      }
      say('lwIP: installing liblwip-dev (apt-get update; apt-get install -y liblwip-dev)');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const update = run('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'update'], 300000, env);
      if (!update.ok) say(`lwIP: apt-get update failed (${update.why}); trying the install anyway`);
      const install = run('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', 'liblwip-dev'], 300000, env);
      if (!install.ok || !installed()) {
        return { unavailable: `apt-get install -y liblwip-dev failed (${install.why || 'headers still missing'}): ${tail(install.output, 3)}` };
      }
    }
    const version = run('dpkg-query', ['-W', '-f=${Version}', 'liblwip-dev'], 10000);
    const packageVersion = version.ok ? version.stdout.trim() : 'unknown';
    if (!packageVersion.startsWith('2.1.3')) say(`lwIP: liblwip-dev version ${packageVersion}; the harness was written for 2.1.3`);

    const source = path.join(root, 'bench', 'lwip');
    const out = path.join(root, 'dist', 'bench', 'lwip');
    const built = run('make', ['-s', '-C', source, `OUT=${out}`, 'bench'], 120000);
    if (!built.ok) return { unavailable: `make in bench/lwip failed (${built.why}): ${tail(built.output)}` };
    let layout32: Layout32 | undefined;
    let layout32Error: string | undefined;
    const layout = run('make', ['-s', '-C', source, `OUT=${out}`, 'layout32'], 60000);
    if (layout.ok) {
      try {
        layout32 = JSON.parse(fs.readFileSync(path.join(out, 'layout32.json'), 'utf8')) as Layout32;
      } catch (err) {
        layout32Error = `layout32.json unreadable: ${(err as Error).message}`;
      }
    } else {
      layout32Error = `gcc -m32 layout compile failed (${layout.why}): ${tail(layout.output, 2)}`;
    }
    return new Lwip(path.join(out, 'lwip-bench'), packageVersion, layout32, layout32Error);
  }

  /** One harness process: its own warm-up, then `runs` timed runs of each workload. */
  run(runs: number, segments: number, connections: number, unbounded: number): LwipRun {
    const r = run(this.binary, [runs, segments, connections, unbounded].map(String), 300000);
    if (!r.ok) throw new Error(`lwip-bench failed (${r.why}): ${tail(r.output)}`);
    return JSON.parse(r.stdout) as LwipRun;
  }
}
