import { rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../core/ports/store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { DagSync, type SyncResult } from "./dag-sync.js";
import { tempProject } from "./temp-project.js";

const dagFile = (id: string, tasks: string[]) =>
  `import { dag } from "baton";\nexport default dag({ id: "${id}" }, (d) => {\n${tasks.map((t) => `  d.task("${t}", () => 1);`).join("\n")}\n});\n`;

async function activeDags(store: Store): Promise<string[]> {
  return (await store.listDags())
    .filter((d) => d.active)
    .map((d) => d.dagId)
    .sort();
}

describe("DagSync", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup() {
    const p = tempProject();
    const store = await openSqliteStore(join(p.root, "baton.db"));
    await store.migrate();
    const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000, intervalMs: 100 });
    cleanups.push(async () => {
      await sync.stop();
      await store.close();
    });
    return { p, store, sync };
  }

  it("regression: a sync of another folder does not deactivate DAGs loaded from this one", async () => {
    const { p, store, sync } = await setup();
    p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    const other = tempProject();
    const elsewhere = new DagSync(store, { dagsDir: other.dagsDir, bundleDir: other.bundleDir, timeoutMs: 10_000 });
    await elsewhere.syncOnce();
    expect(await activeDags(store)).toEqual(["alpha"]);
  });

  it("picks up added, changed and deleted files and records import errors", async () => {
    const { p, store, sync } = await setup();
    const a = p.write("a.ts", dagFile("alpha", ["x"]));
    const broken = p.write("broken.ts", `import { dag } from "baton";\nconst x = ;\n`);

    const first = await sync.syncOnce();
    expect(first.changedFiles.sort()).toEqual([a, broken].sort());
    expect(first.dagIds).toEqual(["alpha"]);
    expect(first.errors).toEqual([expect.objectContaining({ file: broken, line: 2 })]);
    expect(await activeDags(store)).toEqual(["alpha"]);
    expect((await store.listImportErrors()).map((e) => e.file)).toEqual([broken]);
    const v1 = (await store.getDag("alpha"))!.latestVersion;

    expect(await sync.syncOnce()).toEqual({ changedFiles: [], dagIds: [], errors: [] });

    // Changed: a second task; fixed: the broken file now defines a DAG; added: a new file.
    p.write("a.ts", dagFile("alpha", ["x", "y"]));
    utimesSync(a, new Date(), new Date(Date.now() + 5_000));
    p.write("broken.ts", dagFile("beta", ["z"]));
    const c = p.write("sub/c.ts", dagFile("gamma", ["w"]));
    const second = await sync.syncOnce();
    expect(second.changedFiles.sort()).toEqual([a, broken, c].sort());
    expect(second.errors).toEqual([]);
    expect(await activeDags(store)).toEqual(["alpha", "beta", "gamma"]);
    expect(await store.listImportErrors()).toEqual([]);
    const v2 = (await store.getDag("alpha"))!.latestVersion;
    expect(v2).not.toBe(v1);
    expect((await store.getDagVersion(v2))!.spec.tasks.map((t) => t.taskId)).toEqual(["x", "y"]);

    // Deleted.
    rmSync(c);
    const third = await sync.syncOnce();
    expect(third.changedFiles).toEqual([c]);
    expect(await activeDags(store)).toEqual(["alpha", "beta"]);
  });

  it("hands a DAG id to the other file when its owner stops defining it", async () => {
    const { p, store, sync } = await setup();
    const a = p.write("a.ts", dagFile("shared", ["x"]));
    await sync.syncOnce();
    const b = p.write("b.ts", dagFile("shared", ["y"]));
    const r = await sync.syncOnce();
    expect(r.errors).toEqual([expect.objectContaining({ file: b, message: expect.stringContaining(`already defined in ${a}`) })]);
    expect((await store.listImportErrors()).map((e) => e.file).sort()).toEqual([a, b].sort());
    expect((await store.getDag("shared"))!.fileloc).toBe(a);

    rmSync(a);
    await sync.syncOnce();
    expect(await store.getDag("shared")).toMatchObject({ fileloc: b, active: true });
    expect(await store.listImportErrors()).toEqual([]);
  });

  it("after a restart, deactivates DAGs whose files were deleted while it was down", async () => {
    const { p, store, sync } = await setup();
    const a = p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    rmSync(a);
    const restarted = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir });
    const r = await restarted.syncOnce();
    expect(r.changedFiles).toEqual([a]);
    expect(await activeDags(store)).toEqual([]);
  });

  it("start() picks up a new DAG file without a restart", async () => {
    const { p, store, sync } = await setup();
    const seen: SyncResult[] = [];
    sync.start((r) => seen.push(r));
    p.write("late.ts", dagFile("late", ["x"]));
    const deadline = Date.now() + 20_000;
    // The DAG is written before the pass resolves and onChange hears of it: wait for both.
    const done = async () => (await activeDags(store)).includes("late") && seen.some((r) => r.dagIds.includes("late"));
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await activeDags(store)).toEqual(["late"]);
    expect(seen.flatMap((r) => r.dagIds)).toContain("late");
  });
});
