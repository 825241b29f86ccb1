import { utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../core/ports/store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { DagSync } from "./dag-sync.js";
import { tempProject } from "./temp-project.js";

const TIMEOUT_MS = 12_000;
const HANGS = `import { dag } from "baton";\nwhile (true) {}\n`;
const dagFile = (id: string, tasks: string[]) =>
  `import { dag } from "baton";\nexport default dag({ id: "${id}" }, (d) => {\n${tasks.map((t) => `  d.task("${t}", () => 1);`).join("\n")}\n});\n`;

async function waitFor(what: string, check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > withinMs) throw new Error(`${what}: not seen within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

async function activeDags(store: Store): Promise<string[]> {
  return (await store.listDags())
    .filter((d) => d.active)
    .map((d) => d.dagId)
    .sort();
}

describe("regression: a DAG file that never finishes importing holds up no other file", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup() {
    const p = tempProject();
    const store = await openSqliteStore(join(p.root, "baton.db"));
    await store.migrate();
    const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: TIMEOUT_MS, intervalMs: 100 });
    cleanups.push(async () => {
      await sync.stop();
      await store.close();
    });
    return { p, store, sync };
  }

  it("loads the good files of a folder without waiting for the hanging one's time limit", async () => {
    const { p, store, sync } = await setup();
    const hangs = p.write("a-hangs.ts", HANGS);
    for (const id of ["b", "c", "d"]) p.write(`${id}.ts`, dagFile(id, ["x"]));
    const pass = sync.syncOnce();
    const ms = await waitFor("the good DAGs", async () => (await activeDags(store)).length === 3, TIMEOUT_MS + 10_000);
    expect(ms).toBeLessThan(TIMEOUT_MS / 2);
    const result = await pass;
    expect(result.errors).toEqual([expect.objectContaining({ file: hangs, message: expect.stringContaining(`timed out after ${TIMEOUT_MS / 1000} s`) })]);
    expect(result.dagIds.sort()).toEqual(["b", "c", "d"]);
  }, 60_000);

  it("picks up a change to a good file while a hanging file is loading", async () => {
    const { p, store, sync } = await setup();
    const good = p.write("good.ts", dagFile("good", ["x"]));
    await sync.syncOnce();
    sync.start();
    p.write("hangs.ts", HANGS);
    await new Promise((r) => setTimeout(r, 1_500)); // the hanging file is being loaded now
    p.write("good.ts", dagFile("good", ["x", "y"]));
    utimesSync(good, new Date(), new Date(Date.now() + 5_000));
    const tasksOfGood = async () => {
      const d = await store.getDag("good");
      return d ? (await store.getDagVersion(d.latestVersion))!.spec.tasks.map((t) => t.taskId) : [];
    };
    const ms = await waitFor("the changed DAG", async () => (await tasksOfGood()).length === 2, TIMEOUT_MS + 10_000);
    expect(ms).toBeLessThan(TIMEOUT_MS / 2);
  }, 60_000);
});
