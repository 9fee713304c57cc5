// Runs a JavaScript bundle on slotcp's own XS host (xs-host/): the bare XS engine as the
// board has it, natively on x86-64, as 32-bit x86 under qemu-i386, or on the ESP8266's
// lx106 core under qemu-system-xtensa. The role of xsnap-runner.ts's runOnXs, for one
// evaluation per process: the bundle runs as a sloppy script in the global scope, with
// print, gc, currentHeapCount and currentChunksSize, then its promise jobs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { buildXsHost, repositoryRoot, runMake, type XsHostTarget } from './xs-host-build';

export { XsHostToolMissing, checkXsHostTools, type XsHostTarget } from './xs-host-build';

export interface XsHostOptions {
  target?: XsHostTarget;
  /** Wall-clock limit of the run; the process (or QEMU) is killed after it. Default 120 s. */
  timeoutMs?: number;
  /** lx106 only: more arguments for qemu-system-xtensa, e.g. ['-icount', 'shift=0']. */
  qemuArgs?: string[];
}

export interface XsHostRun {
  /** True when the host exited with status 0. */
  ok: boolean;
  /** The host's exit status (1: uncaught exception, 2: XS abort, 3: usage); null if killed. */
  status: number | null;
  /** Lines the code wrote with print. */
  prints: string[];
  /** Why the run failed: stderr (the exception's String(), a guest fault's registers)
   *  and how the process ended; empty when ok. */
  error: string;
  wallMs: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

let prelude: Promise<string> | undefined;

/** Globals the bare engine lacks but the test bundles use (TextEncoder, TextDecoder). */
function hostPrelude(): Promise<string> {
  prelude ??= build({
    entryPoints: [path.join(repositoryRoot, 'host', 'xs', 'text-codec.ts')],
    bundle: true, write: false, format: 'iife', platform: 'neutral', target: 'es2022', logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text);
  return prelude;
}

/** The command that runs a bundle file on the target: the Linux hosts read the file, the
 *  lx106 image has it linked in. */
function commandFor(target: XsHostTarget, buildDir: string, bundleFile: string, workDir: string, qemuArgs: string[]): string[] {
  const host = path.join(buildDir, 'slotcp-xs');
  if (target === 'x86_64') return [host, bundleFile];
  if (target === 'i386') return ['qemu-i386', '-L', '/', host, bundleFile];
  const image = path.join(workDir, 'slotcp-xs.elf');
  runMake(['TARGET=lx106', `BUILD=${buildDir}`, `BUNDLE=${bundleFile}`, `IMAGE=${image}`, 'image'], 'linking the lx106 image');
  return lx106Command(image, qemuArgs);
}

/** QEMU's sim machine with the lx106 core: semihosting carries the output and the exit
 *  status; no monitor, so nothing but the guest's output reaches stdout. */
export function lx106Command(image: string, extra: string[] = []): string[] {
  return ['qemu-system-xtensa', '-M', 'sim', '-cpu', 'lx106', '-semihosting', '-nographic', '-monitor', 'none',
    ...extra, '-kernel', image];
}

function describeEnd(status: number | null, signal: NodeJS.Signals | null, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  if (signal !== null) return `killed by ${signal}`;
  return `exited with status ${status}`;
}

/** Runs a command with a time limit, collecting stdout and stderr. */
export function runWithLimit(command: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string; end: string; wallMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command[0]}: ${e.message}`));
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status: timedOut ? null : status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        end: describeEnd(status, signal, timedOut, timeoutMs),
        wallMs: Date.now() - started,
      });
    });
  });
}

/** Evaluates code on the target's XS host in a fresh process. Builds the host first if
 *  needed; throws XsHostToolMissing when a tool is not installed. */
export async function runOnXsHost(code: string, options: XsHostOptions = {}): Promise<XsHostRun> {
  const target = options.target ?? 'x86_64';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const buildDir = buildXsHost(target);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotcp-xs-host-'));
  try {
    const bundleFile = path.join(workDir, 'bundle.js');
    fs.writeFileSync(bundleFile, `${await hostPrelude()}\n${code}`);
    const run = await runWithLimit(commandFor(target, buildDir, bundleFile, workDir, options.qemuArgs ?? []), timeoutMs);
    const prints = run.stdout === '' ? [] : run.stdout.replace(/\n$/, '').split('\n');
    const ok = run.status === 0;
    const error = ok ? '' : [run.stderr.trim(), `the ${target} XS host ${run.end}`].filter((s) => s !== '').join('\n');
    return { ok, status: run.status, prints, error, wallMs: run.wallMs };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
