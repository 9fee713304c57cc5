// Drives Moddable's XS engine on the host: the `xsnap-worker` binary that @agoric/xsnap
// builds at install, spoken to directly over its netstring pipes (fd 3: commands to XS,
// fd 4: replies), so that SES, which @agoric/xsnap's own Node API loads, stays out of
// this process. A reply is '.' + meter JSON + \x01 + result, or '!' + error text; '?'
// is a command from issueCommand() inside XS, answered with '/'.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';

/** XS's own deterministic cost figures for one evaluation. */
export interface XsMeter {
  /** Computrons: XS's count of work done (bytecode steps), the same on every run. */
  compute: number;
  /** Slots and chunks in use after the evaluation. */
  currentHeapCount: number;
  /** Bytes XS has allocated from the system. */
  allocate: number;
}

export interface XsResult {
  ok: boolean;
  error?: string;
  meter: XsMeter;
  /** Lines printed with print() during the evaluation. */
  prints: string[];
}

export function locateXsnapWorker(): string {
  const pkg = path.dirname(require.resolve('@agoric/xsnap/package.json'));
  const bin = path.join(pkg, 'xsnap-native', 'xsnap', 'build', 'bin', 'lin', 'release', 'xsnap-worker');
  if (!existsSync(bin)) throw new Error(`xsnap-worker not found at ${bin}: run \`npm ci\` (it builds XS at install)`);
  return bin;
}

function netstring(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]);
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toXs: Writable;
  private input = Buffer.alloc(0);
  private stdout = '';
  private waiting: ((message: Buffer) => void) | undefined;
  private exited: string | undefined;

  constructor(name = 'slotcp') {
    this.child = spawn(locateXsnapWorker(), [name], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const stdio = this.child.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toXs = stdio[3];
    stdio[1].setEncoding('utf8').on('data', (text: string) => { this.stdout += text; });
    stdio[2].setEncoding('utf8').on('data', (text: string) => { this.stdout += text; });
    stdio[4].on('data', (chunk: Buffer) => this.receive(chunk));
    this.toXs.on('error', () => {});
    this.child.on('exit', (code, signal) => {
      this.exited = `xsnap-worker exited (${signal ?? code})`;
      this.waiting?.(Buffer.from(`!${this.exited}`));
    });
  }

  private receive(chunk: Buffer): void {
    this.input = Buffer.concat([this.input, chunk]);
    for (;;) {
      const colon = this.input.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.input.subarray(0, colon).toString('latin1'));
      if (this.input.length < colon + 1 + length + 1) return;
      const message = this.input.subarray(colon + 1, colon + 1 + length);
      this.input = this.input.subarray(colon + 1 + length + 1);
      if (message[0] === 0x3f) { // '?': issueCommand from XS; answer with an empty reply
        this.toXs.write(netstring(Buffer.from('/')));
        continue;
      }
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve?.(Buffer.from(message));
    }
  }

  /** Evaluates a script in the worker's global scope. */
  evaluate(code: string, timeoutMs = 120000): Promise<XsResult> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    this.stdout = '';
    return new Promise<XsResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(new Error(`XS evaluation timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        // Let stdout catch up with the reply pipe before collecting prints.
        setImmediate(() => resolve(this.result(message)));
      };
      this.toXs.write(netstring(Buffer.from(`e${code}`)));
    });
  }

  private result(message: Buffer): XsResult {
    const prints = this.stdout.split('\n').filter((line) => line.length > 0);
    const empty: XsMeter = { compute: 0, currentHeapCount: 0, allocate: 0 };
    if (message[0] !== 0x2e) return { ok: false, error: message.subarray(1).toString('utf8'), meter: empty, prints };
    const separator = message.indexOf(1);
    const meter = separator > 0 ? JSON.parse(message.subarray(1, separator).toString('utf8')) as XsMeter : empty;
    return { ok: true, meter, prints };
  }

  close(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Evaluates one script in a fresh worker and closes it. */
export async function runOnXs(code: string, timeoutMs?: number): Promise<XsResult> {
  const worker = new XsWorker();
  try {
    return await worker.evaluate(code, timeoutMs);
  } finally {
    worker.close();
  }
}
