import { SEALED_PREFIX } from "../core/ports/output-sealer.js";
import type { DomainEvent } from "../core/model/domain-events.js";
import type { TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { AttemptRequest } from "../core/ports/executor.js";
import { formatMs } from "../executor/attempt-end.js";
import type { TerminalStyle } from "./terminal-style.js";

/** Longest return value shown on a state line or in the summary; the rest is cut with `…`. */
const VALUE_WIDTH = 60;

const STATE_COLOR: Partial<Record<TaskState, NonNullable<Parameters<TerminalStyle["paint"]>[0]>>> = {
  success: "green",
  failed: "red",
  upstream_failed: "red",
  up_for_retry: "yellow",
  up_for_reschedule: "yellow",
  running: "cyan",
  deferred: "magenta",
  skipped: "gray",
  scheduled: "gray",
  queued: "gray",
};

/** States whose line shows the instance's error (a skip's reason): others keep an earlier try's. */
const SHOWS_ERROR: ReadonlySet<TaskState> = new Set(["failed", "up_for_retry", "upstream_failed", "skipped"]);

export interface DagTestProgressOptions {
  /** Where lines go: stdout's own write, saved before the executor captures the streams. */
  write: (text: string) => void;
  style: TerminalStyle;
  /** Print what tasks write to their logs, line by line, under the task's name. */
  showLogs: boolean;
  /** The task ids, in the DAG's order (they size the name column). */
  taskIds: readonly string[];
  /** The task instance as stored now (for a success's return value). */
  lookup: (taskId: string, mapIndex: number) => Promise<TaskInstanceRecord | undefined>;
}

/** One row of the summary table. */
export interface SummaryRow {
  taskId: string;
  state: TaskState;
  attempts: number;
  durationMs: number | null;
  output: string | null;
  error?: string;
}

/**
 * What `baton dags test` prints while the run goes (docs/cli.md, "dags test"): each task
 * instance's state as it changes, its log lines (`showLogs`), a success's return value, and at
 * the end a summary table. Lines are written in the order the events came, a return value's
 * lookup included.
 */
export class DagTestProgress {
  readonly #o: DagTestProgressOptions;
  readonly #width: number;
  /** Lines of an attempt's log not ended by a newline yet, by attempt id. */
  readonly #partial = new Map<string, { name: string; text: string }>();
  readonly #runningSince = new Map<string, number>();
  /** Tries whose running line is printed already (`task[i]#try`): a log line may come before the event. */
  readonly #announced = new Set<string>();
  #printing: Promise<void> = Promise.resolve();

  constructor(options: DagTestProgressOptions) {
    this.#o = options;
    this.#width = Math.max(4, ...options.taskIds.map((t) => t.length));
  }

  /** The scheduler's domain-event listener. */
  readonly onEvent = (event: DomainEvent): void => {
    if (event.kind !== "task_instance_state_changed") return;
    const key = `${event.taskId}[${event.mapIndex}]`;
    const name = nameOf(event.taskId, event.mapIndex);
    // Printed after a running line its log brought forward, a queued line would read backwards.
    if ((event.after === "queued" || event.after === "scheduled") && this.#announced.has(`${key}#${event.tryNumber}`)) return;
    if (event.after === "running") {
      // Announced by its first log line already: that line stands, and so does its time.
      if (this.#announced.delete(`${key}#${event.tryNumber}`)) return;
      this.#runningSince.set(key, event.at);
    }
    const since = this.#runningSince.get(key);
    const took = event.after !== "running" && since !== undefined ? formatMs(event.at - since) : null;
    if (event.after !== "running") this.#runningSince.delete(key);
    const { paint } = this.#o.style;
    const head = `${paint("dim", clock(event.at))}  ${name.padEnd(this.#width)}  ${paint(STATE_COLOR[event.after] ?? null, event.after)}`;
    const tryText = event.after === "running" && event.tryNumber > 0 ? paint("dim", `try ${event.tryNumber}`) : null;
    const errorText = event.error !== null && SHOWS_ERROR.has(event.after) ? paint(event.after === "skipped" ? "gray" : "red", firstLine(event.error)) : null;
    const details = [tryText, took === null ? null : paint("dim", took), errorText].filter((x) => x !== null);
    this.#print(async () => {
      let value = "";
      if (event.after === "success") {
        const ti = await this.#o.lookup(event.taskId, event.mapIndex).catch(() => undefined);
        const shown = valueText(ti?.output ?? null);
        if (shown !== "") value = `  ${paint("dim", "→")} ${shown}`;
      }
      return `${head}${details.length > 0 ? `  ${details.join("  ")}` : ""}${value}\n`;
    });
  };

  /** The in-process executor's log tap: complete lines are printed, indented under the task's name. */
  readonly onLog = (request: AttemptRequest, chunk: string): void => {
    if (!this.#o.showLogs) return;
    const name = nameOf(request.taskId, request.mapIndex);
    const key = `${request.taskId}[${request.mapIndex}]`;
    if (!this.#runningSince.has(key) && !this.#announced.has(`${key}#${request.tryNumber}`)) {
      // The attempt logs before the scheduler has recorded it running: say it runs first.
      this.#announced.add(`${key}#${request.tryNumber}`);
      const at = Date.now();
      this.#runningSince.set(key, at);
      const { paint } = this.#o.style;
      this.#print(() => `${paint("dim", clock(at))}  ${name.padEnd(this.#width)}  ${paint("cyan", "running")}  ${paint("dim", `try ${request.tryNumber}`)}\n`);
    }
    const pending = this.#partial.get(request.attemptId) ?? { name, text: "" };
    pending.text += chunk;
    const nl = pending.text.lastIndexOf("\n");
    if (nl < 0) {
      this.#partial.set(request.attemptId, pending);
      return;
    }
    const lines = pending.text.slice(0, nl).split("\n");
    pending.text = pending.text.slice(nl + 1);
    if (pending.text === "") this.#partial.delete(request.attemptId);
    else this.#partial.set(request.attemptId, pending);
    this.#printLogLines(name, lines);
  };

  /** Waits until every line so far is written; prints what attempts left without a final newline. */
  async flush(): Promise<void> {
    for (const [id, { name, text }] of this.#partial) {
      this.#partial.delete(id);
      this.#printLogLines(name, [text]);
    }
    await this.#printing;
  }

  /** The summary table (task, state, tries, duration, value), then each failure's error in full. */
  summary(rows: readonly SummaryRow[]): void {
    const { paint } = this.#o.style;
    const header = ["task", "state", "tries", "duration", "value"];
    const cells = rows.map((r) => [r.taskId, r.state, String(r.attempts), r.durationMs === null ? "" : formatMs(r.durationMs), valueText(r.output ?? null)]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    // Padded before painted: colour codes take no room on screen.
    const line = (vals: string[], color: (i: number, padded: string) => string = (_i, p) => p) =>
      vals
        .map((v, i) => color(i, i === vals.length - 1 ? v : v.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd();
    const out = [`\n${paint("bold", line(header))}`, paint("dim", line(widths.map((w) => "-".repeat(w))))];
    for (const [i, c] of cells.entries()) {
      const state = rows[i]!.state;
      out.push(line(c, (col, padded) => (col === 1 ? paint(STATE_COLOR[state] ?? null, padded) : padded)));
    }
    const failures = rows.filter((r) => r.error !== undefined && (r.state === "failed" || r.state === "up_for_retry"));
    for (const f of failures) out.push(`\n${paint(["bold", "red"], `${f.taskId} failed:`)}\n${indent(f.error!)}`);
    this.#o.write(`${out.join("\n")}\n`);
  }

  #printLogLines(name: string, lines: string[]): void {
    const { paint } = this.#o.style;
    const prefix = `${" ".repeat(10)}${paint("dim", `${name.padEnd(this.#width)} |`)} `;
    const text = lines.map((l) => `${prefix}${l.replace(/\r$/, "")}\n`).join("");
    this.#print(() => text);
  }

  /** Queues a line: written once everything queued before it is. */
  #print(line: () => string | Promise<string>): void {
    this.#printing = this.#printing.then(line).then(
      (text) => this.#o.write(text),
      () => undefined,
    );
  }
}

function nameOf(taskId: string, mapIndex: number): string {
  return mapIndex < 0 ? taskId : `${taskId}[${mapIndex}]`;
}

/** `HH:MM:SS`, local time. */
function clock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** A stored return value as shown: its JSON, cut at {@link VALUE_WIDTH}; a sealed one as `***`. */
export function valueText(output: string | null): string {
  if (output === null) return "";
  if (output.startsWith(SEALED_PREFIX)) return "*** (sensitive)";
  return output.length > VALUE_WIDTH ? `${output.slice(0, VALUE_WIDTH - 1)}…` : output;
}
