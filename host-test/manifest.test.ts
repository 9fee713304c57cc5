// manifest.json against firmware/: mcconfig's preload wildcards match .js files only
// (found building with SDK 8.2.3), so every TypeScript module is listed by name; this
// keeps that list and the module map complete as files are added. It also links the
// manifest per platform as xsl does (host/manifest/), which type-checking by file cannot.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runtimeImports } from '../host/manifest/imports';
import { loadManifest } from '../host/manifest/load';
import { checkPlatform } from '../host/manifest/resolve';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
const library = JSON.parse(readFileSync(path.join(root, 'manifest_slotcp.json'), 'utf8'));
/** The app manifests: the demo, and the example app over slotcp and over Moddable's own
 *  sockets. Each must link on every platform. */
const appManifests = ['manifest.json', 'examples/http-server/manifest.json', 'examples/http-server/manifest_moddable.json'];

function modules(dir: string, prefix: string): string[] {
  return readdirSync(path.join(root, 'firmware', dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => `${prefix}/${f.slice(0, -3)}`).sort();
}

describe('manifest_slotcp.json and manifest.json', () => {
  it('preload every module of firmware/tcp (the library) and firmware/apps (the demo) by name', () => {
    for (const name of modules('tcp', 'slotcp/tcp')) assert.ok(library.preload.includes(name), `${name} missing from the library's preload`);
    for (const name of modules('apps', 'slotcp/apps')) assert.ok(manifest.preload.includes(name), `${name} missing from the demo's preload`);
  });

  it('the library maps slotcp/platform/port for every platform it builds for, and the native module on the boards', () => {
    for (const platform of ['esp', 'esp32', 'lin']) {
      assert.ok(library.platforms[platform].modules['slotcp/platform/port'], platform);
    }
    for (const platform of ['esp', 'esp32']) {
      assert.deepEqual(library.platforms[platform].modules['*'],
        ['./firmware/platform/moddable/slotcp_lwip', './firmware/platform/moddable/slotcp_xs',
          './firmware/platform/moddable/slotcp_bytes', './firmware/platform/moddable/slotcp_bytes_xs']);
      assert.ok(library.platforms[platform].preload.includes('slotcp/platform/moddable/packet-port'));
      assert.ok(library.platforms[platform].preload.includes('slotcp/platform/moddable/bytes-native'));
    }
    for (const service of manifest.config.slotcp.services) assert.match(service, /^\d+:[a-z]+(:\d+)?$/);
  });

  it('every module specifier of the library and the demo is in slotcp\'s namespace (the demo\'s main aside)', () => {
    for (const platform of ['esp', 'esp32', 'lin']) {
      for (const [specifier] of loadManifest(path.join(root, 'manifest.json'), platform).modules) {
        assert.ok(specifier === 'main' || specifier.startsWith('slotcp/'), `${platform}: ${specifier}`);
      }
    }
  });
});

describe('the app manifests link on every platform', () => {
  for (const file of appManifests) {
    for (const platform of ['lin', 'esp', 'esp32']) {
      it(`${file} resolves every import and preload on ${platform} as xsl does`, () => {
        const problems = checkPlatform(path.join(root, file), platform);
        assert.deepEqual(problems, [], problems.join('\n'));
      });
    }
  }

  for (const platform of ['lin', 'esp', 'esp32']) {
    it(`keeps each module of manifest.json on ${platform} in the directory its specifier names`, () => {
      // slotcp/x/y is firmware/x/y: then a relative import means the same module to tsc
      // (against the file) and to XS (against the specifier), so firmware's type-check
      // sees what xsl will link.
      const firmware = path.join(root, 'firmware');
      for (const [specifier, file] of loadManifest(path.join(root, 'manifest.json'), platform).modules) {
        if (file === null) continue;
        const directory = path.posix.dirname(path.relative(firmware, file).split(path.sep).join('/'));
        const expected = specifier === 'main' ? '.' : path.posix.join('slotcp', directory);
        assert.equal(path.posix.dirname(specifier), expected, `${platform}: "${specifier}" is ${path.relative(root, file)}`);
      }
    });
  }
});

describe('the manifest link check', () => {
  let project: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), text);
  };
  const check = (manifest: object, platform = 'esp32') => {
    write('manifest.json', JSON.stringify(manifest));
    return checkPlatform(path.join(project, 'manifest.json'), platform);
  };

  beforeEach(() => {
    project = mkdtempSync(path.join(os.tmpdir(), 'slotcp-manifest-'));
    write('src/main.ts', "import { createPort } from 'platform/port';\nimport Timer from 'timer';\n");
    write('src/platform/device-port.ts', 'export interface DevicePort {}\n');
    write('src/platform/board/packet-port.ts', 'export class PacketPort {}\n');
    write('src/platform/board/board-port.ts',
      "import type { DevicePort } from '../device-port';\nimport { PacketPort } from './packet-port';\n");
    write('src/platform/board-port.ts',
      "import { type DevicePort } from './device-port';\nexport { PacketPort } from './board/packet-port';\n");
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  const base = {
    include: ['$(MODDABLE)/examples/manifest_base.json'],
    modules: { '*': './src/main', 'platform/device-port': './src/platform/device-port' },
    preload: ['platform/port'],
  };

  it('passes a manifest whose specifiers mirror the file paths', () => {
    assert.deepEqual(check({ ...base, platforms: { esp32: { modules: {
      'platform/port': './src/platform/board-port',
      'platform/board/packet-port': './src/platform/board/packet-port',
    } } } }), []);
  });

  it('fails a relative import that resolves against the specifier to no module (slotcp issue 12)', () => {
    assert.deepEqual(check({ ...base, platforms: { esp32: { modules: {
      'platform/port': './src/platform/board/board-port',
      'platform/board/packet-port': './src/platform/board/packet-port',
    } } } }), ['esp32: module "platform/port" (src/platform/board/board-port.ts) imports "./packet-port", ' +
      'which XS resolves against the specifier to "platform/packet-port": no module of that name for esp32']);
  });

  it('fails a bare import that neither the manifest nor its SDK includes define', () => {
    write('src/main.ts', "import Net from 'net';\nimport { createPort } from 'platform/port';\n");
    const problems = check({ ...base, platforms: { esp32: { modules: {
      'platform/port': './src/platform/board-port',
      'platform/board/packet-port': './src/platform/board/packet-port',
    } } } });
    assert.deepEqual(problems, ['esp32: module "main" (src/main.ts) imports "net": no module of that name for esp32']);
  });

  it('fails a preload entry that names no module for the platform', () => {
    const problems = check({ ...base, platforms: {
      esp32: { modules: {
        'platform/port': './src/platform/board-port',
        'platform/board/packet-port': './src/platform/board/packet-port',
      } },
      lin: {},
    } }, 'lin');
    assert.deepEqual(problems, [
      'lin: module "main" (src/main.ts) imports "platform/port": no module of that name for lin',
      'lin: preload names "platform/port": no module of that name for lin',
    ]);
  });

  it('reads project-relative includes, merging their platform sections', () => {
    write('sub/manifest_board.json', JSON.stringify({ platforms: { esp32: { modules: {
      'platform/port': '../src/platform/board-port',
      'platform/board/*': '../src/platform/board/packet-*',
    }, preload: ['platform/board/port'] } } }));
    assert.deepEqual(check({ ...base, include: [...base.include, './sub/manifest_board.json'] }), [
      'esp32: module "platform/port" (src/platform/board-port.ts) imports "./board/packet-port", ' +
        'which XS resolves against the specifier to "platform/board/packet-port": no module of that name for esp32',
    ]);
  });

  it('fails a module entry that matches no file', () => {
    const problems = check({ ...base, modules: { ...base.modules, 'platform/port': './src/platform/no-port' } });
    assert.equal(problems[0],
      'esp32: manifest.json: module "platform/port" maps to "./src/platform/no-port", which matches no file');
  });
});

describe('runtimeImports', () => {
  it('reads import and export-from statements, multi-line ones too, and bare imports', () => {
    assert.deepEqual(runtimeImports([
      "import Timer from 'timer';",
      'import {',
      '  a,',
      '  b,',
      "} from './ab';",
      "import * as all from \"../all\";",
      "import Default, { type T } from './default';",
      "import './side-effect';",
      "export * from './star';",
      "export { c as d } from './cd';",
    ].join('\n')), ['timer', './ab', '../all', './default', './side-effect', './star', './cd']);
  });

  it('leaves out what tsc erases, and imports in comments', () => {
    assert.deepEqual(runtimeImports([
      "import type { A } from './a';",
      "import { type B, type C } from './bc';",
      "export type { D } from './d';",
      "export { type E } from './e';",
      "// import { F } from './f';",
      "/* import G from './g'; */",
      "const url = 'http://example.com/'; // import H from './h'",
    ].join('\n')), []);
  });
});
