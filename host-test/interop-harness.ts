// Test side of the interop suite: starts `slotcp tun` in a namespace of its own, runs
// commands and the clients of interop-client.ts inside that namespace (Linux's own TCP
// as the client), reads --stats, and always removes what it started.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { namespaceExists, removeNamespace, which } from '../host/serve/netns';

export const ROOT = resolve(__dirname, '..', '..');
export const SLOTCP = join(ROOT, 'bin', 'slotcp.js');
const CLIENT = join(__dirname, 'interop-client.js');

/** Why the interop tests cannot run here, or undefined when they can. */
export function interopSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (network namespaces and TUN devices need root)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  if (!which('socat')) return 'socat is missing (apt-get install socat)';
  return undefined;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (killed after `timeoutMs`). */
export function runCommand(command: string, args: string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? -1 : null), stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

let sequence = 0;
const live = new Set<Tun>();

/** One `slotcp tun` process and its namespace. */
export class Tun {
  readonly ns = `slotcp-t${process.pid}-${++sequence}`;
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  private constructor(args: string[]) {
    this.child = spawn(process.execPath, [SLOTCP, 'tun', '--netns', this.ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => { this.output += c; });
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    live.add(this);
  }

  /** Starts `slotcp tun ARGS` and waits for its ready line. */
  static async start(args: string[] = [], timeoutMs = 20000): Promise<Tun> {
    const tun = new Tun(args);
    const deadline = performance.now() + timeoutMs;
    while (!/^slotcp tun: ready/m.test(tun.output)) {
      if (tun.child.exitCode !== null || performance.now() > deadline) {
        tun.dispose();
        throw new Error(`slotcp tun did not become ready:\n${tun.output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return tun;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs a command inside the namespace. */
  exec(command: string, args: string[], timeoutMs = 60000): Promise<Ran> {
    return runCommand('ip', ['netns', 'exec', this.ns, command, ...args], timeoutMs);
  }

  /** Runs an interop-client.ts mode inside the namespace; returns its JSON result. */
  async client(mode: string, args: (string | number)[], timeoutMs = 60000): Promise<any> {
    const ran = await this.exec(process.execPath, [CLIENT, mode, ...args.map(String)], timeoutMs + 5000);
    const line = ran.stdout.trim().split('\n').pop() ?? '';
    let result: any;
    try {
      result = JSON.parse(line);
    } catch {
      throw new Error(`client ${mode} printed no result (exit ${ran.code}): ${ran.stdout}${ran.stderr}`);
    }
    if (ran.code !== 0 || result.error === 'deadline') throw new Error(`client ${mode} failed (exit ${ran.code}): ${line}\n${ran.stderr}`);
    return result;
  }

  /** Asks the runner for --stats (SIGUSR1 through slotcp tun) and reads the file. */
  async stats(file: string): Promise<any> {
    rmSync(file, { force: true });
    this.child.kill('SIGUSR1');
    for (let waited = 0; waited < 5000; waited += 10) {
      if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no stats in ${file} 5 s after SIGUSR1`);
  }

  /** Polls stats until `ready(stats)` (e.g. the last connection has finished closing). */
  async statsWhen(file: string, ready: (s: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.stats(file);
      if (ready(s) || performance.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops slotcp tun with a signal; resolves with its exit status. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Kills everything left and removes the namespace (for after hooks). */
  dispose(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    removeNamespace(this.ns);
    live.delete(this);
  }

  namespaceExists(): boolean {
    return namespaceExists(this.ns);
  }
}

/** Stops and removes every Tun still running (afterEach). */
export async function disposeAll(): Promise<void> {
  for (const tun of [...live]) {
    await tun.stop('SIGTERM', 5000).catch(() => undefined);
    tun.dispose();
  }
}
