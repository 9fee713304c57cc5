// The module specifiers a TypeScript or JavaScript module imports at run time, as XS will
// see them after tsc: `import type` and imports naming only `type` bindings are erased by
// tsc, so they are left out. A regex over the source with comments blanked is enough for
// firmware/'s plain import and export-from statements; dynamic import() is not looked for.

const COMMENT_OR_STRING = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g;
// `import X from`, `import { a, type B } from`, `import * as N from`, `import type ... from`.
const IMPORT_FROM = /(?<![\w$.])import\s+(type\s+)?([\w$*{][^;'"]*?)\s*from\s*(['"])([^'"\n]+)\3/g;
// `import './side-effect'`.
const IMPORT_BARE = /(?<![\w$.])import\s*(['"])([^'"\n]+)\1/g;
// `export * from`, `export * as N from`, `export { a, type B } from`, `export type { ... } from`.
const EXPORT_FROM = /(?<![\w$.])export\s+(type\s+)?(\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])([^'"\n]+)\3/g;

/** Blanks comments (keeping line breaks) so commented-out imports are not read. */
function withoutComments(source: string): string {
  return source.replace(COMMENT_OR_STRING, (match) =>
    match.startsWith('/') ? match.replace(/[^\n]/g, ' ') : match);
}

/** True when a clause like `{ type A, type B }` names types only, so tsc drops the import. */
function namesTypesOnly(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1].split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/** The specifiers `source` imports or re-exports from at run time, in order of appearance. */
export function runtimeImports(source: string): string[] {
  const code = withoutComments(source);
  const found: { at: number; specifier: string }[] = [];
  for (const pattern of [IMPORT_FROM, EXPORT_FROM]) {
    for (const match of code.matchAll(pattern)) {
      if (match[1] || namesTypesOnly(match[2])) continue;
      found.push({ at: match.index, specifier: match[4] });
    }
  }
  for (const match of code.matchAll(IMPORT_BARE)) found.push({ at: match.index, specifier: match[2] });
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.specifier);
}
