import { DagDefinitionError } from "../core/errors.js";
import type { ImportErrorRecord } from "../core/model/records.js";
import { parseStackFrames } from "../sdk/call-site.js";
import { fileError } from "./load-result.js";

const MAX_STACK_LINES = 12;

/**
 * An exception thrown while importing or serializing a DAG file, as an import error located in
 * that file. Stacks are already source-mapped (the child runs with source maps on), so frames name
 * the user's .ts file and line.
 */
export function importErrorOf(file: string, e: unknown): ImportErrorRecord {
  if (e instanceof DagDefinitionError) {
    // The record carries file and line: the message does not repeat them (unless they name another file).
    const inFile = e.file === file;
    return fileError(file, inFile ? e.reason : e.message, inFile ? e.line : null, null);
  }
  if (!(e instanceof Error)) return fileError(file, `threw a non-error value: ${String(e)}`);
  const frame = parseStackFrames(e.stack).find((f) => f.file === file);
  return fileError(file, `${e.name}: ${e.message}${userStack(e.stack)}`, frame?.line ?? null, frame?.column ?? null);
}

/** The stack lines worth showing: no Node internals, no Baton loader frames. */
function userStack(stack: string | undefined): string {
  const lines = (stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !l.includes("node:internal") && !l.includes("/dag-processor/"))
    .slice(0, MAX_STACK_LINES);
  return lines.length > 0 ? `\n${lines.join("\n")}` : "";
}
