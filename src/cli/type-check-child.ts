/**
 * Child-process entry of the background DAG type check ({@link DagTypeWatch}): type-checks the
 * DAG folder given as argv[2], sends one message on the IPC channel and exits. Runs in its own
 * process so that the compiler's CPU time and memory never touch the scheduler's.
 */
import { importTypeScript, typeCheckDags, TypeScriptMissingError } from "./type-check-dags.js";
import type { TypeCheckMessage } from "./dag-type-watch.js";

const dagsDir = process.argv[2] ?? ".";
let message: TypeCheckMessage;
try {
  const ts = await importTypeScript(dagsDir);
  const started = performance.now();
  const result = typeCheckDags(ts, dagsDir);
  message = { kind: "checked", result, ms: Math.round(performance.now() - started) };
} catch (e) {
  message = e instanceof TypeScriptMissingError ? { kind: "no-typescript" } : { kind: "failed", error: e instanceof Error ? e.message : String(e) };
}
process.send?.(message, () => process.exit(0));
