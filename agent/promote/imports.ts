// Proves that an exported directory is standalone: every import specifier in its sources is either
// a Node built-in, a package its package.json declares, or a relative path to a file inside it.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

export interface ImportRef { file: string; specifier: string }

const SOURCE = /\.(ts|mts|js|mjs)$/;
// static imports and re-exports (`from '...'`), bare `import '...'`, and literal dynamic `import('...')`
const PATTERNS = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];

/** The import specifiers written in one source text. */
export function importSpecifiers(text: string): string[] {
  const out = new Set<string>();
  for (const re of PATTERNS) for (const m of text.matchAll(re)) out.add(m[1]);
  return [...out];
}

/** The package a bare specifier names ("@scope/name/sub" → "@scope/name"). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Where a relative specifier of `fromFile` points, or null for a bare one. */
export function resolveRelative(fromFile: string, specifier: string): string | null {
  return specifier.startsWith('.') || specifier.startsWith('/') ? path.resolve(path.dirname(fromFile), specifier) : null;
}

/** Every import in `root` that leaves it, names a missing file, or names an undeclared package. */
export function strayImports(root: string, packages: readonly string[]): (ImportRef & { why: string })[] {
  const out: (ImportRef & { why: string })[] = [];
  const builtins = new Set(builtinModules);
  for (const file of sourceFiles(root)) {
    for (const specifier of importSpecifiers(fs.readFileSync(file, 'utf8'))) {
      const rel = path.relative(root, file);
      const target = resolveRelative(file, specifier);
      if (target !== null) {
        const inside = path.relative(root, target);
        if (inside.startsWith('..') || path.isAbsolute(inside)) out.push({ file: rel, specifier, why: 'points outside the directory' });
        else if (!fs.existsSync(target)) out.push({ file: rel, specifier, why: 'names a file that does not exist' });
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !packages.includes(packageOf(specifier))) {
        out.push({ file: rel, specifier, why: 'names a package package.json does not declare' });
      }
    }
  }
  return out;
}

/** Source files under `root`, node_modules excluded. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') out.push(...sourceFiles(p));
    else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
  }
  return out.sort();
}
