import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TS from "typescript";
import { BatonError } from "../core/errors.js";
import { findDagFiles } from "../dag-processor/find-dag-files.js";

type Ts = typeof TS;

/** `typescript` could not be imported (it is the user's dev dependency, not Baton's). */
export class TypeScriptMissingError extends BatonError {
  constructor() {
    super("baton dags check needs the typescript package: npm install --save-dev typescript");
  }
}

/** One compiler diagnostic in a user file (`file` absolute; line and column from 1). */
export interface DagTypeDiagnostic {
  file: string | null;
  line: number | null;
  column: number | null;
  category: "error" | "warning";
  /** TypeScript's error code, e.g. 2322. */
  code: number;
  /** On one line: a chained message's parts joined by spaces. */
  message: string;
}

export interface DagTypeCheck {
  /** The DAG files checked (*.ts, *.mts; JavaScript DAG files are not type-checked). */
  files: string[];
  /** The tsconfig.json whose compiler options were used, or null for Baton's defaults. */
  tsconfig: string | null;
  diagnostics: DagTypeDiagnostic[];
}

/** Options when no tsconfig.json is found in or above the DAGs folder: strict, resolved as the DAG bundler does. */
const DEFAULT_OPTIONS = {
  target: "ES2022",
  module: "ESNext",
  moduleResolution: "Bundler",
  lib: ["ES2023"],
  strict: true,
  noUncheckedIndexedAccess: true,
  esModuleInterop: true,
  skipLibCheck: true,
  resolveJsonModule: true,
  allowImportingTsExtensions: true,
  noEmit: true,
};

/**
 * Imports `typescript`: the copy of the project holding the DAGs folder first, then the one
 * beside Baton. Throws `TypeScriptMissingError` when neither is installed.
 */
export async function importTypeScript(dagsDir: string): Promise<Ts> {
  let mod: { default?: Ts } & Ts;
  try {
    const path = createRequire(join(resolve(dagsDir), "noop.js")).resolve("typescript");
    mod = (await import(pathToFileURL(path).href)) as typeof mod;
  } catch {
    try {
      mod = (await import("typescript")) as typeof mod;
    } catch {
      throw new TypeScriptMissingError();
    }
  }
  return mod.default ?? mod;
}

/**
 * Type-checks the DAG files under `dagsDir` (and what they import) with the compiler options of the
 * nearest tsconfig.json in or above it, else strict defaults. `baton` and its subpaths always
 * resolve to the types of this Baton (package.json#exports), as the DAG bundler resolves them to its
 * code. Reports diagnostics of the user's files only (not of node_modules or of Baton itself).
 */
export function typeCheckDags(ts: Ts, dagsDir: string): DagTypeCheck {
  const root = resolve(dagsDir);
  const files = findDagFiles(root).filter((f) => /\.m?ts$/.test(f));
  const tsconfig = ts.findConfigFile(root, (f) => ts.sys.fileExists(f), "tsconfig.json") ?? null;
  const { options, errors: configErrors } = compilerOptions(ts, tsconfig);
  const batonTypes = batonTypeEntries();
  const host = ts.createCompilerHost(options, true);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, sourceFile) =>
    literals.map((literal) => {
      const own = batonTypes.get(literal.text);
      if (own)
        return {
          resolvedModule: { resolvedFileName: own, extension: own.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: false },
        };
      const mode = ts.getModeForUsageLocation(sourceFile, literal, opts);
      return ts.resolveModuleName(literal.text, containingFile, opts, host, undefined, redirected, mode);
    });
  const program = ts.createProgram({ rootNames: files, options, host });
  const batonDirs = [...new Set([...batonTypes.values()].map((f) => batonTreeOf(f)))];
  const isUserFile = (file: string) => !file.includes(`${sep}node_modules${sep}`) && !batonDirs.some((d) => file.startsWith(d));
  const all = [...configErrors, ...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const source of program.getSourceFiles()) {
    if (!isUserFile(resolve(source.fileName))) continue;
    all.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
  }
  const diagnostics = all
    .filter((d) => d.category === ts.DiagnosticCategory.Error || d.category === ts.DiagnosticCategory.Warning)
    .map((d) => toDiagnostic(ts, d));
  return { files, tsconfig, diagnostics: dedupe(diagnostics) };
}

function compilerOptions(ts: Ts, tsconfig: string | null): { options: TS.CompilerOptions; errors: TS.Diagnostic[] } {
  const overrides = { noEmit: true };
  if (tsconfig === null) {
    const { options, errors } = ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS, process.cwd());
    return { options: { ...options, ...overrides }, errors };
  }
  const text = ts.readConfigFile(tsconfig, (f) => ts.sys.readFile(f));
  if (text.error) return { options: overrides, errors: [text.error] };
  const parsed = ts.parseJsonConfigFileContent(text.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
  // "No inputs were found" (TS18003) says nothing about the DAG files, which are the inputs here.
  const errors = parsed.errors.filter((e) => e.code !== 18003);
  // Nothing is emitted: options about output (a rootDir the DAGs folder is outside of, declarations, build info) do not apply.
  const options = { ...parsed.options };
  delete options.rootDir;
  delete options.tsBuildInfoFile;
  return { options: { ...options, ...overrides, declaration: false, emitDeclarationOnly: false, composite: false, incremental: false }, errors };
}

/** "baton", "baton/operators", … → this package's declaration file for it (its source when run from src/ without a build). */
function batonTypeEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const pkgFile = join(dir, "package.json");
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { name?: string; exports?: Record<string, { types?: string } | string> };
    if (pkg.name !== "baton") continue;
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== "object" || typeof target.types !== "string") continue;
      const types = join(dir, target.types);
      const source = join(dir, target.types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts"));
      const file = existsSync(types) ? types : existsSync(source) ? source : null;
      if (file) entries.set(subpath === "." ? "baton" : `baton/${subpath.replace(/^\.\//, "")}`, file);
    }
    break;
  }
  return entries;
}

/** The folder of Baton's own code that holds `entry` (`<root>/dist/` or `<root>/src/`). */
function batonTreeOf(entry: string): string {
  const marker = entry.includes(`${sep}dist${sep}src${sep}`) ? `${sep}dist${sep}` : `${sep}src${sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
}

function toDiagnostic(ts: Ts, d: TS.Diagnostic): DagTypeDiagnostic {
  const message = ts
    .flattenDiagnosticMessageText(d.messageText, "\n")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(" ");
  const category = d.category === ts.DiagnosticCategory.Warning ? "warning" : "error";
  if (!d.file || d.start === undefined) return { file: d.file ? resolve(d.file.fileName) : null, line: null, column: null, category, code: d.code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: resolve(d.file.fileName), line: line + 1, column: character + 1, category, code: d.code, message };
}

function dedupe(list: DagTypeDiagnostic[]): DagTypeDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = JSON.stringify(d);
    return !seen.has(key) && Boolean(seen.add(key));
  });
}
