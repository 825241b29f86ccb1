import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../core/model/records.js";
import { attempt, newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
let run: RunRecord;
const base = "/api/v1/dags/etl/runs/r1/tasks";

beforeEach(async () => {
  h = await apiHarness();
  run = (await h.store.createRun(newRun("etl", "r1", { dagVersion: "etl-v1" }), [
    taskInstance("extract", { state: "running", startedAt: NOW, output: null }),
    taskInstance("extract", { mapIndex: 0, state: "success", tryNumber: 1, startedAt: NOW, endedAt: NOW + 10, output: "10" }),
    taskInstance("extract", { mapIndex: 1, state: "running", tryNumber: 2, startedAt: NOW }),
    taskInstance("extract", { mapIndex: 2, state: "removed", tryNumber: 1 }),
    taskInstance("load"),
  ]))!;
  const copyLog = join(h.logsDir, "dag_id=etl", "run_id=r1", "task_id=extract", "map_index=1", "attempt=2.log");
  mkdirSync(dirname(copyLog), { recursive: true });
  writeFileSync(copyLog, "copy one, second try\n");
  await h.store.commit({
    attempts: [
      { ...attempt(run.id, "extract", 1, { state: "success", startedAt: NOW, endedAt: NOW + 10 }), mapIndex: 0 },
      { ...attempt(run.id, "extract", 1, { state: "failed", startedAt: NOW, endedAt: NOW + 5, error: "boom" }), mapIndex: 1 },
      { ...attempt(run.id, "extract", 2, { state: "running", startedAt: NOW }), mapIndex: 1, logPath: copyLog },
    ],
  });
});
afterEach(async () => {
  await h.close();
});

describe("mapped task instances in the API", () => {
  it("the task's detail lists its current copies (not removed ones)", async () => {
    const res = await h.app.inject(`${base}/extract`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.mapIndex).toBe(-1);
    expect(body.copies.map((c: { mapIndex: number; state: string }) => [c.mapIndex, c.state])).toEqual([
      [0, "success"],
      [1, "running"],
    ]);
  });

  it("?mapIndex=i gives one copy with its own attempts and return value", async () => {
    const one = (await h.app.inject(`${base}/extract?mapIndex=1`)).json();
    expect(one.mapIndex).toBe(1);
    expect(one.attempts.map((a: { tryNumber: number; state: string }) => [a.tryNumber, a.state])).toEqual([
      [1, "failed"],
      [2, "running"],
    ]);
    expect(one.copies).toEqual([]);
    expect((await h.app.inject(`${base}/extract?mapIndex=0`)).json().returnValue).toBe(10);
  });

  it("a deferred sensor shows its progress and check kind, not the check's arguments", async () => {
    const trigger = {
      kind: "http",
      args: { url: "http://127.0.0.1/ready", headers: { authorization: "Bearer t0ken" } },
      pokeIntervalMs: 1000,
      exponentialBackoff: false,
      maxWaitMs: null,
      timeoutMs: 60_000,
      timeoutAt: NOW + 60_000,
      softFail: false,
      key: "etl#wait#x",
    };
    await h.store.commit({
      taskInstances: [taskInstance("load", { runPk: run.id, state: "deferred", tryNumber: 1, sensorWait: { firstPokeAt: NOW, pokes: 3, trigger } })],
    });
    const res = await h.app.inject(`${base}/load`);
    expect(res.json().sensor).toEqual({
      firstPokeAt: new Date(NOW).toISOString(),
      pokes: 3,
      timeoutAt: new Date(NOW + 60_000).toISOString(),
      deferredCheck: "http",
    });
    expect(res.body).not.toContain("t0ken");
  });

  it("logs of a copy come from its own file", async () => {
    const res = await h.app.inject(`${base}/extract/logs?mapIndex=1&try=2`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("copy one, second try\n");
  });

  it("an unknown copy is a 404 naming the map indexes; a bad index a 400", async () => {
    const res = await h.app.inject(`${base}/extract?mapIndex=7`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('task "extract" of run "r1" has no copy 7 (map indexes 0-1)');
    expect((await h.app.inject(`${base}/load?mapIndex=0`)).json().error.message).toContain("it is not mapped");
    expect((await h.app.inject(`${base}/extract?mapIndex=-5`)).statusCode).toBe(400);
    expect((await h.app.inject(`${base}/extract?mapIndex=abc`)).statusCode).toBe(400);
  });
});
