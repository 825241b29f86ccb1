import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dagSpec, taskSpec } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
  const load = {
    ...taskSpec("load"),
    inlets: ["s3://raw/events"],
    operator: {
      operator: "sqlQuery",
      inputs: [],
      outputs: [],
      sql: { conn: "postgres://etl:secret@db:5432/dw", statements: ["insert into sales select * from staging"] },
    },
  };
  await h.store.saveDagVersion({
    versionHash: "p1",
    dagId: "producer",
    spec: { ...dagSpec("producer"), tasks: [load, taskSpec("noop")] },
    source: "",
    bundlePath: "/b/p.mjs",
    createdAt: NOW,
  });
  await h.store.saveDagVersion({
    versionHash: "c1",
    dagId: "consumer",
    spec: { ...dagSpec("consumer"), schedule: { kind: "datasets", uris: ["postgres://db:5432/sales"] } },
    source: "",
    bundlePath: "/b/c.mjs",
    createdAt: NOW,
  });
  await h.store.saveDagVersion({
    versionHash: "o1",
    dagId: "other",
    spec: { ...dagSpec("other"), tasks: [{ ...taskSpec("t"), outlets: ["file:///tmp/x"] }] },
    source: "",
    bundlePath: "/b/o.mjs",
    createdAt: NOW,
  });
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/v1/lineage", () => {
  it("returns datasets and the tasks and DAGs that write, read or wait for them, never a connection's password", async () => {
    const res = await h.app.inject("/api/v1/lineage");
    expect(res.statusCode).toBe(200);
    const body = res.json() as { nodes: { id: string }[]; edges: { source: string; target: string; kind: string }[] };
    expect(body.nodes).toContainEqual({ id: "task:producer.load", kind: "task", dagId: "producer", taskId: "load", operator: "sqlQuery" });
    expect(body.nodes).toContainEqual({
      id: "dataset:postgres://db:5432/sales",
      kind: "dataset",
      uri: "postgres://db:5432/sales",
      namespace: "postgres://db:5432",
      name: "sales",
    });
    expect(body.nodes).toContainEqual({ id: "dag:consumer", kind: "dag", dagId: "consumer" });
    expect(body.edges).toEqual(
      expect.arrayContaining([
        { source: "dataset:s3://raw/events", target: "task:producer.load", kind: "reads" },
        { source: "dataset:postgres://db:5432/staging", target: "task:producer.load", kind: "reads" },
        { source: "task:producer.load", target: "dataset:postgres://db:5432/sales", kind: "writes" },
        { source: "dataset:postgres://db:5432/sales", target: "dag:consumer", kind: "triggers" },
      ]),
    );
    expect(body.nodes.some((n) => n.id === "task:producer.noop")).toBe(false);
    expect(res.body).not.toContain("secret");
  });

  it("?dagId= keeps that DAG's neighbourhood; an unknown DAG is a 404", async () => {
    const res = await h.app.inject("/api/v1/lineage?dagId=consumer");
    expect(res.statusCode).toBe(200);
    expect((res.json() as { nodes: { id: string }[] }).nodes.map((n) => n.id).sort()).toEqual([
      "dag:consumer",
      "dataset:postgres://db:5432/sales",
      "task:producer.load",
    ]);
    const missing = await h.app.inject("/api/v1/lineage?dagId=nope");
    expect(missing.statusCode).toBe(404);
  });
});
