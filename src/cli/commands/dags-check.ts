import { relative } from "node:path";
import { loadConfig } from "../../config/config.js";
import { EXIT, printJson } from "../output.js";
import type { CommonOptions } from "../runtime.js";
import { importTypeScript, typeCheckDags, TypeScriptMissingError, type DagTypeDiagnostic } from "../type-check-dags.js";

/**
 * `baton dags check`: type-checks the DAG files with the project's TypeScript compiler and prints
 * each diagnostic as `file:line:col: message` (paths relative to the current folder). Exit 1 on
 * any error, 2 when `typescript` is not installed. Opens no database.
 */
export async function dagsCheck(opts: CommonOptions): Promise<number> {
  const { dagsDir } = loadConfig(opts);
  let ts;
  try {
    ts = await importTypeScript(dagsDir);
  } catch (error) {
    if (!(error instanceof TypeScriptMissingError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.badInput;
  }
  const result = typeCheckDags(ts, dagsDir);
  const errors = result.diagnostics.filter((d) => d.category === "error").length;
  if (opts.json) printJson(result.diagnostics.map((d) => ({ ...d, file: d.file === null ? null : shown(d.file) })));
  else {
    for (const d of result.diagnostics) process.stdout.write(`${where(d)}${d.category === "warning" ? "warning: " : ""}${d.message}\n`);
    const using = result.tsconfig
      ? `compiler options of ${shown(result.tsconfig)}`
      : "Baton's default compiler options (no tsconfig.json in or above the DAGs folder)";
    const summary =
      result.diagnostics.length === 0
        ? `No type errors in ${result.files.length} DAG file(s) (${using}).`
        : `${errors} error(s), ${result.diagnostics.length - errors} warning(s) in ${result.files.length} DAG file(s) and their imports (${using}).`;
    process.stderr.write(`${summary}\n`);
  }
  return errors > 0 ? EXIT.failed : EXIT.ok;
}

function where(d: DagTypeDiagnostic): string {
  if (d.file === null) return "";
  return `${shown(d.file)}${d.line === null ? "" : `:${d.line}:${d.column}`}: `;
}

/** A path relative to the current folder (as compilers print them). */
function shown(file: string): string {
  return relative(process.cwd(), file) || file;
}
