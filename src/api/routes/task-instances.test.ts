import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import { attempt, newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, applyNextCommand, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
let run: RunRecord;
const base = "/api/v1/dags/etl/runs/r1/tasks";

function logFile(taskId: string, tryNumber: number): string {
  return join(h.logsDir, "dag_id=etl", "run_id=r1", `task_id=${taskId}`, `attempt=${tryNumber}.log`);
}

beforeEach(async () => {
  h = await apiHarness();
  run = (await h.store.createRun(newRun("etl", "r1", { dagVersion: "etl-v1", conf: { n: 7 } }), [
    taskInstance("extract", { state: "success", tryNumber: 2, maxTries: 3, startedAt: NOW, endedAt: NOW + 250, output: JSON.stringify({ rows: 3 }) }),
    taskInstance("load", { state: "running", tryNumber: 1, startedAt: NOW }),
    taskInstance("report"),
  ]))!;
  await h.store.commit({
    attempts: [
      attempt(run.id, "extract", 1, { state: "failed", startedAt: NOW - 100, endedAt: NOW - 50, error: "boom" }),
      attempt(run.id, "extract", 2, { state: "success", startedAt: NOW, endedAt: NOW + 250 }),
      attempt(run.id, "load", 1, { state: "running", startedAt: NOW }),
    ],
  });
});
afterEach(async () => {
  await h.close();
});

describe("GET …/tasks and …/tasks/:taskId", () => {
  it("lists task instances in spec order with their kind", async () => {
    const res = await h.app.inject(base);
    expect(res.statusCode).toBe(200);
    const tis = res.json().taskInstances;
    expect(tis.map((t: { taskId: string }) => t.taskId)).toEqual(["extract", "load", "report"]);
    expect(tis[0]).toEqual({
      taskId: "extract",
      mapIndex: -1,
      kind: "function",
      state: "success",
      tryNumber: 2,
      maxTries: 3,
      pool: "default_pool",
      priority: 1,
      queuedAt: null,
      startedAt: new Date(NOW).toISOString(),
      endedAt: new Date(NOW + 250).toISOString(),
      durationMs: 250,
      nextRetryAt: null,
      error: null,
      sensor: null,
    });
    expect(tis[2].kind).toBe("shell");
  });

  it("returns one task instance with attempts, return value and rendered command", async () => {
    const extract = (await h.app.inject(`${base}/extract`)).json();
    expect(extract.returnValue).toEqual({ rows: 3 });
    expect(extract.renderedCommand).toBeNull();
    expect(extract.attempts).toEqual([
      { tryNumber: 1, state: "failed", startedAt: new Date(NOW - 100).toISOString(), endedAt: new Date(NOW - 50).toISOString(), durationMs: 50, error: "boom" },
      { tryNumber: 2, state: "success", startedAt: new Date(NOW).toISOString(), endedAt: new Date(NOW + 250).toISOString(), durationMs: 250, error: null },
    ]);
    const report = (await h.app.inject(`${base}/report`)).json();
    expect(report).toMatchObject({ kind: "shell", returnValue: null, renderedCommand: "echo 7 r1", attempts: [] });
  });

  it("answers 404 for unknown runs and tasks", async () => {
    expect((await h.app.inject("/api/v1/dags/etl/runs/nope/tasks")).statusCode).toBe(404);
    const res = await h.app.inject(`${base}/${encodeURIComponent("ghost ✨")}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('run "r1" of DAG "etl" has no task "ghost ✨"');
  });
});

describe("GET …/tasks/:taskId/logs", () => {
  it("returns the latest attempt's log as text, or the one asked for", async () => {
    for (const n of [1, 2]) {
      mkdirSync(dirname(logFile("extract", n)), { recursive: true });
      writeFileSync(logFile("extract", n), `attempt ${n} ✓\n`);
    }
    const latest = await h.app.inject(`${base}/extract/logs`);
    expect(latest.statusCode).toBe(200);
    expect(latest.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(latest.body).toBe("attempt 2 ✓\n");
    expect((await h.app.inject(`${base}/extract/logs?try=1`)).body).toBe("attempt 1 ✓\n");
  });

  it("prefers the path the attempt recorded", async () => {
    const custom = join(h.dir, "elsewhere.log");
    writeFileSync(custom, "from logPath\n");
    await h.store.commit({ attempts: [attempt(run.id, "extract", 2, { state: "success", logPath: custom })] });
    expect((await h.app.inject(`${base}/extract/logs?try=2`)).body).toBe("from logPath\n");
  });

  it("returns an empty body when the attempt wrote nothing", async () => {
    const res = await h.app.inject(`${base}/load/logs`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("");
  });

  it("answers 404 for an attempt that does not exist and 400 for a bad try", async () => {
    expect((await h.app.inject(`${base}/extract/logs?try=3`)).statusCode).toBe(404);
    expect((await h.app.inject(`${base}/report/logs`)).statusCode).toBe(404);
    const bad = await h.app.inject(`${base}/extract/logs?try=zero`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("try");
  });

  it("follow=true streams new output until the task instance stops running", async () => {
    const path = logFile("load", 1);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "first\n");
    const response = h.app.inject(`${base}/load/logs?follow=true`);
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(path, "second\n");
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(path, "third\n");
    const ti: TaskInstanceRecord = taskInstance("load", { runPk: run.id, state: "success", tryNumber: 1, startedAt: NOW, endedAt: NOW + 1 });
    await h.store.commit({ taskInstances: [ti] });
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("first\nsecond\nthird\n");
  });

  it("follow=true on a finished attempt returns the file at once", async () => {
    mkdirSync(dirname(logFile("extract", 2)), { recursive: true });
    writeFileSync(logFile("extract", 2), "done\n");
    expect((await h.app.inject(`${base}/extract/logs?follow=true`)).body).toBe("done\n");
  });
});

describe("task commands", () => {
  it("clear enqueues clear_tasks (202 pending, 200 once applied)", async () => {
    const pending = await h.app.inject({ method: "POST", url: `${base}/load/clear`, payload: { downstream: true } });
    expect(pending.statusCode).toBe(202);
    expect((await h.store.getCommand(pending.json().commandId))?.payload).toEqual({ dagId: "etl", runId: "r1", taskIds: ["load"], downstream: true });
    await h.store.completeCommand(pending.json().commandId, "ok", NOW);
    const [applied] = await Promise.all([h.app.inject({ method: "POST", url: `${base}/load/clear` }), applyNextCommand(h.store, "cleared 2")]);
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({ status: "applied", result: "cleared 2" });
  });

  it("PATCH marks a task instance", async () => {
    const res = await h.app.inject({ method: "PATCH", url: `${base}/load`, payload: { state: "success" } });
    expect(res.statusCode).toBe(202);
    expect(await h.store.getCommand(res.json().commandId)).toMatchObject({ kind: "mark_tasks", payload: { taskIds: ["load"], state: "success" } });
  });

  it("rejects bad bodies and unknown tasks", async () => {
    const bad = await h.app.inject({ method: "PATCH", url: `${base}/load`, payload: { state: "skipped" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("state");
    const badClear = await h.app.inject({ method: "POST", url: `${base}/load/clear`, payload: { downstream: 3 } });
    expect(badClear.json().error.field).toBe("downstream");
    expect((await h.app.inject({ method: "POST", url: `${base}/ghost/clear` })).statusCode).toBe(404);
    expect((await h.app.inject({ method: "PATCH", url: `${base}/ghost`, payload: { state: "failed" } })).statusCode).toBe(404);
    expect(await h.store.listPendingCommands(10)).toHaveLength(0);
  });
});
