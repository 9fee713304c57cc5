// What an mcconfig manifest defines for one platform: the module specifiers and the files
// behind them, the preload list, and the SDK manifests it includes. Follows mcconfig
// (tools/mcmanifest.js): the platform's section is merged over the top-level one, module
// entries with the same specifier add sources (a later file wins), a `*` in a specifier
// stands for each matched file's base name, and project-relative includes are read in turn.
// $(MODDABLE)/... includes are only recorded: their modules are the SDK's (see resolve.ts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface PlatformManifest {
  /** Specifier → the .ts/.js file defining it, or null when an SDK path ($(...)) does. */
  readonly modules: Map<string, string | null>;
  readonly preload: string[];
  /** Includes of SDK manifests, as written (`$(MODDABLE)/examples/manifest_net.json`). */
  readonly sdkIncludes: string[];
  /** Entries that match no file, platform errors, unreadable includes. */
  readonly problems: string[];
}

type Sources = string | { source: string } | (string | { source: string })[];
interface Section {
  include?: string | string[];
  modules?: Record<string, Sources>;
  preload?: string | string[];
  error?: string;
  platforms?: Record<string, Section>;
}

const MODULE_EXTENSIONS = ['.ts', '.js', '.mjs'];

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** mcconfig's choice of section: `esp32/moddable_two` falls back to `esp32`, then to `...`. */
function platformSection(platforms: Record<string, Section> | undefined, platform: string): Section | undefined {
  if (!platforms) return undefined;
  for (let parts = platform.split('/'); parts.length > 0; parts.pop()) {
    const section = platforms[parts.join('/')];
    if (section) return section;
  }
  return platforms['...'];
}

/** A file's base name and extension, counting `.d.ts` as one extension. */
function splitName(file: string): { name: string; extension: string } {
  if (file.endsWith('.d.ts')) return { name: file.slice(0, -5), extension: '.d.ts' };
  const extension = path.extname(file);
  return { name: file.slice(0, file.length - extension.length), extension };
}

/** The specifier → file pairs one module entry gives, as mcconfig's ModulesRule.iterate. */
function moduleFiles(specifier: string, source: string, directory: string): [string, string][] | undefined {
  const full = path.resolve(directory, source);
  const folder = path.dirname(full);
  const pattern = path.basename(full);
  if (!existsSync(folder)) return undefined;
  const star = specifier.indexOf('*');
  const prefix = star >= 0 ? specifier.slice(0, star) : specifier;
  const namePrefix = pattern.includes('*') ? pattern.slice(0, pattern.indexOf('*')) : undefined;
  const found: [string, string][] = [];
  let matched = 0;
  for (const file of readdirSync(folder).sort()) {
    if (file.startsWith('.')) continue;
    const { name, extension } = splitName(file);
    let stem: string;
    if (namePrefix !== undefined) {
      if (!name.startsWith(namePrefix)) continue;
      stem = name.slice(namePrefix.length);
    } else if (name === pattern || file === pattern) {
      stem = name;
    } else {
      continue;
    }
    matched++;
    if (MODULE_EXTENSIONS.includes(extension)) {
      found.push([star >= 0 ? prefix + stem : specifier, path.join(folder, file)]);
    }
  }
  return matched > 0 ? found : undefined;
}

function mergeSection(section: Section, file: string, platform: string, into: PlatformManifest,
  seen: Set<string>): void {
  const directory = path.dirname(file);
  const where = path.basename(file);
  for (const include of list(section.include)) {
    if (include.startsWith('$(')) into.sdkIncludes.push(include);
    else mergeManifest(path.resolve(directory, include), platform, into, seen);
  }
  if (section.error) into.problems.push(`${platform}: ${where}: ${section.error}`);
  for (const [specifier, sources] of Object.entries(section.modules ?? {})) {
    for (const entry of list(sources)) {
      const source = typeof entry === 'string' ? entry : entry.source;
      if (source.startsWith('$(')) {
        if (!specifier.includes('*')) into.modules.set(specifier, null);
        continue;
      }
      const files = moduleFiles(specifier, source, directory);
      if (!files) {
        into.problems.push(`${platform}: ${where}: module "${specifier}" maps to "${source}", which matches no file`);
        continue;
      }
      for (const [name, moduleFile] of files) into.modules.set(name, moduleFile);
    }
  }
  into.preload.push(...list(section.preload));
}

function mergeManifest(file: string, platform: string, into: PlatformManifest, seen: Set<string>): void {
  if (seen.has(file)) return;
  seen.add(file);
  let manifest: Section;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    into.problems.push(`${platform}: cannot read the manifest ${file}: ${(error as Error).message}`);
    return;
  }
  mergeSection(manifest, file, platform, into, seen);
  const section = platformSection(manifest.platforms, platform);
  if (section) mergeSection(section, file, platform, into, seen);
}

/** What `manifestFile` (and the project manifests it includes) defines for `platform`. */
export function loadManifest(manifestFile: string, platform: string): PlatformManifest {
  const manifest: PlatformManifest = { modules: new Map(), preload: [], sdkIncludes: [], problems: [] };
  mergeManifest(path.resolve(manifestFile), platform, manifest, new Set());
  return manifest;
}
