import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunState } from "../../core/model/states.js";
import { attempt, newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ commandWaitMs: 2_000 });
});
afterEach(async () => {
  await h.close();
});

const ETL_FILE = "/dags/etl.ts";

/** A run of `etl` with task extract (one attempt) in `state`, and its log file. */
async function run(runId: string, state: RunState): Promise<number> {
  const created = (await h.store.createRun(newRun("etl", runId, { dagVersion: "etl-v1" }), [taskInstance("extract")]))!;
  await h.store.commit({
    runs: [{ id: created.id, state, endedAt: state === "success" || state === "failed" ? NOW : null }],
    taskInstances: [taskInstance("extract", { runPk: created.id, state: state === "queued" ? "none" : state, tryNumber: 1 })],
    attempts: [attempt(created.id, "extract", 1, { state: state === "queued" ? "running" : state })],
  });
  const dir = join(h.logsDir, "dag_id=etl", `run_id=${runId}`, "task_id=extract");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "attempt=1.log"), "hello\n");
  return created.id;
}

const del = async (dagId: string, query = "", role: "viewer" | "user" | "op" | "admin" = "op") =>
  h.app.inject({ method: "DELETE", url: `/api/v1/dags/${dagId}${query}`, headers: await h.bearer(role) });

describe("DAG import errors on the DAG objects", () => {
  it("GET /api/v1/dags and /api/v1/dags/{dagId} carry the file's first import error, null when it loads", async () => {
    expect((await h.app.inject(`/api/v1/dags/etl`)).json().fileloc).toBe(ETL_FILE);
    await h.store.replaceImportErrors(ETL_FILE, [
      { file: ETL_FILE, line: 9, column: 3, message: "TypeError: later", at: NOW },
      { file: ETL_FILE, line: 4, column: 7, message: "SyntaxError: Unexpected token", at: NOW },
    ]);
    const list = (await h.app.inject("/api/v1/dags")).json();
    const expected = { file: ETL_FILE, line: 4, column: 7, message: "SyntaxError: Unexpected token", at: new Date(NOW).toISOString() };
    expect(list.dags.map((d: { dagId: string; importError: unknown }) => [d.dagId, d.importError])).toEqual([
      ["etl", expected],
      ["other", null],
    ]);
    expect((await h.app.inject("/api/v1/dags/etl")).json()).toMatchObject({ dagId: "etl", importError: expected, tasks: expect.any(Array) });
    const patched = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: { paused: true } });
    expect(patched.json()).toMatchObject({ paused: true, importError: expected });

    await h.store.replaceImportErrors(ETL_FILE, []);
    expect((await h.app.inject("/api/v1/dags/etl")).json().importError).toBeNull();
  });
});

describe("DELETE /api/v1/dags/{dagId}", () => {
  it("deletes the DAG with its runs, task instances, attempts, versions and logs, and records who did it", async () => {
    const ok = await run("r1", "success");
    await run("r2", "failed");
    const res = await del("etl");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      dagId: "etl",
      fileloc: ETL_FILE,
      runs: 2,
      taskInstances: 2,
      attempts: 2,
      versions: 1,
      cancelledRuns: [],
      cancelledBackfills: [],
      note: expect.stringContaining("reappears"),
    });
    expect((await h.app.inject("/api/v1/dags/etl")).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/dags")).json().dags.map((d: { dagId: string }) => d.dagId)).toEqual(["other"]);
    expect(await h.store.listRuns({ dagId: "etl" })).toEqual([]);
    expect(await h.store.listAttempts(ok)).toEqual([]);
    expect(await h.store.getDagVersion("etl-v1")).toBeUndefined();
    expect(existsSync(join(h.logsDir, "dag_id=etl"))).toBe(false);

    const [entry] = await h.store.listAudit({ limit: 1, action: "dag.delete" });
    expect(entry).toMatchObject({
      actor: { name: "op-user", via: "token" },
      target: { type: "dag", id: "etl" },
      dagId: "etl",
      before: { fileloc: ETL_FILE, active: true, paused: false, version: "etl-v1" },
      details: { force: false, runs: 2, taskInstances: 2, attempts: 2, versions: 1, status: 200 },
    });
  });

  it("answers 404 for an unknown DAG and 403 to viewers and users, deleting nothing", async () => {
    const unknown = await del("nope");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: "not_found", message: 'unknown DAG "nope"' });
    for (const role of ["viewer", "user"] as const) {
      const res = await del("etl", "", role);
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error.code).toBe("forbidden");
    }
    expect(await h.store.getDag("etl")).toBeDefined();
    expect(await h.store.listAudit({ limit: 10, action: "dag.delete" })).toEqual([]);
  });

  it("answers 409 while a run is queued or running, deleting nothing", async () => {
    await run("done", "success");
    await run("going", "running");
    const res = await del("etl");
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/DAG "etl" has 1 active run\(s\): going \(running\); .*force/);
    expect(await h.store.listRuns({ dagId: "etl" })).toHaveLength(2);
    expect(existsSync(join(h.logsDir, "dag_id=etl", "run_id=done"))).toBe(true);
    expect(await h.store.listAudit({ limit: 10, action: "dag.delete" })).toEqual([]);
  });

  it("force=true asks the scheduler to cancel the active runs first; without one applying them, 409 and nothing deleted", async () => {
    await run("going", "running");
    const refused = await h.app.inject({ method: "DELETE", url: "/api/v1/dags/etl?force=true" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/cancels were requested .* is a scheduler running\?/);
    const [pending] = await h.store.listPendingCommands(10);
    expect(pending).toMatchObject({ kind: "cancel_run", payload: { dagId: "etl", runId: "going" } });
    expect(await h.store.getDag("etl")).toBeDefined();
    // Recorded even though refused: the cancels were asked for.
    expect((await h.store.listAudit({ limit: 1, action: "dag.delete" }))[0]).toMatchObject({ details: { force: true, status: 409 } });
  });

  it("force=true deletes once the scheduler has cancelled the runs", async () => {
    const going = await run("going", "running");
    await run("waiting", "queued");
    // Stands in for the scheduler: applies each cancel by failing the run.
    let stop = false;
    const scheduler = (async () => {
      while (!stop) {
        for (const cmd of await h.store.listPendingCommands(10)) {
          const runId = (cmd.payload as { runId: string }).runId;
          const r = (await h.store.getRun("etl", runId))!;
          await h.store.commit({ runs: [{ id: r.id, state: "failed", endedAt: NOW, note: "cancelled" }] });
          await h.store.completeCommand(cmd.id, "ok", NOW);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const res = await h.app.inject({ method: "DELETE", url: "/api/v1/dags/etl?force=true" });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ runs: 2, cancelledRuns: ["waiting", "going"] });
      expect(await h.store.getRunById(going)).toBeUndefined();
      expect(h.wakes).toBeGreaterThan(0);
    } finally {
      stop = true;
      await scheduler;
    }
  });
});
