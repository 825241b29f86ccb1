import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeSet, Store } from "../../src/core/ports/store.js";
import type { CommitFence } from "../../src/core/ports/scheduler-leases.js";
import { Harness, HEADER } from "../support/harness.js";

// A chain's critical path holds one commit per hop (docs/storage.md, "A chain hop"): the commit
// that makes task k's success and task k+1's `queued` record durable. Task k+1's `started` report
// is written with its finish, never alone; no other commit sits between a finish and the next
// task's start. Real worker processes and a real SQLite file.

const TASKS = 20;
const chainDag = `${HEADER}export default dag({ id: "hops" }, () => {
  let prev = task("t0", async () => {});
  for (let i = 1; i < ${TASKS}; i++) prev = prev.then(task("t" + i, async () => {}));
});
`;

/** What one commit wrote: task-instance states and attempt states, by task. */
type Written = { tis: string[]; attempts: string[]; runs: number };

let h: Harness;
const commits: Written[] = [];
beforeAll(async () => {
  h = new Harness({ "hops.ts": chainDag });
  await h.load();
  const store = h.store;
  const commit = (changes: ChangeSet, fence?: CommitFence) => {
    commits.push({
      tis: (changes.taskInstances ?? []).map((t) => `${t.taskId}:${t.state}`),
      attempts: (changes.attempts ?? []).map((a) => `${a.taskId}:${a.state}`),
      runs: changes.runs?.length ?? 0,
    });
    return store.commit(changes, fence);
  };
  // The real store; only its commits are counted on the way.
  h.store = new Proxy(store, {
    get: (target, key) => {
      if (key === "commit") return commit;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Store;
  // No window timer and no periodic tick during the chain: only the commits dispatches wait for.
  await h.start({ scheduler: { commitDelayMs: 60_000, pollMs: 60_000 } });
});
afterAll(async () => {
  await h?.dispose();
});

describe("a chain of no-op tasks", () => {
  it("commits once per hop: the finish, the next task's queued record, nothing alone for `started`", async () => {
    const { run, states } = await h.runToEnd("hops");
    expect(run.state).toBe("success");
    expect(Object.values(states).every((s) => s === "success")).toBe(true);
    // One commit per dispatch (the first carries the run's start), one for the run's end.
    // From t0's finish on: one commit per hop, then the run's end (the first task's own start is
    // made while the scheduler's tick that picked the run up is still under way).
    const hops = commits.slice(commits.findIndex((c) => c.tis.includes("t0:success")));
    expect(hops.map((c) => c.tis.length + c.attempts.length + c.runs)).toEqual([...Array<number>(TASKS - 1).fill(3), 3]);
    for (let k = 1; k < TASKS; k++) {
      expect(hops[k - 1]).toEqual({ tis: [`t${k - 1}:success`, `t${k}:queued`], attempts: [`t${k - 1}:success`], runs: 0 });
    }
    expect(hops[TASKS - 1]).toEqual({ tis: [`t${TASKS - 1}:success`], attempts: [`t${TASKS - 1}:success`], runs: 1 });
  });
});
