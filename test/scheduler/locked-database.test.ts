import { afterEach, describe, expect, it } from "vitest";
import { holdSqliteLock } from "../support/hold-sqlite-lock.js";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("regression (issue 8, item 6): the scheduler while another process holds the database's lock", () => {
  it("keeps the event loop running, and a run started before the lock finishes after it, each task recorded once", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        const a = d.task("a", async () => { await new Promise((r) => setTimeout(r, 1_000)); return 20; });
        d.task("b", { inputs: { a } }, async (_ctx, { a }) => a + 1);
      });\n`,
    });
    await h.load();
    await h.start({ scheduler: { heartbeatMs: 200 } });
    const created = await h.trigger("d");
    for (let i = 0; i < 200 && (await h.store.listTaskInstances(created.id)).find((t) => t.taskId === "a")?.state !== "running"; i++) await sleep(25);

    // Held past a's end: a's success and b's dispatch happen while writes wait; b's code waits for them.
    const lock = await holdSqliteLock(h.dbPath, 3_000);
    let last = Date.now();
    let stallMs = 0;
    const ticker = setInterval(() => {
      stallMs = Math.max(stallMs, Date.now() - last);
      last = Date.now();
    }, 10);
    await lock.released;
    const releasedAt = Date.now();
    clearInterval(ticker);
    expect(stallMs).toBeLessThan(300);

    let stored = await h.store.getRunById(created.id);
    for (let i = 0; i < 400 && stored?.state !== "success"; i++) {
      await sleep(25);
      stored = await h.store.getRunById(created.id);
    }
    expect(stored?.state).toBe("success");
    const tis = await h.store.listTaskInstances(created.id);
    expect(Object.fromEntries(tis.map((t) => [t.taskId, [t.state, t.tryNumber, t.output]]))).toEqual({ a: ["success", 1, "20"], b: ["success", 1, "21"] });
    for (const task of ["a", "b"]) expect((await h.store.listAttempts(created.id, task)).map((a) => a.state)).toEqual(["success"]);
    // b's user code started only once its attempt was durable, i.e. after the lock (issue 9:
    // every execution has a record).
    expect((await h.store.listAttempts(created.id, "b"))[0]?.startedAt).toBeGreaterThanOrEqual(releasedAt - 50);
  });
});
