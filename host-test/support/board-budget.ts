// The board memory budget (slotcp issue 12): what the app takes at start-up with a board's
// profile from manifest.json, in 32-bit bytes. XS heap slots are measured on the real XS
// engine (xsnap; a slot is 16 bytes on a 32-bit board, and slot counts are the same on
// 64-bit XS); typed-array bytes (XS chunks) are summed by walking the same app's objects
// on Node; the XS stack is what the manifest's `creation` reserves for the platform.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XsSession, bundleSourceForXs } from '../../host/xs/xsnap-runner';
import { BoardProfile, boardStack, startBoardApp } from './board-app';

export const SLOT_BYTES_32 = 16;

export interface Creation {
  static?: number;
  chunk: { initial: number; incremental: number };
  heap: { initial: number; incremental: number };
  stack: number;
}

const root = path.join(__dirname, '..', '..', '..');

/** manifest.json with the library it includes (manifest_slotcp.json) merged under it, as
 *  mcconfig merges them: the including app's config and platform sections win. */
export function readManifest(): any {
  const app = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
  const library = JSON.parse(readFileSync(path.join(root, 'manifest_slotcp.json'), 'utf8'));
  const platforms: Record<string, any> = { ...library.platforms };
  for (const [name, section] of Object.entries<any>(app.platforms ?? {})) {
    const base = library.platforms?.[name] ?? {};
    platforms[name] = { ...base, ...section, config: { ...base.config, ...section.config } };
  }
  return { ...app, config: { ...library.config, slotcp: { ...library.config.slotcp, ...app.config.slotcp } }, platforms };
}

/** The profile a platform's main module runs with: config.slotcp with the platform's
 *  config.slotcpProfile laid over it, as firmware/main.ts merges them. */
export function boardProfile(manifest: any, platform: string): BoardProfile {
  const profile = { ...manifest.config.slotcp, ...manifest.platforms[platform]?.config?.slotcpProfile };
  const { slots, rxBytes, txBytes, mss, timeWaitCapacity, mslMs, services } = profile;
  return { slots, rxBytes, txBytes, mss, timeWaitCapacity, mslMs, services };
}

export function creation(manifest: any, platform: string): Creation {
  return manifest.platforms[platform].creation;
}

/** Bytes of every distinct ArrayBuffer reachable from `roots` through properties and
 *  array elements (not through closures: the app keeps its buffers in fields). */
export function typedArrayBytes(...roots: unknown[]): number {
  const seen = new Set<object>();
  const buffers = new Set<ArrayBufferLike>();
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) { buffers.add(value.buffer); continue; }
    if (value instanceof ArrayBuffer) { buffers.add(value); continue; }
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d && 'value' in d) stack.push(d.value);
    }
  }
  let total = 0;
  for (const b of buffers) total += b.byteLength;
  return total;
}

export interface BoardFootprint {
  platform: string;
  profile: BoardProfile;
  /** XS heap slots the stack's objects take, and the whole app (stack, socket layer,
   *  pool, services) at start-up, after a gc. */
  stackSlots: number;
  appSlots: number;
  /** Typed-array bytes: the stack's (Stack.memory().total) and the whole app's. */
  stackChunkBytes: number;
  appChunkBytes: number;
}

/** Measures each platform's app at start-up: slots on XS, typed arrays on Node. */
export async function measureBoards(platforms: readonly string[]): Promise<BoardFootprint[]> {
  const manifest = readManifest();
  const worker = await XsSession.start();
  try {
    const evaluate = async (code: string) => {
      const r = await worker.evaluate(code);
      if (!r.ok) throw new Error(`XS: ${r.error}`);
      return r.meter.heapCount;
    };
    await evaluate(await bundleSourceForXs(`
      import { boardStack, startBoardApp } from './host-test/support/board-app';
      (globalThis as any).boardStack = boardStack;
      (globalThis as any).startBoardApp = startBoardApp;
    `));
    // Slots an evaluation itself leaves (measured after a gc, as everything here).
    const perEvaluation = -(await evaluate('gc()')) + (await evaluate('gc()'));
    const rows: BoardFootprint[] = [];
    for (const platform of platforms) {
      const profile = boardProfile(manifest, platform);
      const json = JSON.stringify(profile);
      const before = await evaluate('globalThis.app = undefined; globalThis.st = undefined; globalThis[Symbol.for("slotcp.defaultLayer")] = undefined; gc()');
      const withStack = await evaluate(`globalThis.st = boardStack(${json}); gc()`);
      const cleared = await evaluate('globalThis.st = undefined; globalThis[Symbol.for("slotcp.defaultLayer")] = undefined; gc()');
      const withApp = await evaluate(`globalThis.app = startBoardApp(${json}); gc()`);
      rows.push({
        platform, profile,
        stackSlots: withStack - before - perEvaluation,
        appSlots: withApp - cleared - perEvaluation,
        stackChunkBytes: boardStack(profile).memory().total,
        appChunkBytes: typedArrayBytes(startBoardApp(profile)),
      });
    }
    return rows;
  } finally {
    await worker.close();
  }
}
