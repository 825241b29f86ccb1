import { describe, expect, it } from "vitest";
import { attemptEvent, attemptEventType, dagRunEvent, runEventType, type RunFacts } from "./build-events.js";
import { datasetFromUri, connectionNamespace, tableName } from "./dataset-naming.js";
import { attemptLineageId, dagRunLineageId } from "./run-ids.js";
import { sqlTables } from "./sql-tables.js";
import { taskFacts } from "./task-facts.js";
import { loadEventValidator, schemasMissing } from "./testing/openlineage-schemas.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import type { TaskSpec } from "../core/model/dag-spec.js";
import type { AttemptStateChanged } from "../core/model/domain-events.js";

const id = { namespace: "prod", producer: "urn:baton:test" };
const run: RunFacts = {
  dagId: "sales",
  runId: "scheduled__2026-01-01T00:00:00+00:00",
  logicalDate: Date.UTC(2026, 0, 1),
  dataIntervalStart: Date.UTC(2026, 0, 1),
  dataIntervalEnd: Date.UTC(2026, 0, 2),
  fileloc: "/srv/dags/sales.ts",
  parent: null,
};
const attempt = (over: Partial<AttemptStateChanged>): AttemptStateChanged => ({
  kind: "attempt_state_changed",
  dagId: "sales",
  runId: run.runId,
  runPk: 1,
  taskId: "load",
  mapIndex: -1,
  tryNumber: 1,
  before: null,
  after: "running",
  at: Date.UTC(2026, 0, 2, 0, 5),
  error: null,
  ...over,
});
const facts = {
  inputs: [{ namespace: "s3://raw", name: "events/2026-01-01.json" }],
  outputs: [{ namespace: "postgres://db:5432", name: "dw.public.sales" }],
  sql: { query: "insert into sales select * from staging", dialect: "postgres" },
};

const missing = schemasMissing();
if (missing) console.warn(`skipping OpenLineage schema validation: ${missing}`);

describe.skipIf(missing !== null)("events against the official OpenLineage schemas", () => {
  const validator = missing === null ? loadEventValidator() : null;

  it("an attempt's START carries its parent DAG run, nominal time, job type, source location, SQL and datasets, and validates", () => {
    const e = attemptEvent(id, "START", attempt({}), run, facts);
    expect(validator!.errors(e)).toEqual([]);
    expect(e.run.runId).toBe(attemptLineageId("sales", run.runId, "load", -1, 1));
    expect(e.job).toMatchObject({ namespace: "prod", name: "sales.load" });
    expect(e.run.facets.parent).toMatchObject({ run: { runId: dagRunLineageId("sales", run.runId) }, job: { namespace: "prod", name: "sales" } });
    expect(e.run.facets.nominalTime).toMatchObject({ nominalStartTime: "2026-01-01T00:00:00.000Z", nominalEndTime: "2026-01-02T00:00:00.000Z" });
    expect(e.job.facets.jobType).toMatchObject({ processingType: "BATCH", integration: "BATON", jobType: "TASK" });
    expect(e.job.facets.sourceCodeLocation).toMatchObject({ type: "file", url: "file:///srv/dags/sales.ts" });
    expect(e.job.facets.sql).toMatchObject({ query: facts.sql.query, dialect: "postgres" });
    expect(e.inputs).toEqual(facts.inputs);
    expect(e.outputs).toEqual(facts.outputs);
  });

  it("a failed attempt is FAIL with the error message and the user's stack trace, and validates", () => {
    const error = "Error: boom\n    at run (/srv/dags/sales.ts:12:11)";
    const e = attemptEvent(
      id,
      attemptEventType(attempt({ before: "running", after: "failed", error }), false)!,
      attempt({ after: "failed", error }),
      run,
      facts,
    );
    expect(e.eventType).toBe("FAIL");
    expect(e.run.facets.errorMessage).toMatchObject({ message: "Error: boom", programmingLanguage: "JavaScript", stackTrace: error });
    expect(validator!.errors(e)).toEqual([]);
  });

  it("DAG runs: START, COMPLETE, FAIL with the note, ABORT when cancelled, a triggered run's parent; all validate", () => {
    const change = (after: "running" | "success" | "failed", note: string | null) =>
      ({ kind: "run_state_changed", dagId: "sales", runId: run.runId, runPk: 1, before: "running", after, at: Date.UTC(2026, 0, 2), note }) as const;
    expect(runEventType(change("running", null))).toBe("START");
    expect(runEventType(change("success", null))).toBe("COMPLETE");
    expect(runEventType(change("failed", "run timed out after 10 ms"))).toBe("FAIL");
    expect(runEventType(change("failed", "cancelled by admin"))).toBe("ABORT");
    const failed = dagRunEvent(id, "FAIL", Date.UTC(2026, 0, 2), run, "run timed out after 10 ms");
    expect(failed.job.facets.jobType).toMatchObject({ jobType: "DAG" });
    expect(failed.run.facets.errorMessage).toMatchObject({ message: "run timed out after 10 ms" });
    const child = dagRunEvent(
      id,
      "START",
      Date.UTC(2026, 0, 2),
      { ...run, dagId: "report", runId: "triggered__sales.go__x", parent: { dagId: "sales", runId: "x" } },
      null,
    );
    expect(child.run.facets.parent).toMatchObject({ run: { runId: dagRunLineageId("sales", "x") }, job: { name: "sales" } });
    const manual = dagRunEvent(
      id,
      "COMPLETE",
      Date.UTC(2026, 0, 2),
      { ...run, logicalDate: null, dataIntervalStart: null, dataIntervalEnd: null, fileloc: null },
      null,
    );
    for (const e of [failed, child, manual, dagRunEvent(id, "ABORT", 0, run, "cancelled by admin")]) expect(validator!.errors(e)).toEqual([]);
    expect(manual.run.facets.nominalTime).toBeUndefined();
  });

  it("the validator is not vacuous: a bad event and a bad facet are rejected", () => {
    const e = attemptEvent(id, "START", attempt({}), run, facts);
    expect(validator!.errors({ ...e, run: { runId: "not-a-uuid" } }).join()).toMatch(/uuid/);
    const noMessage = {
      ...e,
      run: { ...e.run, facets: { errorMessage: { _producer: id.producer, _schemaURL: "https://x/y", programmingLanguage: "JavaScript" } } },
    };
    expect(validator!.errors(noMessage).join()).toMatch(/message/);
  });
});

describe("attempt event types", () => {
  it("START, RUNNING for a sensor's re-poke and its waits, COMPLETE, FAIL (retry too), ABORT when stopped", () => {
    expect(attemptEventType(attempt({}), false)).toBe("START");
    expect(attemptEventType(attempt({}), true)).toBe("RUNNING");
    expect(attemptEventType(attempt({ after: "up_for_reschedule" }), false)).toBe("RUNNING");
    expect(attemptEventType(attempt({ after: "success" }), false)).toBe("COMPLETE");
    expect(attemptEventType(attempt({ after: "up_for_retry", error: "x" }), false)).toBe("FAIL");
    expect(attemptEventType(attempt({ after: "failed", error: "stopped: cancelled by admin" }), false)).toBe("ABORT");
  });
});

describe("run ids", () => {
  it("are UUIDv5: stable for an attempt, different per try, copy and run", () => {
    const a = attemptLineageId("d", "r", "t", -1, 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attemptLineageId("d", "r", "t", -1, 1)).toBe(a);
    expect(
      new Set([
        a,
        attemptLineageId("d", "r", "t", -1, 2),
        attemptLineageId("d", "r", "t", 0, 1),
        attemptLineageId("d", "r2", "t", -1, 1),
        dagRunLineageId("d", "r"),
      ]).size,
    ).toBe(5);
  });
});

describe("dataset naming (OpenLineage naming spec)", () => {
  it("names URIs by datasource and path, never with credentials", () => {
    expect(datasetFromUri("s3://raw/events/a.json")).toEqual({ namespace: "s3://raw", name: "events/a.json" });
    expect(datasetFromUri("gs://b/k")).toEqual({ namespace: "gs://b", name: "k" });
    expect(datasetFromUri("file:///data/out.csv")).toEqual({ namespace: "file", name: "/data/out.csv" });
    expect(datasetFromUri("postgres://u:secret@db/dw/public/sales")).toEqual({ namespace: "postgres://db:5432", name: "dw.public.sales" });
    expect(datasetFromUri("kafka://broker:9093/orders")).toEqual({ namespace: "kafka://broker:9093", name: "orders" });
    expect(datasetFromUri("warehouse://sales")).toEqual({ namespace: "warehouse://sales", name: "/" });
    expect(datasetFromUri("warehouse://main/sales")).toEqual({ namespace: "warehouse://main", name: "sales" });
  });

  it("names a connection's datasource and its tables", () => {
    const pg = parseConnectionUri("c", "postgresql://etl:pw@db.internal/dw");
    expect(connectionNamespace(pg)).toBe("postgres://db.internal:5432");
    expect(tableName(pg, "sales")).toBe("dw.public.sales");
    expect(tableName(pg, "mart.daily")).toBe("dw.mart.daily");
    const my = parseConnectionUri("c", "mysql://u@m:3307/shop");
    expect([connectionNamespace(my), tableName(my, "orders")]).toEqual(["mysql://m:3307", "shop.orders"]);
    expect(connectionNamespace(parseConnectionUri("c", "kafka://k1:9092?brokers=k1%3A9092%2Ck2%3A9092"))).toBe("kafka://k1:9092");
    expect(connectionNamespace(parseConnectionUri("c", "sqlite:///tmp/w.db"))).toBe("sqlite:///tmp/w.db");
  });
});

describe("sqlTables", () => {
  it("finds written and read tables, ignoring CTEs, literals, comments and function FROMs", () => {
    expect(sqlTables("insert into mart.daily select * from raw.events e join dim.users u using (id)")).toEqual({
      inputs: ["raw.events", "dim.users"],
      outputs: ["mart.daily"],
    });
    expect(sqlTables("with recent as (select * from orders where note = 'from nowhere') select extract(year from ts) from recent -- from hidden")).toEqual({
      inputs: ["orders"],
      outputs: [],
    });
    expect(sqlTables("create table if not exists sales (x int); delete from sales where x in (select x from bad)")).toEqual({
      inputs: ["bad"],
      outputs: ["sales"],
    });
    expect(sqlTables('update "Stock" set n = 0 from deliveries d where d.id = 1; merge into t using s on t.id = s.id')).toEqual({
      inputs: ["deliveries", "s"],
      outputs: ['"Stock"', "t"],
    });
  });
});

describe("taskFacts", () => {
  const base: TaskSpec = {
    taskId: "t",
    kind: "function",
    upstream: [],
    inputs: {},
    retries: 0,
    retryDelayMs: 0,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    triggerRule: "all_success",
    pool: "default_pool",
    poolSlots: 1,
    priorityWeight: 1,
    dependsOnPast: false,
    command: null,
    line: null,
    doc: null,
    inlets: [],
    outlets: [],
  };
  const vars = { ds: "2026-01-01", run_id: "r" };
  const lookup = async (c: string) => (c === "warehouse" ? parseConnectionUri("warehouse", "postgres://etl:pw@db:5433/dw") : null);

  it("joins declared datasets with an operator's SQL tables, objects and topics, templates rendered", async () => {
    const f = await taskFacts(
      {
        ...base,
        inlets: ["s3://raw/events"],
        outlets: ["warehouse://sales"],
        operator: {
          operator: "sqlQuery",
          inputs: [{ kind: "object", url: "s3://raw/{{ ds }}/a.csv" }],
          outputs: [
            { kind: "topic", conn: "kafka://k:9092", name: "done.{{ ds }}" },
            { kind: "topic", conn: "unknown_conn", name: "x" },
          ],
          sql: { conn: "warehouse", statements: ["insert into sales_{{ ds_nodash }} select * from staging"] },
        },
      },
      { ...vars, ds_nodash: "20260101" },
      lookup,
    );
    expect(f.inputs).toEqual([
      { namespace: "s3://raw", name: "events" },
      { namespace: "s3://raw", name: "2026-01-01/a.csv" },
      { namespace: "postgres://db:5433", name: "dw.public.staging" },
    ]);
    expect(f.outputs).toEqual([
      { namespace: "warehouse://sales", name: "/" },
      { namespace: "kafka://k:9092", name: "done.2026-01-01" },
      { namespace: "postgres://db:5433", name: "dw.public.sales_20260101" },
    ]);
    expect(f.sql).toEqual({ query: "insert into sales_20260101 select * from staging", dialect: "postgres" });
  });
});
