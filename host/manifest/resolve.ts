// Checks that every module a manifest defines for a platform can be linked the way xsl links
// it: each run-time import names a module the manifest (or an SDK manifest it includes)
// defines for that platform, and each preload entry names one. XS resolves a relative import
// against the importing module's specifier, not its file: in a module mapped as
// "platform/port", './packet-port' means "platform/packet-port", wherever the file lives.
// tsc resolves the same import against the file, which is why type-checking cannot see this.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runtimeImports } from './imports';
import { loadManifest } from './load';

/** Modules mcconfig generates for every build. */
export const GENERATED_MODULES: readonly string[] = ['mc/config'];

/** The modules of the SDK manifests slotcp includes, as far as firmware/ imports them
 *  (SDK 8.2.3): an import of anything else fails the check until it is listed here. */
export const SDK_MODULES: Readonly<Record<string, readonly string[]>> = {
  '$(MODDABLE)/examples/manifest_base.json': ['time', 'timer'],
  '$(MODDABLE)/examples/manifest_net.json': ['net'],
  '$(MODDABLE)/modules/network/socket/manifest.json': ['socket'],
  '$(MODDABLE)/modules/io/manifest.json': ['embedded:io/socket/udp', 'embedded:io/socket/listener', 'embedded:io/socket/tcp'],
};

/** The specifier XS gives `imported` when the module `importer` imports it. */
export function specifierOf(imported: string, importer: string): string {
  if (!imported.startsWith('./') && !imported.startsWith('../')) return imported;
  return path.posix.normalize(path.posix.join(path.posix.dirname(importer), imported));
}

/** Why `manifestFile` does not link on `platform`; empty when it does. */
export function checkPlatform(manifestFile: string, platform: string,
  sdkModules: Readonly<Record<string, readonly string[]>> = SDK_MODULES): string[] {
  const manifest = loadManifest(manifestFile, platform);
  const root = path.dirname(path.resolve(manifestFile));
  const sdk = new Set([...GENERATED_MODULES, ...manifest.sdkIncludes.flatMap((include) => sdkModules[include] ?? [])]);
  const defined = (specifier: string) => manifest.modules.has(specifier) || sdk.has(specifier);
  const problems = [...manifest.problems];
  for (const [specifier, file] of manifest.modules) {
    if (file === null) continue;
    for (const imported of runtimeImports(readFileSync(file, 'utf8'))) {
      const target = specifierOf(imported, specifier);
      if (defined(target)) continue;
      const resolved = target === imported ? '' : `, which XS resolves against the specifier to "${target}"`;
      problems.push(`${platform}: module "${specifier}" (${path.relative(root, file)}) imports "${imported}"` +
        `${resolved}: no module of that name for ${platform}`);
    }
  }
  for (const specifier of manifest.preload) {
    if (!defined(specifier)) problems.push(`${platform}: preload names "${specifier}": no module of that name for ${platform}`);
  }
  return problems;
}
