// Bundles TypeScript for XS with esbuild: one IIFE script, ES2022, no Node built-ins.
// Test files import node:assert/strict, which is swapped for a portable shim.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');

/** Bundles `source` (TypeScript, resolved from the repository root) into one script. */
export async function bundleForXs(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, loader: 'ts', resolveDir: root, sourcefile: 'xs-entry.ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    alias: {
      'node:assert/strict': path.join(root, 'host-test', 'xs', 'assert-shim.ts'),
      'node:assert': path.join(root, 'host-test', 'xs', 'assert-shim.ts'),
    },
  });
  return result.outputFiles[0].text;
}
