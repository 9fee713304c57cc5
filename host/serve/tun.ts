// `slotcp tun`: the firmware's services for this machine's own TCP. Creates a network
// namespace, starts `slotcp serve` inside it on its loopback, bridges a TUN device
// (kernel 192.0.2.1/24) to it with socat, prints how to reach it, and removes it all on
// exit, SIGINT, SIGTERM or error. Needs root, /dev/net/tun, ip (iproute2) and socat.
//
// However slotcp tun ends, even by SIGKILL, nothing is left behind: the runner and socat
// get a parent-death signal (setpriv --pdeathsig, util-linux), and a detached watcher
// holding a pipe from this process removes the namespace (killing what is left in it)
// when the pipe closes without a "done" line, which only a clean exit writes.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { checkReplaceable } from '../files';
import { join } from 'node:path';
import { formatIpv4 } from '../../firmware/tcp/wire';
import { ip, namespaceExists, removeNamespace, which } from './netns';
import { parseServeArgs, usageText } from './options';

/** Inside the namespace: the runner's and socat's UDP ends, and the TUN device. */
export const RUNNER_PORT = 9001;
export const SOCAT_PORT = 9000;
export const TUN_NAME = 'slot0';
export const KERNEL_ADDR = '192.0.2.1';

const slotcpBin = join(__dirname, '..', '..', '..', 'bin', 'slotcp.js');

/** The watcher (sh -c SCRIPT watcher NS): waits for its stdin to close; unless this
 *  process wrote "done" first, it asks what runs in the namespace to stop (TERM: the
 *  runner writes --stats), kills what is left after 2 s, and deletes the namespace. */
const WATCHER = `read -r line; [ "$line" = done ] && exit 0
ns=$1; pids=$(ip netns pids "$ns" 2>/dev/null); [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
i=0; while [ $i -lt 20 ] && [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; do sleep 0.1; i=$((i+1)); done
pids=$(ip netns pids "$ns" 2>/dev/null); [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
ip netns del "$ns" 2>/dev/null; exit 0`;

/** Starts the watcher for `ns` (see WATCHER), in a session of its own so that a Ctrl-C
 *  or hang-up meant for slotcp tun does not reach it. */
function startWatcher(ns: string): ChildProcess {
  const watcher = spawn('sh', ['-c', WATCHER, 'slotcp-tun-watcher', ns], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watcher.stdin!.on('error', () => { /* the watcher is gone: nothing to tell it */ });
  watcher.unref();
  return watcher;
}

/** `command args` run so that it gets `signal` when this process dies (PR_SET_PDEATHSIG,
 *  kept across the exec of `ip netns exec` and of the command). Without setpriv the
 *  watcher alone cleans up. */
function withParentDeathSignal(signal: 'TERM' | 'KILL', command: string, args: string[]): [string, string[]] {
  const setpriv = which('setpriv');
  return setpriv ? [setpriv, ['--pdeathsig', signal, command, ...args]] : [command, args];
}

function preflight(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces and TUN devices need it)');
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  if (!which('ip')) missing.push('ip (apt-get install iproute2)');
  if (!which('socat')) missing.push('socat (apt-get install socat)');
  if (missing.length) throw new Error(`tun needs ${missing.join(', ')}`);
}

/** Waits for a child to exit (its code, or 128+signal), killing it after `ms`. */
function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
}

class Session {
  runner: ChildProcess | undefined;
  socat: ChildProcess | undefined;
  private socatErrors = '';
  /** Resolves with the exit status when the session should end. */
  readonly ended: Promise<number>;
  /** Ends the session with an exit status (the first call wins). */
  end!: (code: number) => void;
  private stopping = false;
  private readonly exitHandler = () => this.cleanupSync();
  private readonly watcher: ChildProcess;

  constructor(readonly ns: string) {
    this.watcher = startWatcher(ns);
    this.ended = new Promise((resolve) => {
      this.end = (code) => { this.stopping = true; resolve(code); };
    });
    process.on('exit', this.exitHandler);
  }

  /** Starts the runner with `serveArgs` and waits for its ready line. */
  async startRunner(serveArgs: string[]): Promise<void> {
    const link = `udp:127.0.0.1:${RUNNER_PORT}:127.0.0.1:${SOCAT_PORT}`;
    const runner = spawn(...withParentDeathSignal('TERM', 'ip', ['netns', 'exec', this.ns, process.execPath, slotcpBin, 'serve', '--link', link, ...serveArgs]),
      { stdio: ['ignore', 'pipe', 'inherit'] });
    this.runner = runner;
    let readyWatch = () => {};
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('the runner did not report ready within 15 s')), 15000);
      runner.stdout!.setEncoding('utf8');
      runner.stdout!.on('data', (chunk: string) => {
        process.stdout.write(chunk);
        if (text.length < 10000) text += chunk;
        if (/^slotcp serve: ready/m.test(text)) { clearTimeout(timer); resolve(); }
      });
      const early = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        reject(new Error(`the runner exited (${signal ?? code}) before it was ready`));
      };
      runner.once('exit', early);
      readyWatch = () => runner.off('exit', early);
    });
    readyWatch();
    runner.on('exit', (code, signal) => {
      if (!this.stopping) process.stderr.write(`slotcp tun: the runner exited (${signal ?? code})\n`);
      this.end(code === 0 ? 0 : 1);
    });
  }

  /** Starts socat (after the runner listens, so its first datagrams have a receiver) and
   *  waits until the TUN device is up with the kernel's address. */
  async startSocat(): Promise<void> {
    const tun = `TUN:${KERNEL_ADDR}/24,tun-name=${TUN_NAME},iff-up,iff-no-pi`;
    const udp = `UDP-DATAGRAM:127.0.0.1:${RUNNER_PORT},bind=127.0.0.1:${SOCAT_PORT}`;
    const socat = spawn(...withParentDeathSignal('KILL', 'ip', ['netns', 'exec', this.ns, 'socat', tun, udp]), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.socat = socat;
    socat.stderr!.setEncoding('utf8');
    socat.stderr!.on('data', (chunk: string) => { if (this.socatErrors.length < 4000) this.socatErrors += chunk; });
    socat.on('exit', (code, signal) => {
      if (!this.stopping) process.stderr.write(`slotcp tun: socat exited (${signal ?? code})${this.socatErrors ? `: ${this.socatErrors.trim()}` : ''}\n`);
      this.end(1);
    });
    for (let waited = 0; ; waited += 20) {
      let up = false;
      try {
        const link = ip('-n', this.ns, '-o', 'link', 'show', 'dev', TUN_NAME);
        const addr = ip('-n', this.ns, '-o', '-4', 'addr', 'show', 'dev', TUN_NAME);
        up = /<[^>]*\bUP\b[^>]*>/.test(link) && addr.includes(`${KERNEL_ADDR}/24`);
      } catch { /* not there yet */ }
      if (up) return;
      if (socat.exitCode !== null || waited >= 5000) {
        throw new Error(`the TUN device did not come up${this.socatErrors ? `: ${this.socatErrors.trim()}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the runner first (it writes --stats and resets open connections), then socat,
   *  then removes the namespace with anything left in it. */
  async cleanup(): Promise<void> {
    this.runner?.removeAllListeners('exit');
    this.socat?.removeAllListeners('exit');
    await stopChild(this.runner, 'SIGTERM', 5000);
    await stopChild(this.socat, 'SIGTERM', 2000);
    removeNamespace(this.ns);
    process.off('exit', this.exitHandler);
    this.watcher.stdin!.end('done\n');
  }

  /** Last resort when the process exits without cleanup() (an uncaught error). */
  private cleanupSync(): void {
    for (const child of [this.runner, this.socat]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    removeNamespace(this.ns);
    // No "done": the watcher checks once more when the pipe closes with this process.
  }
}

export async function run(args: string[]): Promise<number> {
  const options = parseServeArgs(args, 'tun');
  if (options === 'help') {
    console.log(usageText('tun'));
    return 0;
  }
  // The runner makes the files; a mistake in their paths is a usage error found here,
  // before the namespace exists (the runner checks again).
  if (options.pcap) checkReplaceable(options.pcap, '--pcap', options.overwrite);
  if (options.stats) checkReplaceable(options.stats, '--stats', options.overwrite);
  preflight();
  const ns = options.netns ?? `slotcp-${process.pid}`;
  if (namespaceExists(ns)) throw new Error(`namespace ${ns} already exists (not touching it; remove it or pick another --netns)`);
  // serve gets our flags, minus --netns (serve has its own link inside the namespace).
  const serveArgs = options.forward;

  ip('netns', 'add', ns);
  const session = new Session(ns);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = () => session.end(0);
  const onUsr1 = () => session.runner?.kill('SIGUSR1');
  for (const s of signals) process.on(s, onSignal);
  process.on('SIGUSR1', onUsr1);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    await session.startRunner(serveArgs);
    await session.startSocat();
    const addr = formatIpv4(options.config.localAddr);
    const say = (line: string) => process.stdout.write(`slotcp tun: ${line}\n`);
    say(`namespace ${ns}: kernel ${KERNEL_ADDR}/24 on ${TUN_NAME}, slotcp ${addr}`);
    say(`try: ip netns exec ${ns} curl http://${addr}/`);
    say(`     ip netns exec ${ns} nc ${addr} 7`);
    say(`ready (Ctrl-C or SIGTERM stops and removes ${ns}; SIGUSR1 writes --stats)`);
    const code = await session.ended;
    say(`stopping; removing ${ns}`);
    return code;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off('SIGUSR1', onUsr1);
    await session.cleanup();
  }
}
