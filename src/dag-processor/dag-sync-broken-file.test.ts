import { rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../core/ports/store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { DagSync } from "./dag-sync.js";
import { tempProject } from "./temp-project.js";

const dagFile = (ids: string[], tasks = ["x"]) =>
  `import { dag } from "baton";\n${ids
    .map((id, i) => `export const d${i} = dag({ id: "${id}" }, (d) => {\n${tasks.map((t) => `  d.task("${t}", () => 1);`).join("\n")}\n});\n`)
    .join("")}`;
const THROWS = `import { dag } from "baton";\nthrow new Error("boom at import");\n`;
const SYNTAX = `import { dag } from "baton";\nconst x = ;\n`;

async function activeDags(store: Store): Promise<string[]> {
  return (await store.listDags())
    .filter((d) => d.active)
    .map((d) => d.dagId)
    .sort();
}

/** Rewrites a file with a later mtime, so that the change is seen even within the same millisecond. */
function touchLater(path: string, seconds: number): void {
  utimesSync(path, new Date(), new Date(Date.now() + seconds * 1000));
}

describe("DagSync: a DAG whose file stops loading stays listed with its history, marked with the error", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup() {
    const p = tempProject();
    const store = await openSqliteStore(join(p.root, "baton.db"));
    await store.migrate();
    const newSync = () => new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000 });
    const sync = newSync();
    cleanups.push(async () => {
      await sync.stop();
      await store.close();
    });
    return { p, store, sync, newSync };
  }

  it("file breaks: the DAG stays active at its last version with the error; fixed: error gone; deleted: inactive", async () => {
    const { p, store, sync } = await setup();
    const a = p.write("a.ts", dagFile(["alpha"]));
    await sync.syncOnce();
    const v1 = (await store.getDag("alpha"))!.latestVersion;

    p.write("a.ts", THROWS);
    touchLater(a, 5);
    const broken = await sync.syncOnce();
    expect(broken.errors).toEqual([expect.objectContaining({ file: a, message: expect.stringContaining("boom at import") })]);
    expect(await store.getDag("alpha")).toMatchObject({ active: true, latestVersion: v1, fileloc: a });
    expect((await store.listImportErrors()).map((e) => e.file)).toEqual([a]);

    p.write("a.ts", dagFile(["alpha"], ["x", "y"]));
    touchLater(a, 10);
    await sync.syncOnce();
    expect(await store.listImportErrors()).toEqual([]);
    const fixed = (await store.getDag("alpha"))!;
    expect(fixed.active).toBe(true);
    expect(fixed.latestVersion).not.toBe(v1);

    rmSync(a);
    await sync.syncOnce();
    expect(await activeDags(store)).toEqual([]);
    expect(await store.getDag("alpha")).toMatchObject({ active: false });
  });

  it("a syntax error keeps every DAG of the file; loading fine without one of them deactivates that one only", async () => {
    const { p, store, sync } = await setup();
    const f = p.write("two.ts", dagFile(["one", "two"]));
    await sync.syncOnce();
    expect(await activeDags(store)).toEqual(["one", "two"]);

    p.write("two.ts", SYNTAX);
    touchLater(f, 5);
    const r = await sync.syncOnce();
    expect(r.errors).toEqual([expect.objectContaining({ file: f, line: 2 })]);
    expect(await activeDags(store)).toEqual(["one", "two"]);

    p.write("two.ts", dagFile(["one"]));
    touchLater(f, 10);
    await sync.syncOnce();
    expect(await activeDags(store)).toEqual(["one"]);
    expect(await store.listImportErrors()).toEqual([]);
  });

  it("after a restart (and in each CLI command's fresh sync) a broken file's DAGs stay active", async () => {
    const { p, store, sync, newSync } = await setup();
    const a = p.write("a.ts", dagFile(["alpha"]));
    await sync.syncOnce();
    p.write("a.ts", THROWS);
    touchLater(a, 5);
    const restarted = newSync();
    const r = await restarted.syncOnce();
    expect(r.errors).toHaveLength(1);
    expect(await activeDags(store)).toEqual(["alpha"]);
    expect((await store.listImportErrors()).map((e) => e.file)).toEqual([a]);
  });

  it("a DAG deleted from the store reappears on the next pass while its file defines it; not while the file is broken", async () => {
    const { p, store, sync } = await setup();
    const a = p.write("a.ts", dagFile(["alpha"]));
    p.write("b.ts", dagFile(["beta"]));
    await sync.syncOnce();

    expect((await store.retention.deleteDag("alpha")).outcome).toBe("deleted");
    expect(await activeDags(store)).toEqual(["beta"]);
    const again = await sync.syncOnce();
    expect(again.changedFiles).toEqual([a]);
    expect(again.dagIds).toEqual(["alpha"]);
    expect(await activeDags(store)).toEqual(["alpha", "beta"]);

    p.write("a.ts", THROWS);
    touchLater(a, 5);
    await sync.syncOnce();
    expect((await store.retention.deleteDag("alpha")).outcome).toBe("deleted");
    expect(await sync.syncOnce()).toEqual({ changedFiles: [], dagIds: [], errors: [] });
    expect(await activeDags(store)).toEqual(["beta"]);
    expect((await store.listImportErrors()).map((e) => e.file)).toEqual([a]);
  });
});
