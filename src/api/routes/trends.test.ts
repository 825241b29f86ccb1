import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dagSpec, newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

// GET /api/v1/dags/:dagId/trends over a real SQLite store (docs/ui.md#trends).

const DAY = 86_400_000;
const MIN = 60_000;
let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

/** A finished run of etl at `logicalDate`, started 5 min after it, lasting `minutes`; `extract` took `tries`. */
async function run(runId: string, logicalDate: number, state: "success" | "failed" | "running", minutes: number, tries = 1) {
  const startedAt = logicalDate + 5 * MIN;
  const endedAt = state === "running" ? null : startedAt + minutes * MIN;
  const r = (await h.store.createRun(newRun("etl", runId, { logicalDate, runType: "scheduled", createdAt: logicalDate }), [taskInstance("extract")]))!;
  await h.store.commit({
    runs: [{ id: r.id, state, startedAt, ...(endedAt === null ? {} : { endedAt }) }],
    taskInstances: [taskInstance("extract", { runPk: r.id, state: state === "running" ? "running" : state, tryNumber: tries, startedAt, endedAt })],
  });
}

async function trends(query = "") {
  const res = await h.app.inject(`/api/v1/dags/etl/trends${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe("GET /api/v1/dags/:dagId/trends", () => {
  it("counts outcomes per UTC day of the logical date, within the last `days` days only", async () => {
    const today = Math.floor(NOW / DAY) * DAY;
    await run("old", today - 400 * DAY, "failed", 1);
    await run("a", today - 2 * DAY + 1 * MIN, "success", 3);
    await run("b", today - 2 * DAY + 60 * MIN, "failed", 4);
    await run("c", today - DAY, "success", 2);
    await run("d", today + MIN, "running", 0);
    const t = await trends();
    expect(t.since).toBe(new Date(today - 364 * DAY).toISOString());
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(t.days).toEqual([
      { date: iso(today - 2 * DAY), success: 1, failed: 1, other: 0 },
      { date: iso(today - DAY), success: 1, failed: 0, other: 0 },
      { date: iso(today), success: 0, failed: 0, other: 1 },
    ]);
    expect((await trends("?days=1")).days).toEqual([{ date: iso(today), success: 0, failed: 0, other: 1 }]);
  });

  it("lists the newest runs oldest first with duration, landing time and the chosen task's tries", async () => {
    const base = Date.UTC(2025, 4, 1);
    await run("r1", base, "success", 10, 1);
    await run("r2", base + DAY, "failed", 20, 3);
    await run("r3", base + 2 * DAY, "success", 30, 2);
    const t = await trends("?runs=2&task=extract");
    expect(t.tasks).toEqual(["extract", "load", "report"]);
    expect(t.runs).toEqual([
      expect.objectContaining({
        runId: "r2",
        state: "failed",
        durationMs: 20 * MIN,
        landingMs: 25 * MIN,
        task: { state: "failed", tryNumber: 3, durationMs: 20 * MIN },
      }),
      expect.objectContaining({
        runId: "r3",
        state: "success",
        durationMs: 30 * MIN,
        landingMs: 35 * MIN,
        task: { state: "success", tryNumber: 2, durationMs: 30 * MIN },
      }),
    ]);
    // Without a task, no task point; a task with no instance in a run has none either.
    expect((await trends("?runs=1")).runs[0].task).toBeNull();
    expect((await trends("?runs=1&task=load")).runs[0].task).toBeNull();
  });

  it("refuses an unknown task (naming the valid ones), bad limits and an unknown DAG", async () => {
    const bad = await h.app.inject("/api/v1/dags/etl/trends?task=nope");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message ?? bad.body).toContain("extract");
    expect((await h.app.inject("/api/v1/dags/etl/trends?days=0")).statusCode).toBe(400);
    expect((await h.app.inject("/api/v1/dags/etl/trends?runs=101")).statusCode).toBe(400);
    expect((await h.app.inject("/api/v1/dags/nope/trends")).statusCode).toBe(404);
    expect(await trends()).toEqual({
      timeZone: expect.any(String),
      since: expect.any(String),
      firstDay: expect.any(String),
      today: "2025-06-01",
      days: [],
      tasks: ["extract", "load", "report"],
      runs: [],
    });
  });

  it("counts days in the DAG's time zone, with its DST offsets: a run at 22:00 in New York is on that New York day", async () => {
    const spec = { ...dagSpec("ny"), timezone: "America/New_York" };
    await h.store.saveDagVersion({ versionHash: "ny-v1", dagId: "ny", spec, source: "// ny\n", bundlePath: "/b/ny.mjs", createdAt: NOW });
    const at = async (runId: string, logicalDate: number, state: "success" | "failed") => {
      const r = (await h.store.createRun(newRun("ny", runId, { logicalDate, createdAt: logicalDate }), [taskInstance("t")]))!;
      await h.store.commit({ runs: [{ id: r.id, state, endedAt: logicalDate + MIN }] });
    };
    await at("may30-late", Date.UTC(2025, 4, 31, 2), "failed"); // 2025-05-30 22:00 EDT (UTC-4)
    await at("may31-early", Date.UTC(2025, 4, 31, 5), "success"); // 2025-05-31 01:00 EDT
    await at("jan14-late", Date.UTC(2025, 0, 15, 4, 30), "success"); // 2025-01-14 23:30 EST (UTC-5): the winter offset
    await at("too-old", Date.UTC(2025, 4, 30, 3, 59), "success"); // 2025-05-29 23:59 EDT: before the first of 3 days
    const get = async (q: string) => (await h.app.inject(`/api/v1/dags/ny/trends${q}`)).json();
    const three = await get("?days=3");
    expect(three).toMatchObject({ timeZone: "America/New_York", since: "2025-05-30T04:00:00.000Z", firstDay: "2025-05-30", today: "2025-06-01" });
    expect(three.days).toEqual([
      { date: "2025-05-30", success: 0, failed: 1, other: 0 },
      { date: "2025-05-31", success: 1, failed: 0, other: 0 },
    ]);
    const year = await get("");
    expect(year.firstDay).toBe("2024-06-02");
    expect(year.days.map((d: { date: string }) => d.date)).toEqual(["2025-01-14", "2025-05-29", "2025-05-30", "2025-05-31"]);
  });
});
