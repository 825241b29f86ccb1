import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { formatFigures, measureCommit } from "../contract/measure-commit.js";
import { openSqliteStore } from "./open-sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "baton-commit-timing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Prints the figures quoted in docs/storage.md; deliberately no timing assertion.
it("reports commit cost on a SQLite file with WAL and synchronous=FULL", async () => {
  const store = await openSqliteStore(join(dir, "timing.db"));
  try {
    const figures = await measureCommit(store);
    console.log(formatFigures(`SQLite (${dir})`, figures));
    expect(figures.insert2000).toBeGreaterThan(0);
    expect(await store.listTaskInstancesInStates(["running"])).toHaveLength(7);
  } finally {
    await store.close();
  }
});
