import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fill, mountSmallFileSystem, type SmallFileSystem } from "../../../test/support/small-file-system.js";
import type { DagVersionRecord } from "../../core/model/records.js";
import { openSqliteStore } from "./open-sqlite-store.js";

// Regression (issue 8, item 7): on a full disk SQLite rolls a failing transaction back by
// itself, so Kysely's ROLLBACK failed too and its "cannot rollback - no transaction is active"
// replaced the real error, hundreds of times in the log.

let fs: SmallFileSystem | undefined;
let cannot: string | null = null;
beforeAll(() => {
  const mounted = mountSmallFileSystem(1024);
  if ("cannot" in mounted) cannot = mounted.cannot;
  else fs = mounted;
});
afterAll(() => fs?.unmount());

const version = (i: number): DagVersionRecord =>
  ({
    versionHash: `v${i}`,
    dagId: `d${i}`,
    spec: { dagId: `d${i}`, fileloc: "d.ts", schedule: null, tags: [], tasks: [], paused: false, description: null },
    source: "x".repeat(200_000),
    bundlePath: "/b.mjs",
    createdAt: 1,
  }) as unknown as DagVersionRecord;

describe("SQLite store on a full file system", () => {
  it("a transaction that fails reports SQLite's own error (disk full), not a failed rollback", async (ctx) => {
    if (cannot !== null) {
      console.warn(`skipping: ${cannot}`);
      return ctx.skip();
    }
    const store = await openSqliteStore(join(fs!.dir, "baton.db"));
    try {
      fill(fs!.dir);
      for (let i = 0; i < 3; i++) {
        const error = await store.saveDagVersion(version(i)).then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(error?.message).toMatch(/database or disk is full/);
        expect(error?.message).not.toMatch(/cannot rollback/);
      }
    } finally {
      await store.close().catch(() => {});
    }
  });
});
