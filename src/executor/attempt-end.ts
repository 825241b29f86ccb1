import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AttemptOutcome } from "../core/ports/executor.js";
import { formatLogLine } from "./log-line.js";

export function cancelledOutcome(reason: string): AttemptOutcome {
  return { kind: "failed", error: `cancelled: ${reason}`, retryable: false };
}

/**
 * Ends the attempt's log with why the attempt did not succeed, so the log always explains it
 * (the child may have died, or never started). Synchronous on purpose: the line is on disk
 * before the scheduler hears of the outcome.
 */
export function appendAttemptEnd(logPath: string, outcome: AttemptOutcome): void {
  switch (outcome.kind) {
    case "success":
      return;
    case "skipped":
      appendRaw(logPath, formatLogLine("INFO", `attempt skipped: ${outcome.reason}`));
      return;
    case "failed":
      appendRaw(logPath, formatLogLine("ERROR", `attempt failed${outcome.retryable ? "" : " (not retryable)"}: ${outcome.error}`));
      return;
    case "timeout":
      appendRaw(logPath, formatLogLine("ERROR", `attempt timed out: ${outcome.error}`));
      return;
    case "crashed":
      appendRaw(logPath, formatLogLine("ERROR", `attempt crashed: ${outcome.error}`));
      return;
  }
}

export function appendRaw(logPath: string, data: string | Uint8Array): void {
  mkdirSync(dirname(logPath), { recursive: true });
  appendFileSync(logPath, data);
}

/** `250ms`, `2s`, `1.5s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}
