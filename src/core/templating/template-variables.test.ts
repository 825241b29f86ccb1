import { describe, expect, it } from "vitest";
import { renderTemplate } from "./render-template.js";
import { templateVariables } from "./template-variables.js";

const base = {
  dagId: "etl",
  runId: "scheduled__2024-01-02T00:00:00+00:00",
  taskId: "load",
  tryNumber: 1,
  logicalDate: Date.UTC(2024, 0, 2),
  dataIntervalStart: Date.UTC(2024, 0, 2),
  dataIntervalEnd: Date.UTC(2024, 0, 3),
  timezone: "UTC",
  params: { region: "eu" },
  conf: { full: true },
};

describe("templateVariables", () => {
  it("provides Airflow's names", () => {
    expect(templateVariables(base)).toEqual({
      ds: "2024-01-02",
      ds_nodash: "20240102",
      ts: "2024-01-02T00:00:00+00:00",
      ts_nodash: "20240102T000000",
      ts_nodash_with_tz: "20240102T000000+0000",
      task_instance_key_str: "etl__load__20240102",
      logical_date: "2024-01-02T00:00:00+00:00",
      data_interval_start: "2024-01-02T00:00:00+00:00",
      data_interval_end: "2024-01-03T00:00:00+00:00",
      run_id: "scheduled__2024-01-02T00:00:00+00:00",
      dag_id: "etl",
      task_id: "load",
      try_number: 1,
      params: { region: "eu" },
      conf: { full: true },
    });
  });

  it("ds follows the DAG's time zone; ts stays UTC", () => {
    const v = templateVariables({ ...base, logicalDate: Date.UTC(2024, 0, 2, 23, 30), timezone: "Asia/Tokyo" });
    expect(v.ds).toBe("2024-01-03");
    expect(v.ts).toBe("2024-01-02T23:30:00+00:00");
    expect(v.ts_nodash).toBe("20240102T233000");
    expect(v.ts_nodash_with_tz).toBe("20240102T233000+0000");
    expect(v.task_instance_key_str).toBe("etl__load__20240103");
  });

  it("a run without logical date has no date variables, and using one is an error listing what exists", () => {
    const v = templateVariables({ ...base, logicalDate: null, dataIntervalStart: null, dataIntervalEnd: null });
    expect(Object.keys(v).sort()).toEqual(["conf", "dag_id", "params", "run_id", "task_id", "try_number"]);
    expect(() => renderTemplate("{{ ds }}", v)).toThrow("available: conf, dag_id, params, run_id, task_id, try_number");
  });

  it("prev_*_success: the previous successful run's interval, start and end (UTC ISO), null when there is none", () => {
    const prevSuccess = {
      dataIntervalStart: Date.UTC(2024, 0, 1),
      dataIntervalEnd: Date.UTC(2024, 0, 2),
      startedAt: Date.UTC(2024, 0, 2, 0, 5),
      endedAt: Date.UTC(2024, 0, 2, 0, 9),
    };
    expect(templateVariables({ ...base, prevSuccess })).toMatchObject({
      prev_data_interval_start_success: "2024-01-01T00:00:00+00:00",
      prev_data_interval_end_success: "2024-01-02T00:00:00+00:00",
      prev_start_date_success: "2024-01-02T00:05:00+00:00",
      prev_end_date_success: "2024-01-02T00:09:00+00:00",
    });
    const none = templateVariables({ ...base, prevSuccess: null });
    expect(renderTemplate("{{ prev_data_interval_start_success }} {{ prev_end_date_success }}", none)).toBe("null null");
    // Present even without a logical date (Airflow gives None there).
    expect(templateVariables({ ...base, logicalDate: null, prevSuccess: null })).toHaveProperty("prev_start_date_success", null);
  });

  it("renders a typical shell command", () => {
    expect(renderTemplate("load --day {{ ds }} --region {{ params.region }} --try {{ try_number }}", templateVariables(base))).toBe(
      "load --day 2024-01-02 --region eu --try 1",
    );
  });
});
