import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRequest, Executor, ExecutorListener } from "../../src/core/ports/executor.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { HEADER, type Harness } from "../support/harness.js";
import { commandOnClock, disposeOnManualClock, GATE, LoadedDags, openGate, startOnManualClock } from "../support/manual-scheduler.js";
import { runFor, until } from "../support/manual-time.js";

// The dispatch window (Executor.stagingFor) through the real scheduler on a manual clock: the
// scheduler records attempts as queued beyond the executor's slots and hands each over when a slot
// frees. The executor never holds more than its slots; pools and max active tasks count the
// staged attempts; an attempt stopped while staged never reaches the executor.

/** The in-process executor with a dispatch window, counting what it holds at once and what it was given. */
class StagingExecutor implements Executor {
  readonly inner: InProcessExecutor;
  readonly submitted: string[] = [];
  held = 0;
  maxHeld = 0;
  constructor(
    clock: ManualClock,
    readonly capacity: number,
    private readonly staging: number,
  ) {
    this.inner = new InProcessExecutor({ clock, echoOutput: false, concurrency: capacity });
  }
  stagingFor(): number {
    return this.staging;
  }
  start(listener: ExecutorListener): Promise<void> {
    return this.inner.start({
      started: (id, at, pid, worker) => listener.started(id, at, pid, worker),
      finished: (report) => {
        this.held--;
        listener.finished(report);
      },
    });
  }
  submit(request: AttemptRequest): void {
    this.submitted.push(request.taskId);
    this.maxHeld = Math.max(this.maxHeld, ++this.held);
    this.inner.submit(request);
  }
  cancel(attemptId: string, reason: string): void {
    this.inner.cancel(attemptId, reason);
  }
  shutdown(graceMs: number): Promise<void> {
    return this.inner.shutdown(graceMs);
  }
}

let dags: LoadedDags;
beforeAll(async () => {
  const gated = (id: string, opts = "{}") => `d.task("${id}", ${opts}, async (ctx) => { await ${GATE}(ctx.runId + "/${id}"); return 1; });`;
  const six = Array.from({ length: 6 }, (_, i) => `t${i}`);
  dags = await LoadedDags.load(
    {
      "wide.ts": `${HEADER}export default dag({ id: "wide" }, (d) => { ${six.map((t) => gated(t)).join(" ")} });\n`,
      "pooled.ts": `${HEADER}export default dag({ id: "pooled" }, (d) => { ${six.map((t) => gated(t, '{ pool: "two" }')).join(" ")} });\n`,
      "capped.ts": `${HEADER}export default dag({ id: "capped", maxActiveTasks: 3 }, (d) => { ${six.map((t) => gated(t)).join(" ")} });\n`,
    },
    (store) => store.upsertPool({ name: "two", slots: 2, description: "two at a time" }),
  );
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
let executor: StagingExecutor | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = executor = undefined;
});

async function start(capacity: number, staging: number) {
  const s = await startOnManualClock(dags, { executor: (_h, c) => (executor = new StagingExecutor(c, capacity, staging)) });
  ({ h, clock } = s);
  return s;
}

const statesOf = async (h: Harness, runPk: number) => (await h.store.listTaskInstances(runPk)).map((t) => t.state).sort();
const count = (states: string[], state: string) => states.filter((x) => x === state).length;

describe("the dispatch window on a manual clock", () => {
  it("2 slots + 2 staged: four attempts recorded queued, the executor never holds more than 2, each staged one goes out as a slot frees, every task runs once", async () => {
    const s = await start(2, 2);
    const run = await h!.trigger("wide", {}, s.t0);
    await until(clock!, "2 running and 2 queued", async () => {
      const st = await statesOf(h!, run.id);
      return count(st, "running") === 2 && count(st, "queued") === 2 ? st : undefined;
    });
    await runFor(clock!, 1_000);
    expect(executor!.submitted).toHaveLength(2);
    expect(await statesOf(h!, run.id)).toEqual(["none", "none", "queued", "queued", "running", "running"]);

    // Each staged attempt goes out as a slot frees: opening one running task's gate lets one more in.
    const first = (await h!.store.listTaskInstances(run.id)).find((t) => t.state === "running")!.taskId;
    openGate(`${run.runId}/${first}`);
    await until(clock!, "a third attempt handed out", async () => (executor!.submitted.length === 3 ? true : undefined));
    for (const t of ["t0", "t1", "t2", "t3", "t4", "t5"]) openGate(`${run.runId}/${t}`);
    expect((await h!.scheduler.waitForRun(run.id)).state).toBe("success");
    expect(executor!.maxHeld).toBe(2);
    expect(executor!.submitted.sort()).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    const attempts = (await Promise.all(["t0", "t1", "t2", "t3", "t4", "t5"].map((t) => h!.store.listAttempts(run.id, t)))).flat();
    expect(attempts.map((a) => [a.tryNumber, a.state])).toEqual(Array.from({ length: 6 }, () => [1, "success"]));
  });

  it("a pool of 2 holds with a window of 8: staged attempts take pool slots, the rest wait", async () => {
    const s = await start(4, 4);
    const run = await h!.trigger("pooled", {}, s.t0);
    await until(clock!, "2 running", async () => ((await statesOf(h!, run.id)).filter((x) => x === "running").length === 2 ? true : undefined));
    await runFor(clock!, 1_000);
    expect(await statesOf(h!, run.id)).toEqual(["none", "none", "none", "none", "running", "running"]);
    for (const t of ["t0", "t1", "t2", "t3", "t4", "t5"]) openGate(`${run.runId}/${t}`);
    expect((await h!.scheduler.waitForRun(run.id)).state).toBe("success");
    expect(executor!.maxHeld).toBe(2);
  });

  it("max active tasks 3 holds with a window of 4: running and staged together stay at 3", async () => {
    const s = await start(2, 2);
    const run = await h!.trigger("capped", {}, s.t0);
    await until(clock!, "2 running, 1 staged", async () => {
      const st = await statesOf(h!, run.id);
      return count(st, "running") === 2 && count(st, "queued") === 1 ? true : undefined;
    });
    await runFor(clock!, 1_000);
    expect(await statesOf(h!, run.id)).toEqual(["none", "none", "none", "queued", "running", "running"]);
    for (const t of ["t0", "t1", "t2", "t3", "t4", "t5"]) openGate(`${run.runId}/${t}`);
    expect((await h!.scheduler.waitForRun(run.id)).state).toBe("success");
  });

  it("an attempt stopped while staged (run marked failed) never reaches the executor; its attempt is recorded failed", async () => {
    const s = await start(2, 2);
    const run = await h!.trigger("wide", {}, s.t0);
    await until(clock!, "2 running and 2 queued", async () => {
      const st = await statesOf(h!, run.id);
      return count(st, "running") === 2 && count(st, "queued") === 2 ? true : undefined;
    });
    const staged = (await h!.store.listTaskInstances(run.id)).filter((t) => t.state === "queued").map((t) => t.taskId);
    expect(await commandOnClock(h!, clock!, "mark_run", { dagId: "wide", runId: run.runId, state: "failed" })).toBe("ok");
    expect((await h!.scheduler.waitForRun(run.id)).state).toBe("failed");
    await runFor(clock!, 1_000);
    expect(executor!.submitted).toHaveLength(2);
    expect(executor!.submitted.some((t) => staged.includes(t))).toBe(false);
    for (const t of staged) {
      const attempts = await h!.store.listAttempts(run.id, t);
      expect(attempts.map((a) => [a.tryNumber, a.state, a.startedAt])).toEqual([[1, "failed", null]]);
    }
  });
});
