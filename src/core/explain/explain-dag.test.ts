import { describe, expect, it } from "vitest";
import { makeDag, makeTask } from "../testing/spec-builders.js";
import { T0, dagFacts, dagRecord } from "../testing/explain-facts.js";
import { explainDag } from "./explain-dag.js";
import type { DagFacts } from "./explain-types.js";

const HOUR = 3_600_000;
const hourly = makeDag([makeTask("a")], {
  dagId: "etl",
  schedule: { kind: "cron", expression: "0 * * * *", mode: "interval" },
  startDate: T0 - 24 * HOUR,
  catchup: false,
  maxActiveRuns: 1,
});
const codes = (f: DagFacts) => explainDag(f).reasons.map((r) => r.code);

describe("explainDag", () => {
  it("says when the next scheduled run comes", () => {
    const f = dagFacts(hourly, { dag: dagRecord(hourly, { lastScheduledLogicalDate: T0 - 2 * HOUR }) });
    const e = explainDag(f);
    expect(e).toMatchObject({ state: "idle", running: false });
    expect(e.reasons).toHaveLength(1);
    expect(e.reasons[0]).toMatchObject({
      code: "next_run",
      facts: { logicalDate: "2026-03-01T11:00:00.000Z", runAfter: "2026-03-01T12:00:00.000Z", due: true },
    });
    const later = dagFacts(hourly, { dag: dagRecord(hourly, { lastScheduledLogicalDate: T0 - HOUR }) });
    expect(explainDag(later).reasons[0]!.message).toBe(
      "The next scheduled run (logical date 2026-03-01T12:00:00.000Z, data interval 2026-03-01T12:00:00.000Z – 2026-03-01T13:00:00.000Z) is created at 2026-03-01T13:00:00.000Z (in 1 h).",
    );
  });

  it("says paused first, and that the next run waits for the unpause", () => {
    const f = dagFacts(hourly, { dag: dagRecord(hourly, { paused: true, lastScheduledLogicalDate: T0 - HOUR }) });
    expect(codes(f)).toEqual(["dag_paused", "next_run"]);
    expect(explainDag(f).state).toBe("paused");
    expect(explainDag(f).reasons[1]!.message).toMatch(/once unpaused\.$/);
  });

  it("says no schedule, a dataset schedule, an ended schedule, a start date ahead", () => {
    expect(codes(dagFacts(makeDag([makeTask("a")])))).toEqual(["no_schedule"]);
    const ds = makeDag([makeTask("a")], { schedule: { kind: "datasets", uris: ["s3://a", "s3://b"] } });
    expect(explainDag(dagFacts(ds)).reasons[0]).toMatchObject({ code: "waiting_for_datasets", facts: { datasets: ["s3://a", "s3://b"] } });
    const ended = { ...hourly, endDate: T0 - 10 * HOUR };
    expect(codes(dagFacts(ended, { dag: dagRecord(ended, { lastScheduledLogicalDate: T0 - 10 * HOUR }) }))).toEqual(["schedule_ended"]);
    const future = { ...hourly, startDate: T0 + 48 * HOUR };
    expect(codes(dagFacts(future))).toEqual(["before_start_date", "next_run"]);
    const once = makeDag([makeTask("a")], { schedule: { kind: "once" }, startDate: T0 - HOUR });
    expect(explainDag(dagFacts(once, { dag: dagRecord(once, { lastScheduledLogicalDate: T0 - HOUR }) })).reasons[0]!.message).toContain('"@once"');
  });

  it("names the runs holding max active runs while runs are queued", () => {
    const f = dagFacts(hourly, {
      dag: dagRecord(hourly, { lastScheduledLogicalDate: T0 - HOUR }),
      group: {
        limit: 1,
        backfillId: null,
        running: [{ runId: "scheduled__1", startedAt: T0 - HOUR }],
        queued: [{ runId: "manual__2", logicalDate: T0, runAfter: T0 }],
      },
    });
    expect(codes(f)).toEqual(["next_run", "max_active_runs", "run_queued", "run_running"]);
    expect(explainDag(f)).toMatchObject({ state: "running", running: true });
  });

  it("says a due scheduled run waits to be created while the DAG's active runs fill maxActiveRuns", () => {
    const f = dagFacts(hourly, {
      dag: dagRecord(hourly, { lastScheduledLogicalDate: T0 - 2 * HOUR }),
      group: { limit: 1, backfillId: null, running: [{ runId: "manual__1", startedAt: T0 - HOUR }], queued: [] },
    });
    expect(explainDag(f).reasons[0]!.message).toBe(
      "The scheduled run for 2026-03-01T11:00:00.000Z is due since 2026-03-01T12:00:00.000Z (now); maxActiveRuns is 1 and 1 of the DAG's runs is queued or running: the scheduler creates it once one of them ends.",
    );
  });

  it("says an inactive DAG is gone from its file, and no scheduler is alive", () => {
    const f = dagFacts(hourly, { dag: dagRecord(hourly, { active: false }) });
    expect(codes(f)[0]).toBe("dag_inactive");
    expect(explainDag(f).state).toBe("inactive");
    const dead = dagFacts(makeDag([makeTask("a")]), {
      schedulers: {
        heartbeats: [{ id: "s", at: T0 - 60_000 }],
        freshMs: 30_000,
        leases: [{ id: "h:1:x", host: "h", pid: 1, beatAt: T0 - 60_000, fencedAt: null }],
      },
    });
    const r = explainDag(dead).reasons.find((x) => x.code === "no_scheduler")!;
    expect(r.facts).toMatchObject({
      lastHeartbeatAt: "2026-03-01T11:59:00.000Z",
      leases: [{ id: "h:1:x", host: "h", pid: 1, lastBeatAt: "2026-03-01T11:59:00.000Z", fencedAt: null }],
    });
  });
});
