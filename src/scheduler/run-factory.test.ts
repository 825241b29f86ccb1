import { describe, expect, it } from "vitest";
import type { DagVersionRecord } from "../core/model/records.js";
import { makeDag, makeTask } from "../core/testing/spec-builders.js";
import { buildManualRun } from "./run-factory.js";

const version = (schedule: DagVersionRecord["spec"]["schedule"]): DagVersionRecord => ({
  versionHash: "h",
  dagId: "d",
  spec: makeDag([makeTask("t")], { dagId: "d", schedule, startDate: Date.parse("2024-01-01T00:00:00Z"), timezone: "UTC" }),
  source: "",
  bundlePath: "/nowhere.mjs",
  createdAt: 0,
});
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Regression issue-8-11: docs/scheduling.md must say exactly how a manual run's data interval
 * differs from Airflow's. A @daily DAG triggered at 01:00 on 25 Jan.
 */
describe("buildManualRun: a manual run's data interval", () => {
  const now = Date.parse("2024-01-25T01:00:00Z");

  it("interval mode: the interval containing the trigger time, [25 Jan, 26 Jan) (Airflow 2: [24 Jan, 25 Jan))", () => {
    const { run } = buildManualRun({ version: version({ kind: "cron", expression: "0 0 * * *", mode: "interval" }), now });
    expect([iso(run.logicalDate), iso(run.dataIntervalStart), iso(run.dataIntervalEnd), iso(run.runAfter)]).toEqual([
      "2024-01-25T01:00:00.000Z",
      "2024-01-25T00:00:00.000Z",
      "2024-01-26T00:00:00.000Z",
      "2024-01-25T01:00:00.000Z",
    ]);
  });

  it("interval mode, triggered exactly on a tick: the interval starting there, [25 Jan, 26 Jan)", () => {
    const { run } = buildManualRun({ version: version({ kind: "cron", expression: "0 0 * * *", mode: "interval" }), now: Date.parse("2024-01-25T00:00:00Z") });
    expect([iso(run.dataIntervalStart), iso(run.dataIntervalEnd)]).toEqual(["2024-01-25T00:00:00.000Z", "2024-01-26T00:00:00.000Z"]);
  });

  it("trigger mode (Airflow 3's default): the zero-width interval [01:00, 01:00]", () => {
    const { run } = buildManualRun({ version: version({ kind: "cron", expression: "0 0 * * *", mode: "trigger" }), now });
    expect([iso(run.logicalDate), iso(run.dataIntervalStart), iso(run.dataIntervalEnd)]).toEqual([
      "2024-01-25T01:00:00.000Z",
      "2024-01-25T01:00:00.000Z",
      "2024-01-25T01:00:00.000Z",
    ]);
  });

  it("--date D picks the interval containing D; the run may start at once (runAfter = now)", () => {
    const { run } = buildManualRun({
      version: version({ kind: "cron", expression: "0 0 * * *", mode: "interval" }),
      now,
      at: Date.parse("2024-01-10T12:00:00Z"),
    });
    expect([iso(run.logicalDate), iso(run.dataIntervalStart), iso(run.dataIntervalEnd), iso(run.runAfter)]).toEqual([
      "2024-01-10T12:00:00.000Z",
      "2024-01-10T00:00:00.000Z",
      "2024-01-11T00:00:00.000Z",
      "2024-01-25T01:00:00.000Z",
    ]);
  });
});
