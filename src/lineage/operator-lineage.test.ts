import { describe, expect, it } from "vitest";
import { dag } from "../sdk/index.js";
import { consume, copyObjects, publish, sqlQuery } from "../operators/index.js";
import { lineageGraph } from "./lineage-graph.js";

// Built-in operators record what they read and write in their task's spec; the lineage graph reads it.
const producer = dag({ id: "etl", schedule: "@daily", startDate: "2026-01-01" }, (d) => {
  d.task("extract", { inlets: ["s3://raw/events"], outlets: ["warehouse://staging"] }, async () => 1);
  sqlQuery(d, "load", { conn: "postgres://etl:pw@db:5432/dw", sql: ["insert into sales select * from staging where day = '{{ ds }}'"] });
  copyObjects(d, "backup", { source: { url: "s3://raw/{{ ds }}/", conn: "raw" }, dest: "gs://backup/{{ ds }}/" });
  publish(d, "announce", { conn: "kafka", destination: "sales.loaded", message: { ok: true } });
});
const consumer = dag({ id: "report", schedule: { datasets: ["warehouse://staging"] } }, (d) => {
  consume(d, "read", { conn: "kafka", source: "sales.loaded" });
  d.task("plain", async () => 2);
});

/** The spec the DAG processor stores (it adds the file). */
const stored = (def: typeof producer) => ({ ...def.toSpec(), fileloc: `/dags/${def.toSpec().dagId}.ts` });

describe("operator lineage in the spec", () => {
  it("records the SQL, object locations and topics each built-in operator touches; other tasks have none", () => {
    const tasks = Object.fromEntries(producer.toSpec().tasks.map((t) => [t.taskId, t]));
    expect(tasks.extract!.operator).toBeUndefined();
    expect(tasks.load!.operator).toEqual({
      operator: "sqlQuery",
      inputs: [],
      outputs: [],
      sql: { conn: "postgres://etl:pw@db:5432/dw", statements: ["insert into sales select * from staging where day = '{{ ds }}'"] },
    });
    expect(tasks.backup!.operator).toEqual({
      operator: "copyObjects",
      inputs: [{ kind: "object", url: "s3://raw/{{ ds }}/", conn: "raw" }],
      outputs: [{ kind: "object", url: "gs://backup/{{ ds }}/" }],
    });
    expect(tasks.announce!.operator).toEqual({ operator: "publish", inputs: [], outputs: [{ kind: "topic", conn: "kafka", name: "sales.loaded" }] });
    expect(consumer.toSpec().tasks[0]!.operator).toEqual({
      operator: "consume",
      inputs: [{ kind: "topic", conn: "kafka", name: "sales.loaded" }],
      outputs: [],
    });
  });

  it("the lineage graph links producers, readers and dataset-scheduled DAGs, without credentials; filtered by DAG", () => {
    const g = lineageGraph([stored(producer), stored(consumer)]);
    const edges = g.edges.map((e) => `${e.source} -${e.kind}-> ${e.target}`).sort();
    expect(edges).toEqual(
      [
        "dataset:conn://kafka/sales.loaded -reads-> task:report.read",
        "dataset:postgres://db:5432/staging -reads-> task:etl.load",
        "dataset:s3://raw/events -reads-> task:etl.extract",
        "dataset:s3://raw/{{ ds }}/ -reads-> task:etl.backup",
        "dataset:warehouse://staging -triggers-> dag:report",
        "task:etl.announce -writes-> dataset:conn://kafka/sales.loaded",
        "task:etl.backup -writes-> dataset:gs://backup/{{ ds }}/",
        "task:etl.extract -writes-> dataset:warehouse://staging",
        "task:etl.load -writes-> dataset:postgres://db:5432/sales",
      ].sort(),
    );
    expect(JSON.stringify(g)).not.toContain("pw");
    expect(g.nodes.find((n) => n.id === "task:etl.load")).toMatchObject({ kind: "task", operator: "sqlQuery" });
    expect(g.nodes.some((n) => n.id === "task:report.plain")).toBe(false);
    const report = lineageGraph([stored(producer), stored(consumer)], "report");
    expect(report.nodes.map((n) => n.id).sort()).toEqual(
      ["dag:report", "dataset:conn://kafka/sales.loaded", "dataset:warehouse://staging", "task:etl.announce", "task:etl.extract", "task:report.read"].sort(),
    );
  });
});
