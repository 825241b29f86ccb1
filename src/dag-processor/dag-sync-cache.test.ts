import { statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../core/ports/store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { DagSync, type SyncResult } from "./dag-sync.js";
import { tempProject } from "./temp-project.js";

// Issue 13 ("Start fast"): every `baton dags list` loaded every DAG file again, 11.6 s for 1,000 files.
const dagFile = (id: string, tasks: string[], helper = false) =>
  `import { dag } from "baton";\n${helper ? `import { OWNER } from "./_lib/owner.js";\n` : ""}` +
  `export default dag({ id: "${id}"${helper ? ", tags: [OWNER]" : ""} }, (d) => {\n${tasks.map((t) => `  d.task("${t}", () => 1);`).join("\n")}\n});\n`;

/** Rewrites a file's mtime later, so that a change is seen even within the same millisecond. */
function touchLater(path: string, seconds = 5): void {
  utimesSync(path, new Date(), new Date(Date.now() + seconds * 1000));
}

async function activeDags(store: Store): Promise<string[]> {
  return (await store.listDags())
    .filter((d) => d.active)
    .map((d) => d.dagId)
    .sort();
}

describe("DagSync: a new process loads only the files changed since the last one loaded them", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup() {
    const p = tempProject();
    const stores: Store[] = [];
    const openStore = async (name = "baton.db") => {
      const s = await openSqliteStore(join(p.root, name));
      await s.migrate();
      stores.push(s);
      return s;
    };
    cleanups.push(async () => {
      for (const s of stores) await s.close();
    });
    /** A sync as a new `baton` process makes it, counting the files it really loads. */
    const syncOnce = async (store: Store): Promise<{ loads: number; result: SyncResult }> => {
      let loads = 0;
      const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000, metrics: { dagFileParsed: () => loads++ } });
      const result = await sync.syncOnce();
      await sync.stop();
      return { loads, result };
    };
    return { p, openStore, syncOnce };
  }

  it("the second sync of unchanged files spawns no load, and still reports every file and DAG", async () => {
    const { p, openStore, syncOnce } = await setup();
    const store = await openStore();
    const files = ["a", "b", "c"].map((id) => p.write(`${id}.ts`, dagFile(id, ["x"])));
    const first = await syncOnce(store);
    expect(first.loads).toBe(3);
    const versions = (await store.listDags()).map((d) => d.latestVersion);

    const second = await syncOnce(store);
    expect(second.loads).toBe(0);
    expect(second.result.changedFiles.sort()).toEqual(files.sort());
    expect(second.result.dagIds.sort()).toEqual(["a", "b", "c"]);
    expect(await activeDags(store)).toEqual(["a", "b", "c"]);
    expect((await store.listDags()).map((d) => d.latestVersion)).toEqual(versions);
  });

  it("loads again a changed file, and a file whose imported helper module changed (not the others)", async () => {
    const { p, openStore, syncOnce } = await setup();
    const store = await openStore();
    const helper = p.write("_lib/owner.ts", `export const OWNER = "team-a";\n`);
    p.write("uses-helper.ts", dagFile("uses_helper", ["x"], true));
    const edited = p.write("edited.ts", dagFile("edited", ["x"]));
    p.write("untouched.ts", dagFile("untouched", ["x"]));
    expect((await syncOnce(store)).loads).toBe(3);

    p.write("edited.ts", dagFile("edited", ["x", "y"]));
    touchLater(edited);
    p.write("_lib/owner.ts", `export const OWNER = "team-b";\n`);
    touchLater(helper);
    const next = await syncOnce(store);
    expect(next.loads).toBe(2);
    expect((await store.getDagVersion((await store.getDag("edited"))!.latestVersion))!.spec.tasks.map((t) => t.taskId)).toEqual(["x", "y"]);
    expect((await store.getDagVersion((await store.getDag("uses_helper"))!.latestVersion))!.spec.tags).toEqual(["team-b"]);
  });

  it("a running sync loads again a file whose helper module changed", async () => {
    const { p, openStore } = await setup();
    const store = await openStore();
    const helper = p.write("_lib/owner.ts", `export const OWNER = "team-a";\n`);
    p.write("uses-helper.ts", dagFile("uses_helper", ["x"], true));
    p.write("plain.ts", dagFile("plain", ["x"]));
    const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000, cacheFile: null });
    cleanups.push(() => sync.stop());
    await sync.syncOnce();
    p.write("_lib/owner.ts", `export const OWNER = "team-b";\n`);
    touchLater(helper);
    const r = await sync.syncOnce();
    expect(r.changedFiles).toEqual([join(p.dagsDir, "uses-helper.ts")]);
    expect((await store.getDagVersion((await store.getDag("uses_helper"))!.latestVersion))!.spec.tags).toEqual(["team-b"]);
  });

  it("loads everything again for a store that does not hold what the cache says (another database)", async () => {
    const { p, openStore, syncOnce } = await setup();
    p.write("a.ts", dagFile("a", ["x"]));
    p.write("b.ts", dagFile("b", ["x"]));
    expect((await syncOnce(await openStore())).loads).toBe(2);
    const other = await openStore("other.db");
    expect((await syncOnce(other)).loads).toBe(2);
    expect(await activeDags(other)).toEqual(["a", "b"]);
  });

  it("loads again an unchanged file whose DAG has another version in the store since (the cache is a hint, the store decides)", async () => {
    const { p, openStore, syncOnce } = await setup();
    const store = await openStore();
    const a = p.write("a.ts", dagFile("a", ["x"]));
    const { atime, mtime } = statSync(a);
    await syncOnce(store);
    // Another process (same store, no shared cache) loads a changed file and records its version.
    p.write("a.ts", dagFile("a", ["x", "y"]));
    touchLater(a);
    const elsewhere = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000, cacheFile: null });
    await elsewhere.syncOnce();
    // The file goes back to the content the cache recorded, stamp included.
    p.write("a.ts", dagFile("a", ["x"]));
    utimesSync(a, atime, mtime);
    const r = await syncOnce(store);
    expect(r.loads).toBe(1);
    expect((await store.getDagVersion((await store.getDag("a"))!.latestVersion))!.spec.tasks.map((t) => t.taskId)).toEqual(["x"]);
  });

  it("a file with an import error is loaded again by every process", async () => {
    const { p, openStore, syncOnce } = await setup();
    const store = await openStore();
    p.write("broken.ts", `import { dag } from "baton";\nconst x = ;\n`);
    p.write("fine.ts", dagFile("fine", ["x"]));
    expect((await syncOnce(store)).loads).toBe(2);
    const again = await syncOnce(store);
    expect(again.loads).toBe(1);
    expect(again.result.errors).toEqual([expect.objectContaining({ file: join(p.dagsDir, "broken.ts"), line: 2 })]);
  });
});
