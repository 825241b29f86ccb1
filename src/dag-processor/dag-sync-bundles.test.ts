import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { purgeUnusedBundles } from "../cli/bundle-purge.js";
import { DagSync } from "./dag-sync.js";
import { tempProject } from "./temp-project.js";

const dagFile = (id: string, tasks: string[]) =>
  `import { dag } from "baton";\nexport default dag({ id: "${id}" }, (d) => {\n${tasks.map((t) => `  d.task("${t}", () => 1);`).join("\n")}\n});\n`;

describe("DagSync with a bundle store (remote workers)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup(): Promise<{ p: ReturnType<typeof tempProject>; store: FullStore; sync: DagSync }> {
    const p = tempProject();
    const store = await openSqliteStore(join(p.root, "baton.db"));
    const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000, bundles: store.workers });
    cleanups.push(async () => {
      await sync.stop();
      await store.close();
    });
    return { p, store, sync };
  }

  it("stores each new version's bundle by the sha256 its file is named after, with the exact code", async () => {
    const { p, store, sync } = await setup();
    p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    const v1 = (await store.getDagVersion((await store.getDag("alpha"))!.latestVersion))!;
    const code1 = readFileSync(v1.bundlePath, "utf8");
    const hash1 = basename(v1.bundlePath, ".mjs");
    expect(createHash("sha256").update(code1).digest("hex")).toBe(hash1);
    expect(await store.workers.getBundle(hash1)).toBe(code1);

    p.write("a.ts", dagFile("alpha", ["x", "y"]));
    await sync.syncOnce();
    const v2 = (await store.getDagVersion((await store.getDag("alpha"))!.latestVersion))!;
    const hash2 = basename(v2.bundlePath, ".mjs");
    expect(hash2).not.toBe(hash1);
    expect(await store.workers.getBundle(hash2)).toBe(readFileSync(v2.bundlePath, "utf8"));
    expect(await store.workers.getBundle(hash1)).toBe(code1); // older runs still use it
  });

  it("without a bundle store nothing is stored", async () => {
    const p = tempProject();
    const store = await openSqliteStore(join(p.root, "baton.db"));
    const sync = new DagSync(store, { dagsDir: p.dagsDir, bundleDir: p.bundleDir, timeoutMs: 10_000 });
    cleanups.push(async () => {
      await sync.stop();
      await store.close();
    });
    p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    const v = (await store.getDagVersion((await store.getDag("alpha"))!.latestVersion))!;
    expect(await store.workers.getBundle(basename(v.bundlePath, ".mjs"))).toBeUndefined();
  });

  it("regression: a file reverted to a version whose bundle retention deleted gets its bundle saved again (row and file)", async () => {
    const { p, store, sync } = await setup();
    p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    const v1 = (await store.getDagVersion((await store.getDag("alpha"))!.latestVersion))!;
    const code1 = readFileSync(v1.bundlePath, "utf8");
    const hash1 = basename(v1.bundlePath, ".mjs");
    p.write("a.ts", dagFile("alpha", ["x", "y"]));
    await sync.syncOnce();

    // No run uses v1 and alpha is at v2: retention (an hour later) deletes v1's bundle, keeps v2's.
    const purged = await purgeUnusedBundles(store.retention, p.bundleDir, Date.now() + 2 * 3_600_000);
    expect(purged).toEqual({ bundles: 1, bundleFiles: 1 });
    expect(await store.workers.getBundle(hash1)).toBeUndefined();
    expect(existsSync(v1.bundlePath)).toBe(false);

    // The same sync (which saved it once already) saves it again when the file goes back to v1.
    p.write("a.ts", dagFile("alpha", ["x"]));
    await sync.syncOnce();
    expect((await store.getDag("alpha"))!.latestVersion).toBe(v1.versionHash);
    expect(await store.workers.getBundle(hash1)).toBe(code1);
    expect(readFileSync(v1.bundlePath, "utf8")).toBe(code1);
    // Now current, it is kept by the next clean.
    expect(await purgeUnusedBundles(store.retention, p.bundleDir, Date.now() + 2 * 3_600_000)).toEqual({ bundles: 1, bundleFiles: 1 }); // v2's
    expect(await store.workers.getBundle(hash1)).toBe(code1);
  });
});
