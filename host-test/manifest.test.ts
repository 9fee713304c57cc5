// manifest.json against firmware/: mcconfig's preload wildcards match .js files only
// (found building with SDK 8.2.3), so every TypeScript module is listed by name; this
// keeps that list and the module map complete as files are added.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));

function modules(dir: string, prefix: string): string[] {
  return readdirSync(path.join(root, 'firmware', dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => `${prefix}/${f.slice(0, -3)}`).sort();
}

describe('manifest.json', () => {
  it('preloads every module of firmware/tcp and firmware/apps by name', () => {
    const preload: string[] = manifest.preload;
    for (const name of [...modules('tcp', 'tcp'), ...modules('apps', 'apps')]) {
      assert.ok(preload.includes(name), `${name} missing from preload`);
    }
  });

  it('maps platform/port for every platform it builds for, and the native module on the boards', () => {
    for (const platform of ['esp', 'esp32', 'lin']) {
      assert.ok(manifest.platforms[platform].modules['platform/port'], platform);
    }
    for (const platform of ['esp', 'esp32']) {
      assert.deepEqual(manifest.platforms[platform].modules['*'],
        ['./firmware/platform/moddable/slotcp_lwip', './firmware/platform/moddable/slotcp_xs']);
      assert.ok(manifest.platforms[platform].preload.includes('platform/moddable/packet-port'));
    }
    for (const service of manifest.config.slotcp.services) assert.match(service, /^\d+:[a-z]+(:\d+)?$/);
  });
});
