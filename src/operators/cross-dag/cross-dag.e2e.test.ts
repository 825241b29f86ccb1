import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../core/ports/clock.js";
import type { CommandInbox } from "../../core/ports/command-inbox.js";
import type { Store } from "../../core/ports/store.js";
import { LocalProcessExecutor } from "../../executor/local-process-executor.js";
import { StoreDagRunsGateway } from "../../scheduler/requests/store-dag-runs-gateway.js";
import { LocalTriggerer } from "../../triggerer/local-triggerer.js";
import { HEADER, Harness } from "../../../test/support/harness.js";

// DAG A triggers DAG B (through the real scheduler, the warm process pool and the IPC path to
// the store); DAG C's sensors watch B. Needs `npx tsc -p tsconfig.build.json` (the task runner and
// "baton/operators" come from dist/).

const OPS = `import { triggerDag, externalTaskSensor } from "baton/operators";\n`;
const DAY = Date.parse("2026-01-02T00:00:00.000Z");

const FILES = {
  // B: one task that takes a moment, and fails when asked to.
  "b.ts": `${HEADER}export default dag({ id: "b" }, (d) => {
  d.task("work", async (ctx) => {
    await new Promise((r) => setTimeout(r, 300));
    if (ctx.conf.mode === "fail") throw new FailTask("asked to fail");
    return ctx.conf;
  });
});
`,
  // A: triggers B for its own logical date and waits.
  "a.ts": `${HEADER}${OPS}export default dag({ id: "a", defaults: { retries: 1, retryDelay: 10 } }, (d) => {
  triggerDag(d, "trigger_b", { dagId: "b", conf: { mode: "{{ conf.mode }}", day: "{{ ds }}" }, logicalDate: "{{ ts }}", wait: true, pokeInterval: "100ms" });
});
`,
  // C: sensors on B's task at the same logical date, strict and soft.
  "c.ts": `${HEADER}${OPS}export default dag({ id: "c" }, (d) => {
  externalTaskSensor(d, "strict", { dagId: "b", taskId: "work", pokeInterval: "100ms", timeout: "30s" });
  externalTaskSensor(d, "soft", { dagId: "b", taskId: "work", pokeInterval: "100ms", timeout: "30s", softFail: true });
  externalTaskSensor(d, "whole_run", { dagId: "b", pokeInterval: "100ms", timeout: "30s", softFail: true });
});
`,
  // C's sensors in deferred mode: waiting in the scheduler's triggerer, not on a worker.
  "cdef.ts": `${HEADER}${OPS}export default dag({ id: "cdef" }, (d) => {
  externalTaskSensor(d, "strict", { dagId: "b", taskId: "work", mode: "deferred", pokeInterval: "100ms", timeout: "30s" });
  externalTaskSensor(d, "soft", { dagId: "b", taskId: "work", mode: "deferred", pokeInterval: "100ms", timeout: "30s", softFail: true });
  externalTaskSensor(d, "whole_run", { dagId: "b", mode: "deferred", pokeInterval: "100ms", timeout: "30s" });
});
`,
  // Explicit run ids that are taken.
  "dupes.ts": `${HEADER}${OPS}export default dag({ id: "dupes" }, (d) => {
  const first = triggerDag(d, "first", { dagId: "b", runId: "fixed_{{ ds_nodash }}", conf: { mode: "ok" }, wait: true, pokeInterval: "100ms" });
  const skip = triggerDag(d, "skip", { dagId: "b", runId: "fixed_{{ ds_nodash }}", skipWhenAlreadyExists: true, after: first });
  const fail = triggerDag(d, "fail", { dagId: "b", runId: "fixed_{{ ds_nodash }}", retries: 3, after: skip, triggerRule: "all_done" });
  triggerDag(d, "reset", { dagId: "b", runId: "fixed_{{ ds_nodash }}", resetDagRun: true, wait: true, pokeInterval: "100ms", after: fail, triggerRule: "all_done" });
});
`,
  "checks.ts": `${HEADER}${OPS}export default dag({ id: "checks" }, (d) => {
  externalTaskSensor(d, "no_such_task", { dagId: "b", taskId: "nope", checkExistence: true, pokeInterval: "100ms" });
  triggerDag(d, "no_such_dag", { dagId: "nope", retries: 0 });
  triggerDag(d, "bad_run_id", { dagId: "b", runId: "has spaces" });
});
`,
};

/** Every attempt log written so far. */
function logs(h: Harness): string {
  const walk = (d: string): string[] =>
    existsSync(d)
      ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [readFileSync(join(d, e.name), "utf8")]))
      : [];
  return walk(h.logsDir).join("\n");
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/**
 * A Baton with the gateway wired as `baton standalone` does; polls rarely, so only wake-ups start
 * runs promptly. Five processes: C's three poke-mode sensors hold theirs while A and B run.
 */
async function start(processes = 5): Promise<Harness> {
  h = new Harness(FILES);
  const { errors } = await h.load();
  expect(errors).toEqual([]);
  const harness = h;
  const dagRuns = new StoreDagRunsGateway({ store: harness.store as Store & CommandInbox, clock: systemClock, wake: () => harness.scheduler.wake() });
  await h.start({
    executor: new LocalProcessExecutor({ processes, prefetch: 1, killGraceMs: 200, dagRuns }),
    triggerer: new LocalTriggerer({ clock: systemClock, dagRuns }),
    scheduler: { pollMs: 60_000 },
  });
  return h;
}

async function runOf(h: Harness, dagId: string, conf: Record<string, unknown>, at = DAY) {
  const created = await h.trigger(dagId, conf, at);
  const run = await h.scheduler.waitForRun(created.id);
  const tis = await h.store.listTaskInstances(created.id);
  return { run, ti: (id: string) => tis.find((t) => t.taskId === id)! };
}

describe("cross-DAG dependencies through the real scheduler and process pool", () => {
  it("A triggers B and waits; C's sensors wait for B's task and succeed once B ran", async () => {
    const h = await start();
    const c = h.trigger("c", {}, DAY);
    await new Promise((r) => setTimeout(r, 400)); // C's sensors poke before B exists
    const started = Date.now();
    const a = await runOf(h, "a", { mode: "ok" });
    expect(a.run.state).toBe("success");
    // B was started by the wake-up, not by the 60 s poll.
    expect(Date.now() - started).toBeLessThan(10_000);
    const value = JSON.parse(a.ti("trigger_b").output!);
    expect(value).toEqual({ dagId: "b", runId: `triggered__a.trigger_b__${a.run.runId}`, state: "success", logicalDate: "2026-01-02T00:00:00.000Z" });
    const b = (await h.store.getRun("b", value.runId))!;
    expect(b).toMatchObject({ runType: "manual", state: "success", logicalDate: DAY, conf: { mode: "ok", day: "2026-01-02" } });

    const cRun = await h.scheduler.waitForRun((await c).id);
    expect(cRun.state).toBe("success");
    const cTis = Object.fromEntries((await h.store.listTaskInstances(cRun.id)).map((t) => [t.taskId, t]));
    expect(JSON.parse(cTis.strict!.output!)).toEqual({
      dagId: "b",
      runId: value.runId,
      logicalDate: "2026-01-02T00:00:00.000Z",
      runState: expect.stringMatching(/^(running|success)$/),
      tasks: [{ taskId: "work", mapIndex: -1, state: "success" }],
    });
    expect(JSON.parse(cTis.whole_run!.output!)).toMatchObject({ runId: value.runId, runState: "success", tasks: [] });
    expect(logs(h)).toMatch(/poke 1: not yet \(no run of DAG b with logical date 2026-01-02T00:00:00\.000Z yet\)/);
  });

  it("deferred: C's sensors wait in the triggerer with no worker slot (2 processes: A waits, B runs), then succeed; a failed B fails the strict one and skips the soft one", async () => {
    const h = await start(2);
    const c = await h.trigger("cdef", {}, DAY);
    for (let i = 0; i < 200; i++) {
      const tis = await h.store.listTaskInstances(c.id);
      if (tis.filter((t) => t.state === "deferred").length === 3) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await h.store.listTaskInstances(c.id)).map((t) => t.state)).toEqual(["deferred", "deferred", "deferred"]);
    const a = await runOf(h, "a", { mode: "ok" });
    expect(a.run.state).toBe("success");
    const cRun = await h.scheduler.waitForRun(c.id);
    expect(cRun.state).toBe("success");
    const cTis = Object.fromEntries((await h.store.listTaskInstances(c.id)).map((t) => [t.taskId, t]));
    expect(JSON.parse(cTis.strict!.output!)).toMatchObject({ dagId: "b", tasks: [{ taskId: "work", state: "success" }] });
    expect(cTis.strict!.tryNumber).toBe(1);

    const nextDay = DAY + 86_400_000;
    const c2 = await h.trigger("cdef", {}, nextDay);
    const failed = await runOf(h, "a", { mode: "fail" }, nextDay);
    expect(failed.run.state).toBe("failed");
    const c2Run = await h.scheduler.waitForRun(c2.id);
    const c2Tis = Object.fromEntries((await h.store.listTaskInstances(c2.id)).map((t) => [t.taskId, t]));
    expect(c2Run.state).toBe("failed");
    expect(c2Tis.strict!.state).toMatch(/^(failed|up_for_retry)$/);
    expect(c2Tis.strict!.error).toMatch(/task work of run .* of DAG b is failed \(failedStates\)/);
    expect(c2Tis.soft!.state).toBe("skipped");
  });

  it("B fails → A's task fails; A's retry waits on the same B run instead of triggering another; C's strict sensor fails, the soft one is skipped", async () => {
    const h = await start();
    const a = await runOf(h, "a", { mode: "fail" });
    expect(a.run.state).toBe("failed");
    const trigger = a.ti("trigger_b");
    expect(trigger.state).toBe("failed");
    expect(trigger.tryNumber).toBe(2);
    expect(trigger.error).toMatch(new RegExp(`run triggered__a\\.trigger_b__${a.run.runId.replace(/[.+]/g, "\\$&")} of DAG b ended failed`));
    const bRuns = await h.store.listRuns({ dagId: "b" });
    expect(bRuns.map((r) => [r.runId, r.state])).toEqual([[`triggered__a.trigger_b__${a.run.runId}`, "failed"]]);
    const bWork = (await h.store.listTaskInstances(bRuns[0]!.id))[0]!;
    expect(bWork.tryNumber).toBe(1);

    const c = await runOf(h, "c", {});
    expect(c.run.state).toBe("failed");
    expect(c.ti("strict")).toMatchObject({ state: "failed" });
    expect(c.ti("strict").error).toMatch(/task work of run triggered__a\.trigger_b__\S+ of DAG b is failed \(failedStates\)/);
    expect(c.ti("soft")).toMatchObject({ state: "skipped" });
    expect(c.ti("whole_run")).toMatchObject({ state: "skipped" });
  });

  it("a taken run id: skipWhenAlreadyExists skips, otherwise the task fails at once; resetDagRun runs it again", async () => {
    const h = await start();
    const r = await runOf(h, "dupes", {});
    expect(r.ti("first").state).toBe("success");
    expect(r.ti("skip")).toMatchObject({ state: "skipped", error: expect.stringMatching(/^DAG b already has a run with id "fixed_20260102"/) });
    expect(r.ti("fail")).toMatchObject({ state: "failed", tryNumber: 1 });
    expect(r.ti("fail").error).toMatch(
      /DAG b already has a run with id "fixed_20260102" \(\w+\); set skipWhenAlreadyExists to skip, or resetDagRun to run it again/,
    );
    expect(r.ti("reset").state).toBe("success");
    expect(JSON.parse(r.ti("reset").output!)).toMatchObject({ dagId: "b", runId: "fixed_20260102", state: "success" });
    const b = (await h.store.getRun("b", "fixed_20260102"))!;
    expect(b.state).toBe("success");
    // Ran once for "first", and again after "reset" cleared it.
    expect((await h.store.listAttempts(b.id, "work")).map((x) => x.state)).toEqual(["success", "success"]);
    expect((await h.store.listRuns({ dagId: "b" })).length).toBe(1);
  });

  it("checkExistence, an unknown DAG and a bad run id fail with clear messages", async () => {
    const h = await start();
    const r = await runOf(h, "checks", {});
    expect(r.ti("no_such_task")).toMatchObject({ state: "failed", tryNumber: 1 });
    expect(r.ti("no_such_task").error).toMatch(/externalTaskSensor\("no_such_task"\): DAG b has no task nope; its tasks: work/);
    expect(r.ti("no_such_dag").error).toMatch(/unknown DAG "nope"; known DAGs: .*\bb\b/);
    expect(r.ti("bad_run_id").error).toMatch(/triggerDag\("bad_run_id"\): runId "has spaces" may only contain letters, digits and _\.~:\+-/);
  });
});
