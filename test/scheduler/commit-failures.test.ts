import { afterEach, describe, expect, it } from "vitest";
import type { ChangeSet, Store } from "../../src/core/ports/store.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * Regression: while commits failed (a full disk), a run that had ended in memory was still
 * "queued" in the store, so every tick picked it up again and ran its task once more (one run's
 * single attempt ran 2,267 times), and failed commits were retried at the pace changes arrived
 * (~450/s) instead of backing off.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** The real SQLite store, whose commits fail while `failing` is set (as on a full disk). */
function failingCommits(store: Store): { store: Store; failing: { on: boolean }; failures: () => number } {
  const failing = { on: true };
  let failures = 0;
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "commit") {
        return async (changes: ChangeSet) => {
          if (failing.on) {
            failures++;
            throw new Error("database or disk is full");
          }
          return target.commit(changes);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: wrapped, failing, failures: () => failures };
}

describe("scheduler while commits fail", () => {
  it("runs a task once and backs off, then records everything when commits work again", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => { d.task("once", async () => 1); });\n`,
    });
    await h.load();
    const real = h.store;
    const run = await h.trigger("d");
    const faulty = failingCommits(real);
    h.store = faulty.store;
    const attemptsSeen: string[] = [];
    await h.start({ scheduler: { pollMs: 20 } });
    h.scheduler.subscribe((e) => {
      if ("taskId" in e && e.state === "running") attemptsSeen.push(String(e.taskId));
    });
    await new Promise((r) => setTimeout(r, 2_000));
    faulty.failing.on = false;
    // 2 s of failing commits: a handful of retries (200 ms doubling), not hundreds.
    expect(faulty.failures()).toBeLessThan(12);
    const done = await h.scheduler.waitForRun(run.id);
    expect(done.state).toBe("success");
    const attempts = await real.listAttempts(run.id, "once");
    expect(attempts.map((a) => [a.tryNumber, a.state])).toEqual([[1, "success"]]);
    h.store = real;
  });
});
