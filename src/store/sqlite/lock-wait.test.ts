import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { holdSqliteLock } from "../../../test/support/hold-sqlite-lock.js";
import { StoreUnavailableError } from "../../core/errors.js";
import { newRun, taskInstance } from "../contract/fixtures.js";
import { openSqliteStore } from "./open-sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "baton-lock-wait-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The longest gap between ticks of a 10 ms interval while `body` runs. */
async function longestStall<T>(body: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = Date.now();
  let stallMs = 0;
  const beat = () => {
    const now = Date.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  };
  const timer = setInterval(beat, 10);
  try {
    const value = await body();
    beat();
    return { value, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe("regression (issue 8, item 6): a SQLite file locked by another process does not freeze the event loop", () => {
  it("waits for the lock asynchronously, reports the store unavailable meanwhile, and commits once after the release", async () => {
    const path = join(dir, "wait.db");
    const store = await openSqliteStore(path);
    try {
      const run = (await store.createRun(newRun("d", "r1"), [taskInstance("a")]))!;
      const lock = await holdSqliteLock(path, 2_000);
      const { value: states, stallMs } = await longestStall(async () => {
        const commit = store.commit({ taskInstances: [{ ...(await store.listTaskInstances(run.id))[0]!, state: "success" }] });
        await new Promise((r) => setTimeout(r, 1_000));
        const during = store.availability.current();
        await commit;
        return { during, after: store.availability.current() };
      });
      await lock.released;
      expect(stallMs).toBeLessThan(300);
      expect(states.during).toMatchObject({ status: "unavailable", error: expect.stringMatching(/locked/) });
      expect(states.during.status === "unavailable" && states.during.since).toBeGreaterThan(Date.now() - 10_000);
      expect(states.after).toEqual({ status: "ok" });
      expect((await store.listTaskInstances(run.id)).map((t) => t.state)).toEqual(["success"]);
    } finally {
      await store.close();
    }
  });

  it("gives up after lockWaitMs with StoreUnavailableError, keeps the store unavailable, and recovers on the next statement", async () => {
    const path = join(dir, "give-up.db");
    const store = await openSqliteStore(path, { lockWaitMs: 400 });
    try {
      const lock = await holdSqliteLock(path, 1_200);
      const started = Date.now();
      await expect(store.heartbeat("scheduler", "s1", 1)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_100);
      expect(store.availability.current().status).toBe("unavailable");
      await lock.released;
      await store.heartbeat("scheduler", "s1", 2);
      expect(store.availability.current()).toEqual({ status: "ok" });
      expect(await store.listHeartbeats("scheduler")).toEqual([{ id: "s1", at: 2 }]);
    } finally {
      await store.close();
    }
  });

  it("opens a file another process holds in exclusive locking mode once it is released, without blocking the loop", async () => {
    const path = join(dir, "open.db");
    await (await openSqliteStore(path)).close();
    const lock = await holdSqliteLock(path, 1_500, "exclusive");
    const { value: store, stallMs } = await longestStall(() => openSqliteStore(path));
    try {
      await lock.released;
      expect(stallMs).toBeLessThan(300);
      expect(await store.listHeartbeats("scheduler")).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
