// Type-checks a candidate train/ in-process with the TypeScript compiler API: every .ts under train/
// with the repository's tsconfig options (strict, noEmit), plus a generated check that train/train.ts's
// export matches TrainFn from harness/contract.ts. Parsed declaration files (lib, @types/node, tfjs) are
// cached across calls, so only the first check in a process pays for parsing them.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface TypecheckResult {
  ok: boolean;
  /** `train/train.ts(12,5): error TS2322: ...`, paths relative to the repository */
  diagnostics: string[];
  /** the train/ files checked, relative to the repository */
  files: string[];
  ms: number;
}

/** Mirrors tsconfig.json; used when the repository has none. */
const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true,
  allowImportingTsExtensions: true, types: ['node'], lib: ['lib.es2023.d.ts'],
};

const CHECK_FILE = '.contract-check.ts';
const CHECK_SOURCE = `import type { TrainFn } from '../harness/contract.ts';
import type * as M from './train.ts';
type Mod = typeof M;
type Entry = Mod extends { default: infer D } ? D : Mod extends { train: infer T } ? T : never;
declare const entry: Entry;
export const check: TrainFn = entry;
`;

const cache = new Map<string, { mtime: number; sf: ts.SourceFile }>();

/** Type-checks <repoDir>/train and returns tsc-style diagnostics for the train/ files. */
export function typecheckTrain(repoDir: string): TypecheckResult {
  const t0 = performance.now();
  const root = path.resolve(repoDir);
  const trainDir = path.join(root, 'train');
  const files = listTs(trainDir);
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  if (!files.some((f) => f === path.join(trainDir, 'train.ts'))) {
    return { ok: false, diagnostics: ['train/train.ts: error: the file is missing; the harness loads it as the entry point'], files: files.map(rel), ms: performance.now() - t0 };
  }
  const checkPath = path.join(trainDir, CHECK_FILE);
  const options = { ...compilerOptions(root), noEmit: true };
  const host = cachedHost(options, checkPath);
  const program = ts.createProgram({ rootNames: [...files, checkPath], options, host });
  const out: string[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => format(d, rel));
  for (const f of files) {
    const sf = program.getSourceFile(f);
    if (!sf) continue;
    out.push(...[...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => format(d, rel)));
    out.push(...forbiddenImports(sf, root, rel));
  }
  if (!hasEntry(program, path.join(trainDir, 'train.ts'))) {
    out.push('train/train.ts: error: it exports neither a default function nor a function named train; the harness calls one of them');
  } else {
    out.push(...program.getSemanticDiagnostics(program.getSourceFile(checkPath)).map(contractMessage));
  }
  return { ok: out.length === 0, diagnostics: out, files: files.map(rel), ms: performance.now() - t0 };
}

/** train/ may import only files under train/, harness/contract.ts and packages (the dependency rule). */
function forbiddenImports(sf: ts.SourceFile, root: string, rel: (f: string) => string): string[] {
  const trainDir = path.join(root, 'train') + path.sep;
  const contract = path.join(root, 'harness', 'contract');
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    const spec = moduleSpecifier(node);
    if (spec && (spec.text.startsWith('.') || path.isAbsolute(spec.text))) {
      const target = path.resolve(path.dirname(sf.fileName), spec.text);
      if (!target.startsWith(trainDir) && target.replace(/\.(ts|js|mjs)$/, '') !== contract) {
        const { line, character } = sf.getLineAndCharacterOfPosition(spec.getStart(sf));
        out.push(`${rel(sf.fileName)}(${line + 1},${character + 1}): error: train/ may import only files under train/, harness/contract.ts and packages, not '${spec.text}'`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function moduleSpecifier(node: ts.Node): ts.StringLiteralLike | null {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) return node.moduleSpecifier;
  if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
    const [arg] = node.arguments;
    return arg && ts.isStringLiteralLike(arg) ? arg : null;
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) return node.argument.literal;
  return null;
}

function hasEntry(program: ts.Program, file: string): boolean {
  const sf = program.getSourceFile(file);
  const checker = program.getTypeChecker();
  const mod = sf && checker.getSymbolAtLocation(sf);
  return !!mod && checker.getExportsOfModule(mod).some((s) => s.name === 'default' || s.name === 'train');
}

function compilerOptions(root: string): ts.CompilerOptions {
  const file = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(file)) return DEFAULT_OPTIONS;
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) return DEFAULT_OPTIONS;
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
}

function cachedHost(options: ts.CompilerOptions, checkPath: string): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const original = host.getSourceFile.bind(host);
  const trainPrefix = path.dirname(checkPath) + path.sep;
  host.getSourceFile = (fileName, langOrOptions, onError, shouldCreate) => {
    if (path.resolve(fileName) === checkPath) return ts.createSourceFile(fileName, CHECK_SOURCE, langOrOptions, true);
    if (path.resolve(fileName).startsWith(trainPrefix)) return original(fileName, langOrOptions, onError, shouldCreate);
    const key = `${fileName}|${typeof langOrOptions === 'object' ? `${langOrOptions.languageVersion}:${langOrOptions.impliedNodeFormat}` : langOrOptions}`;
    let mtime = -1;
    try { mtime = fs.statSync(fileName).mtimeMs; } catch { /* a missing file is left to the default host, which reports it */ }
    const hit = cache.get(key);
    if (hit && hit.mtime === mtime) return hit.sf;
    const sf = original(fileName, langOrOptions, onError, shouldCreate);
    if (sf) cache.set(key, { mtime, sf });
    return sf;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === checkPath || fileExists(f);
  return host;
}

function listTs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.isFile() && e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

function format(d: ts.Diagnostic, rel: (f: string) => string): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${rel(d.file.fileName)}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
}

function contractMessage(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  return `train/train.ts: error TS${d.code}: its export does not match TrainFn in harness/contract.ts: ${text}`;
}
