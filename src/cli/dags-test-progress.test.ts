import { describe, expect, it } from "vitest";
import type { TaskInstanceStateChanged } from "../core/model/domain-events.js";
import type { TaskState } from "../core/model/states.js";
import type { AttemptRequest } from "../core/ports/executor.js";
import { DagTestProgress } from "./dags-test-progress.js";
import { terminalStyle } from "./terminal-style.js";

function progress(colors = false) {
  const out: string[] = [];
  const p = new DagTestProgress({
    write: (t) => void out.push(t),
    style: terminalStyle(colors),
    showLogs: true,
    taskIds: ["extract", "load"],
    lookup: async (taskId) => (taskId === "extract" ? ({ output: '{"rows":3}' } as never) : undefined),
  });
  return { p, text: () => out.join("") };
}

function event(taskId: string, after: TaskState, tryNumber: number, at: number, error: string | null = null): TaskInstanceStateChanged {
  return { kind: "task_instance_state_changed", dagId: "d", runId: "r", runPk: 1, taskId, mapIndex: -1, tryNumber, before: "none", after, at, error };
}

const request = (taskId: string, tryNumber: number) => ({ attemptId: `${taskId}#${tryNumber}`, taskId, mapIndex: -1, tryNumber }) as AttemptRequest;

describe("DagTestProgress", () => {
  it("a log line that comes before the running event is printed after one running line; partial lines wait for their newline", async () => {
    const { p, text } = progress();
    const t0 = Date.now(); // the scheduler's clock is the system's, like the time of a line brought forward
    p.onLog(request("extract", 1), "first ");
    p.onLog(request("extract", 1), "line\nsecond");
    p.onEvent(event("extract", "queued", 1, t0));
    p.onEvent(event("extract", "running", 1, t0 + 5));
    p.onLog(request("extract", 1), " line\n");
    p.onEvent(event("extract", "success", 1, t0 + 250));
    await p.flush();
    const lines = text().trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}extract {2}running {2}try 1$/);
    expect(lines[1]).toBe(`${" ".repeat(10)}extract | first line`);
    expect(lines[2]).toBe(`${" ".repeat(10)}extract | second line`);
    expect(lines[3]).toMatch(/^\d\d:\d\d:\d\d {2}extract {2}success {2}\d+ms {2}→ \{"rows":3\}$/);
  });

  it("a retry shows its error, not a later state's; a leftover partial line is printed at flush", async () => {
    const { p, text } = progress();
    p.onEvent(event("load", "running", 1, 0));
    p.onEvent(event("load", "up_for_retry", 1, 10, "Error: first\n    at x (/d/load.ts:3:9)"));
    p.onEvent(event("load", "scheduled", 1, 20, "Error: first"));
    p.onLog(request("load", 2), "no newline");
    await p.flush();
    expect(text()).toContain("load     up_for_retry  10ms  Error: first\n");
    expect(text()).toMatch(/load {5}scheduled\n/);
    expect(text()).toMatch(/load {5}running {2}try 2\n {10}load {4}\| no newline\n$/);
  });

  it("colours only when asked; the summary pads before it paints", () => {
    for (const colors of [false, true]) {
      const { p, text } = progress(colors);
      p.summary([
        { taskId: "extract", state: "success", attempts: 1, durationMs: 1500, output: '{"rows":3}' },
        { taskId: "load", state: "failed", attempts: 2, durationMs: 20, output: null, error: "Error: boom\n    at load (/d/x.ts:9:3)" },
      ]);
      const plain = text().replace(/\x1b\[[0-9;]*m/g, "");
      expect(text() !== plain).toBe(colors);
      expect(plain).toContain(
        'task     state    tries  duration  value\n-------  -------  -----  --------  ----------\nextract  success  1      1.5s      {"rows":3}\nload     failed   2      20ms\n',
      );
      expect(plain).toContain("load failed:\n  Error: boom\n      at load (/d/x.ts:9:3)\n");
    }
  });
});
