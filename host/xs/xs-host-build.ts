// Builds slotcp's own XS host (xs-host/) with make, once per target and per source hash:
// the build directory's name holds a hash of xs-host/ and of the XS sources in
// node_modules, so editing either rebuilds and an unchanged tree reuses the last build.
// Builds go under dist/ (ignored by git).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type XsHostTarget = 'x86_64' | 'i386' | 'lx106';

export const repositoryRoot = path.join(__dirname, '..', '..', '..');
const hostSources = path.join(repositoryRoot, 'xs-host');
/** The board's C byte primitives, which the host links too (xs-host/Makefile). */
const moddableModule = path.join(repositoryRoot, 'firmware', 'platform', 'moddable');
const buildRoot = path.join(repositoryRoot, 'dist', 'xs-host');
const BUILD_TIMEOUT_MS = 10 * 60_000;

/** A program or file a target needs is not installed; the message names the Debian package. */
export class XsHostToolMissing extends Error {}

function xsSourceDir(): string {
  return path.join(path.dirname(require.resolve('@agoric/xsnap/package.json')), 'moddable', 'xs');
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

interface Requirement {
  present: () => boolean;
  what: string;
  debianPackage: string;
}

const program = (name: string, debianPackage: string): Requirement =>
  ({ present: () => onPath(name), what: name, debianPackage });
const file = (name: string, debianPackage: string): Requirement =>
  ({ present: () => fs.existsSync(name), what: name, debianPackage });

const requirements: Record<XsHostTarget, Requirement[]> = {
  x86_64: [program('make', 'make'), program('gcc', 'gcc')],
  i386: [
    program('make', 'make'),
    program('gcc', 'gcc'),
    file('/usr/include/x86_64-linux-gnu/gnu/stubs-32.h', 'gcc-multilib'),
    program('qemu-i386', 'qemu-user'),
  ],
  lx106: [
    program('make', 'make'),
    program('xtensa-lx106-elf-gcc', 'gcc-xtensa-lx106'),
    program('xtensa-lx106-elf-objcopy', 'binutils-xtensa-lx106'),
    file('/usr/lib/xtensa-lx106-elf/picolibc.specs', 'picolibc-xtensa-lx106-elf'),
    file('/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz', 'gcc-12-source'),
    program('xz', 'xz-utils'),
    program('qemu-system-xtensa', 'qemu-system-misc'),
  ],
};

/** Throws XsHostToolMissing naming every missing tool of the target and its package. */
export function checkXsHostTools(target: XsHostTarget): void {
  const missing = requirements[target].filter((r) => !r.present());
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((r) => r.debianPackage))].join(' ');
    throw new XsHostToolMissing(`the ${target} XS host needs ${missing.map((r) => r.what).join(', ')}`
      + ` (apt-get install ${packages})`);
  }
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

let sourceHash: string | undefined;

/** A hash of everything a build reads: xs-host/, the byte primitives' C and the XS
 *  engine's sources. */
function hashSources(): string {
  if (sourceHash === undefined) {
    const hash = crypto.createHash('sha256');
    const xs = xsSourceDir();
    for (const dir of [hostSources, path.join(xs, 'sources'), path.join(xs, 'includes'), path.join(xs, 'platforms')]) {
      for (const f of listFiles(dir)) hash.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
    }
    for (const name of ['slotcp_bytes.c', 'slotcp_bytes.h', 'slotcp_bytes_xs.c']) {
      hash.update(name).update('\0').update(fs.readFileSync(path.join(moddableModule, name))).update('\0');
    }
    sourceHash = hash.digest('hex').slice(0, 16);
  }
  return sourceHash;
}

export function runMake(args: string[], what: string): void {
  const result = spawnSync('make', ['-s', '-C', hostSources, `-j${Math.max(2, os.availableParallelism())}`, `XS=${xsSourceDir()}`, ...args],
    { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (make exit ${result.status}):\n${(result.stdout + result.stderr).slice(-4000)}`);
}

/** Builds the target's host unless this source hash was built already, and returns its
 *  build directory (slotcp-xs for Linux targets; the libraries and objects the lx106
 *  image is linked from). Tools are checked first. */
export function buildXsHost(target: XsHostTarget): string {
  checkXsHostTools(target);
  const dir = path.join(buildRoot, `${target}-${hashSources()}`);
  const done = path.join(dir, '.built');
  if (fs.existsSync(done)) return dir;
  runMake([`TARGET=${target}`, `BUILD=${dir}`, 'all'], `building the ${target} XS host`);
  fs.writeFileSync(done, `${new Date().toISOString()}\n`);
  return dir;
}
