import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AttemptOutcome } from "../core/ports/executor.js";
import { formatLogLine } from "./log-line.js";
import type { LostWrites } from "./task-runner/attempt-log.js";

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
    // A sensor's "not yet" (reschedule or deferred mode) is not a failure: its poke already logged why.
    case "success":
    case "reschedule":
    case "deferred":
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
    case "infra_failed":
      appendRaw(logPath, formatLogLine("ERROR", `attempt not counted: ${outcome.error}`));
      return;
  }
}

/** How an attempt ended once its log was closed: the outcome to report, and the infrastructure error met, if any. */
export interface AttemptEnd {
  outcome: AttemptOutcome;
  infraError: string | null;
}

/**
 * Ends the attempt's log (see {@link appendAttemptEnd}) and decides the outcome to report. An
 * attempt that would use up a try (retryable failure, timeout, crash) while its log lost writes
 * (`lost`, counted by the task runner) or cannot take this last line ended on an infrastructure
 * failure: reported `infra_failed`, so the scheduler gives the try back. Other outcomes stand.
 */
export function endAttempt(logPath: string, outcome: AttemptOutcome, lost: LostWrites | null): AttemptEnd {
  let infraError = lost === null ? null : `${lost.writes} write(s) to the attempt log were lost: ${lost.error}`;
  let final = infraError !== null && usesTry(outcome) ? infraFailure(outcome, infraError) : outcome;
  try {
    appendAttemptEnd(logPath, final);
  } catch (e) {
    const why = `the attempt log ${logPath} cannot be written: ${e instanceof Error ? e.message : String(e)}`;
    infraError ??= why;
    if (usesTry(final)) final = infraFailure(outcome, why);
  }
  return { outcome: final, infraError };
}

function usesTry(outcome: AttemptOutcome): boolean {
  return outcome.kind === "timeout" || outcome.kind === "crashed" || (outcome.kind === "failed" && outcome.retryable);
}

function infraFailure(outcome: AttemptOutcome, why: string): AttemptOutcome {
  const ended = "error" in outcome ? `; the attempt ended ${outcome.kind}: ${outcome.error}` : "";
  return { kind: "infra_failed", error: `infrastructure failure, the try is not counted: ${why}${ended}` };
}

export function appendRaw(logPath: string, data: string | Uint8Array): void {
  mkdirSync(dirname(logPath), { recursive: true });
  appendFileSync(logPath, data);
}

/** `250ms`, `2s`, `1.5s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}
