import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DagRecord } from "../core/model/records.js";
import type { FullStore } from "../store/full-store.js";
import { dagVersion } from "../store/contract/fixtures.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { DagVersions } from "./dag-versions.js";

describe("DagVersions: a bounded cache of parsed DAG versions", () => {
  let store: FullStore;
  beforeEach(async () => {
    store = await openSqliteStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });

  async function save(dagId: string, hash: string, maxActiveTasks = 16): Promise<void> {
    const v = dagVersion(dagId, hash);
    await store.saveDagVersion({ ...v, spec: { ...v.spec, maxActiveTasks } });
  }

  it("holds at most its bound of versions, however many are read, and reloads an evicted one", async () => {
    const versions = new DagVersions(store, 50);
    for (let i = 0; i < 400; i++) await save("churn", `h${i}`);
    for (let i = 0; i < 400; i++) expect((await versions.get(`h${i}`))?.version.versionHash).toBe(`h${i}`);
    expect(versions.cachedCount).toBe(50);
    expect((await versions.get("h0"))?.graph).toBeDefined(); // evicted long ago: read again from the store
    expect(await versions.get("nope")).toBeUndefined();
  });

  it("keeps every DAG's latest maxActiveTasks reachable after its version is evicted", async () => {
    const versions = new DagVersions(store, 2);
    await save("a", "a1", 3);
    await save("b", "b1", 7);
    const dags = new Map<string, DagRecord>((await store.listDags()).map((d) => [d.dagId, d]));
    await versions.refreshLatest(dags);
    for (let i = 0; i < 10; i++) await save("other", `o${i}`);
    for (let i = 0; i < 10; i++) await versions.get(`o${i}`); // pushes a1 and b1 out
    expect(versions.cachedCount).toBe(2);
    expect(versions.maxActiveTasks("a")).toBe(3);
    expect(versions.maxActiveTasks("b")).toBe(7);
    expect(versions.maxActiveTasks("unknown")).toBe(16);
    // A new latest version is picked up on the next refresh; a DAG gone from the catalog is forgotten.
    await save("a", "a2", 9);
    const next = new Map<string, DagRecord>((await store.listDags()).filter((d) => d.dagId === "a").map((d) => [d.dagId, d]));
    await versions.refreshLatest(next);
    expect(versions.maxActiveTasks("a")).toBe(9);
    expect(versions.maxActiveTasks("b")).toBe(16);
  });
});
