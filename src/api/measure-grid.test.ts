import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { measureGridPageMs } from "./measure-grid.js";

describe("measureGridPageMs", () => {
  it("seeds runs × tasks and times grid pages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-grid-"));
    const store = await openSqliteStore(join(dir, "baton.db"));
    try {
      const r = await measureGridPageMs({ runs: 120, tasks: 20, samples: 4, dir, store });
      expect(r.medianMs).toBeGreaterThan(0);
      expect(r.medianMs).toBeLessThan(1_000);
      expect(r.seedMs).toBeGreaterThan(0);
      expect((await store.listRuns({ limit: 1000 })).length).toBe(120);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
