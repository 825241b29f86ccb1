import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.js";
import { systemClock } from "../../core/ports/clock.js";
import { makeDag, makeTask } from "../../core/testing/spec-builders.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { StoreDagRunsGateway } from "./store-dag-runs-gateway.js";

const DAY = Date.parse("2026-01-02T00:00:00Z");
let dir: string;
let store: FullStore;
let wakes: number;
let gateway: StoreDagRunsGateway;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-gateway-"));
  store = await openSqliteStore(join(dir, "baton.db"));
  const spec = makeDag([makeTask("extract"), makeTask("load", { upstream: ["extract"] })], { dagId: "etl" });
  await store.saveDagVersion({ versionHash: "v1", dagId: "etl", spec, source: "", bundlePath: "/b/v1.mjs", createdAt: 1 });
  wakes = 0;
  gateway = new StoreDagRunsGateway({ store, clock: systemClock, wake: () => wakes++, commandTimeoutMs: 300, commandPollMs: 20 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("StoreDagRunsGateway", () => {
  it("queues a manual run and wakes the scheduler; the same run id again changes nothing", async () => {
    const first = await gateway.triggerRun("etl", { runId: "r1", conf: { n: 1 }, logicalDate: DAY });
    expect(first).toMatchObject({ created: true, run: { dagId: "etl", runId: "r1", runType: "manual", state: "queued", logicalDate: DAY } });
    expect(wakes).toBe(1);
    const again = await gateway.triggerRun("etl", { runId: "r1", conf: { n: 2 } });
    expect(again).toMatchObject({ created: false, run: { runId: "r1", logicalDate: DAY } });
    expect(wakes).toBe(1);
    expect((await store.listRuns({ dagId: "etl" })).map((r) => r.conf)).toEqual([{ n: 1 }]);
  });

  it("reads runs by id and by logical date (newest first), task states, and the DAG's tasks", async () => {
    await gateway.triggerRun("etl", { runId: "older", logicalDate: DAY });
    await gateway.triggerRun("etl", { runId: "newer", logicalDate: DAY });
    await gateway.triggerRun("etl", { runId: "other_day", logicalDate: DAY + 86_400_000 });
    expect((await gateway.findRuns("etl", DAY)).map((r) => r.runId)).toEqual(["newer", "older"]);
    expect(await gateway.findRuns("etl", DAY - 1)).toEqual([]);
    expect((await gateway.getRun("etl", "older"))?.state).toBe("queued");
    expect(await gateway.getRun("etl", "nope")).toBeNull();
    expect(await gateway.taskStates("etl", "older", ["load"])).toEqual([{ taskId: "load", mapIndex: -1, state: "none" }]);
    expect((await gateway.taskStates("etl", "older")).map((t) => t.taskId).sort()).toEqual(["extract", "load"]);
    await expect(gateway.taskStates("etl", "nope")).rejects.toThrow(NotFoundError);
    expect(await gateway.describeDag("etl")).toEqual({ taskIds: ["extract", "load"], paused: false });
    expect(await gateway.describeDag("nope")).toBeNull();
  });

  it("names the known DAGs for an unknown one; knows whether a scheduler heart-beats", async () => {
    await expect(gateway.triggerRun("nope", {})).rejects.toThrow(/unknown DAG "nope"; known DAGs: etl/);
    expect(await gateway.schedulerAlive()).toBe(false);
    await store.heartbeat("scheduler", "host:1", Date.now() - 60_000);
    expect(await gateway.schedulerAlive()).toBe(false);
    await store.heartbeat("scheduler", "host:2", Date.now());
    expect(await gateway.schedulerAlive()).toBe(true);
  });

  it("resetRun asks the scheduler to clear the run and gives up clearly when none applies it", async () => {
    await gateway.triggerRun("etl", { runId: "r1" });
    await expect(gateway.resetRun("etl", "r1")).rejects.toThrow(/run r1 of DAG etl was not cleared: no scheduler applied the request \(command \d+\) in time/);
    const [cmd] = await store.listPendingCommands(10);
    expect(cmd).toMatchObject({ kind: "clear_run", payload: { dagId: "etl", runId: "r1", onlyFailed: false }, requestedBy: "triggerDag" });
    await expect(gateway.resetRun("etl", "nope")).rejects.toThrow(/DAG etl has no run "nope"/);
  });

  it("opens a lazily given store on first use only", async () => {
    let opened = 0;
    const lazy = new StoreDagRunsGateway({ store: async () => (opened++, store), clock: systemClock });
    expect(opened).toBe(0);
    await lazy.getRun("etl", "x");
    await lazy.getRun("etl", "y");
    expect(opened).toBe(1);
  });
});
