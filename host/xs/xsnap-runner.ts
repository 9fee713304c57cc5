// Runs JavaScript on the real XS engine by driving @agoric/xsnap's `xsnap-worker` binary
// directly. @agoric/xsnap's own Node API imports @endo/init, which locks down (SES) the
// whole calling process; speaking the worker's protocol here keeps the caller ordinary.
//
// The protocol (xsnap-worker.c): netstrings `<byte length>:<bytes>,` on fd 3 (to the worker)
// and fd 4 (from the worker). Commands: `e<source>` evaluates the source with indirect eval
// (sloppy, global scope) and then drains promise jobs and setImmediate callbacks; `R` is
// answered with a bare `.`; `q` makes the worker exit. Replies: `.<meter JSON>\x01<bytes>`
// after a successful evaluation, `!<String(exception)>` after an uncaught one (no meter),
// and `?<bytes>` whenever the code calls issueCommand(arrayBuffer), which blocks inside XS
// until the parent writes `/<reply bytes>`. `print` writes a line to the worker's stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { build, type BuildOptions } from 'esbuild';

/** What xsnap reports after an evaluation that did not throw. */
export interface XsMeter {
  /** Computrons this evaluation spent: deterministic for the same code and engine state. */
  compute: number;
  /** XS heap slots (32 bytes each on 64-bit hosts) in use when the evaluation ended: live
   * slots plus garbage not yet swept. A gc() resets it to the live count. Chunk memory
   * (string and BigInt contents, ArrayBuffer bytes) is not counted. */
  heapCount: number;
  /** Bytes the machine has reserved for slots and chunks; only grows, in megabyte steps. */
  allocate: number;
  /** Wall-clock seconds when the worker received the command, issued each issueCommand,
   * got its answer and replied: not deterministic. */
  timestamps: number[];
}

interface XsOutput {
  /** Lines the code wrote with print (a print of 'a\nb' gives two lines). */
  prints: string[];
  /** Payloads of the code's issueCommand calls, decoded as UTF-8; each was answered with
   * an empty ArrayBuffer. */
  messages: string[];
}

/** The outcome of one evaluation. It fails on an uncaught exception (then there is no
 * meter) and when the worker wrote to stderr, which it does only to report a failure such
 * as an unhandled promise rejection. */
export type XsEvaluation =
  | (XsOutput & { ok: true; meter: XsMeter })
  | (XsOutput & { ok: false; error: string; meter?: XsMeter });

export type XsRun = XsEvaluation;

export interface XsOptions {
  /** How long each command may take before the worker is killed; default 60 s. */
  timeoutMs?: number;
  /** Computrons one evaluation may spend before the worker aborts (exit code 17, "too
   * much computation"); default unlimited. */
  computeLimit?: number;
}

// Generous: on a loaded 2-core machine sack.test.ts's fuzz took 52 s under XS.
const DEFAULT_TIMEOUT_MS = 180_000;
const QUERY = 0x3f; // '?'
const OK = 0x2e; // '.'
const ERROR = 0x21; // '!'
const METER_END = 0x01;

// Exit codes of xsnap-worker, from @agoric/xsnap's api.js.
const EXIT_REASONS: Record<number, string> = {
  1: 'bad argument usage',
  2: 'I/O error',
  11: 'not enough memory',
  12: 'stack overflow',
  15: 'unhandled exception',
  16: 'property (key) name space exhausted',
  17: 'too much computation',
};

/** The path of the release xsnap-worker binary that @agoric/xsnap's postinstall built. */
export function locateXsnapWorker(): string {
  const platform = ({ linux: 'lin', darwin: 'mac' } as Record<string, string>)[process.platform];
  if (platform === undefined) throw new Error(`xsnap-worker is not built for ${process.platform}`);
  const packageDir = path.dirname(require.resolve('@agoric/xsnap/package.json'));
  const worker = path.join(packageDir, 'xsnap-native/xsnap/build/bin', platform, 'release/xsnap-worker');
  if (!fs.existsSync(worker)) {
    throw new Error(`xsnap-worker is missing at ${worker}; run \`npm ci\` so that @agoric/xsnap builds it`);
  }
  return worker;
}

function encodeNetstring(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]);
}

/** Splits the worker's byte stream into netstring payloads. */
class NetstringReader {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const colon = this.buffered.indexOf(':');
      if (colon < 0) return frames;
      const prefix = this.buffered.toString('latin1', 0, colon);
      if (!/^\d{1,9}$/.test(prefix)) throw new Error(`xsnap protocol error: bad netstring length ${JSON.stringify(prefix)}`);
      const end = colon + 1 + Number(prefix);
      if (this.buffered.length <= end) return frames;
      if (this.buffered[end] !== 0x2c) throw new Error('xsnap protocol error: netstring without trailing comma');
      frames.push(this.buffered.subarray(colon + 1, end));
      this.buffered = this.buffered.subarray(end + 1);
    }
  }
}

/** One of the worker's output streams, captured in an unlinked temporary file. The worker
 * flushes print output before it replies, so after each reply the file holds every line
 * written so far; a pipe, read by Node's event loop, could lag behind the reply on fd 4. */
class OutputCapture {
  private offset = 0;

  private constructor(readonly fd: number) {}

  static create(): OutputCapture {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotcp-xs-'));
    const fd = fs.openSync(path.join(dir, 'output'), 'w+');
    fs.rmSync(dir, { recursive: true }); // the open descriptors keep the file alive
    return new OutputCapture(fd);
  }

  /** The complete lines written since the last call. */
  takeLines(): string[] {
    const size = fs.fstatSync(this.fd).size;
    const bytes = Buffer.alloc(size - this.offset);
    // Positional reads leave the file offset, shared with the writing worker, alone.
    fs.readSync(this.fd, bytes, 0, bytes.length, this.offset);
    const complete = bytes.lastIndexOf(0x0a) + 1;
    this.offset += complete;
    return complete === 0 ? [] : bytes.toString('utf8', 0, complete - 1).split('\n');
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function parseMeter(json: string): XsMeter {
  const raw = JSON.parse(json) as { currentHeapCount: number; compute: number; allocate: number; timestamps: number[] };
  return { compute: raw.compute, heapCount: raw.currentHeapCount, allocate: raw.allocate, timestamps: raw.timestamps };
}

interface Reply {
  frame: Buffer;
  messages: string[];
}

interface Pending {
  messages: string[];
  settle(outcome: Buffer | Error): void;
}

// Workers still running when Node exits, e.g. after a test runner gave up on a test.
const liveWorkers = new Set<ChildProcess>();
process.once('exit', () => liveWorkers.forEach((child) => child.kill('SIGKILL')));

/** One xsnap-worker process: several evaluations share its heap, so a scenario can read
 * the heap count before and after. Always close() it, which kills the worker. */
export class XsSession {
  private readonly reader = new NetstringReader();
  private readonly exited: Promise<void>;
  private pending: Pending | undefined;
  private failure: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stdout: OutputCapture,
    private readonly stderr: OutputCapture,
    private readonly timeoutMs: number,
  ) {
    liveWorkers.add(child);
    this.exited = new Promise((resolve) => {
      const end = (reason: Error) => {
        liveWorkers.delete(child);
        this.fail(reason);
        resolve();
      };
      child.once('exit', (code, signal) => end(new Error(this.describeExit(code, signal))));
      child.once('error', end);
    });
    // A dead worker breaks these pipes; the exit handler reports why.
    this.toWorker.on('error', () => undefined);
    this.fromWorker.on('error', () => undefined);
    this.fromWorker.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  /** Starts a fresh worker and waits until it answers. */
  static async start(options: XsOptions = {}): Promise<XsSession> {
    const worker = locateXsnapWorker();
    const args = ['slotcp-xs'];
    if (options.computeLimit !== undefined) args.push('-l', String(options.computeLimit));
    const stdout = OutputCapture.create();
    const stderr = OutputCapture.create();
    const child = spawn(worker, args, { stdio: ['ignore', stdout.fd, stderr.fd, 'pipe', 'pipe'] });
    const session = new XsSession(child, stdout, stderr, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      await session.request('R');
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Evaluates a script in the worker's global scope; evaluations run one after another.
   * Rejects when the worker dies or times out, which ends the session. */
  evaluate(code: string): Promise<XsEvaluation> {
    const evaluation = this.queue.then(() => this.request(`e${code}`)).then((reply) => this.interpret(reply));
    this.queue = evaluation.catch(() => undefined);
    return evaluation;
  }

  /** Kills the worker and releases its output files. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.kill(new Error('the XS session is closed'));
    await this.exited;
    this.stdout.close();
    this.stderr.close();
  }

  private get toWorker(): Writable {
    return this.child.stdio[3] as Writable;
  }

  private get fromWorker(): Readable {
    return this.child.stdio[4] as Readable;
  }

  private request(command: string): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.kill(new Error(`the XS worker timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      const messages: string[] = [];
      this.pending = {
        messages,
        settle: (outcome) => {
          clearTimeout(timer);
          this.pending = undefined;
          if (outcome instanceof Error) reject(outcome);
          else resolve({ frame: outcome, messages });
        },
      };
      this.toWorker.write(encodeNetstring(Buffer.from(command, 'utf8')));
    });
  }

  private receive(chunk: Buffer): void {
    try {
      for (const frame of this.reader.push(chunk)) this.dispatch(frame);
    } catch (error) {
      this.kill(error as Error);
    }
  }

  private dispatch(frame: Buffer): void {
    if (this.pending === undefined) throw new Error('xsnap protocol error: reply without a command');
    if (frame[0] === QUERY) {
      this.pending.messages.push(frame.toString('utf8', 1));
      this.toWorker.write(encodeNetstring(Buffer.from('/')));
    } else if (frame[0] === OK || frame[0] === ERROR) {
      this.pending.settle(frame);
    } else {
      throw new Error(`xsnap protocol error: unexpected reply ${JSON.stringify(frame.toString('latin1', 0, 40))}`);
    }
  }

  private interpret({ frame, messages }: Reply): XsEvaluation {
    const prints = this.stdout.takeLines();
    const failures = this.stderr.takeLines();
    if (frame[0] === ERROR) {
      return { ok: false, error: [frame.toString('utf8', 1), ...failures].join('\n'), prints, messages };
    }
    const meter = parseMeter(frame.toString('utf8', 1, frame.indexOf(METER_END)));
    if (failures.length > 0) return { ok: false, error: failures.join('\n'), meter, prints, messages };
    return { ok: true, meter, prints, messages };
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code} (${EXIT_REASONS[code ?? -1] ?? 'unknown error'})`;
    const stderr = this.stderr.takeLines().join('\n');
    return `the XS worker ${how}${stderr === '' ? '' : `: ${stderr}`}`;
  }

  /** Records why the session ends and fails the command in flight with it. */
  private fail(reason: Error): void {
    this.failure ??= reason;
    this.pending?.settle(this.failure);
  }

  private kill(reason: Error): void {
    this.fail(reason);
    this.child.kill('SIGKILL');
  }
}

/** Evaluates code in a fresh worker, which is killed afterwards. */
export async function runOnXs(code: string, options: XsOptions = {}): Promise<XsRun> {
  const session = await XsSession.start(options);
  try {
    return await session.evaluate(code);
  } finally {
    await session.close();
  }
}

/** Bundles a TypeScript or JavaScript entry file and its imports into one script for
 * runOnXs / XsSession.evaluate. */
export async function bundleForXs(entryFile: string): Promise<string> {
  return bundle({ entryPoints: [entryFile] });
}

const repositoryRoot = path.join(__dirname, '..', '..', '..');
const assertShim = path.join(repositoryRoot, 'host-test', 'xs', 'assert-shim.ts');

/** Bundles TypeScript source text whose imports resolve from the repository root. Test
 *  files' node:assert is swapped for a portable shim, so mocha-style tests run on XS. */
export async function bundleSourceForXs(source: string): Promise<string> {
  return bundle({
    stdin: { contents: source, loader: 'ts', resolveDir: repositoryRoot, sourcefile: 'xs-entry.ts' },
    alias: { 'node:assert/strict': assertShim, 'node:assert': assertShim },
  });
}

async function bundle(input: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'alias'>): Promise<string> {
  const result = await build({
    ...input,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: false,
    // Imports are extensionless (Moddable's style): try TypeScript sources first.
    resolveExtensions: ['.ts', '.js'],
    mainFields: ['module', 'main'],
    // Modules are strict, but xsnap evaluates scripts sloppy unless they opt in.
    banner: { js: '"use strict";' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
