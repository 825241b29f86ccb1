import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { commandOnClock, disposeOnManualClock, LoadedDags, runWhen, startOnManualClock } from "../support/manual-scheduler.js";
import { HOUR, runFor } from "../support/manual-time.js";

// Clearing a task in the scope of a setup clears the setup and its teardown with it (Airflow's
// setup/teardown scope: the resource is made again for the re-run and removed again after it),
// on the real scheduler and SQLite, a manual clock; the API records the clear as a command.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "cluster.ts": `${HEADER}export default dag({ id: "cluster" }, (d) => {
      const create = d.task("create_cluster", { setup: true }, () => "c1");
      const query = d.task("run_query", { after: create }, (ctx) => { if (ctx.tryNumber === 1) throw new FailTask("first try"); return "ok"; });
      d.task("delete_cluster", { teardown: { setups: create }, after: query }, () => "deleted");
      d.task("unrelated", () => 1);
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

const tries = async (runPk: number) => Object.fromEntries((await h!.store.listTaskInstances(runPk)).map((t) => [t.taskId, `${t.state}:${t.tryNumber}`]));

describe("setup and teardown, cleared", () => {
  it("clearing the failed work task clears its setup and teardown too; they run again around it", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("cluster", {}, s.t0);
    await runWhen(h, clock, run.id, "failed");
    expect(await tries(run.id)).toEqual({
      create_cluster: "success:1",
      run_query: "failed:1",
      delete_cluster: "success:1",
      unrelated: "success:1",
    });
    await runFor(clock, HOUR);
    expect(await commandOnClock(h, clock, "clear_tasks", { dagId: "cluster", runId: run.runId, taskIds: ["run_query"], downstream: false })).toBe(
      "ok: cleared 3 task instance(s)",
    );
    await runWhen(h, clock, run.id, "success");
    expect(await tries(run.id)).toEqual({
      create_cluster: "success:2",
      run_query: "success:2",
      delete_cluster: "success:2",
      unrelated: "success:1",
    });
    // The setup ran again before the work, the teardown after it.
    const started = async (id: string) => (await h!.store.listAttempts(run.id, id)).at(-1)!.startedAt!;
    expect(await started("create_cluster")).toBeLessThanOrEqual(await started("run_query"));
    expect(await started("run_query")).toBeLessThanOrEqual(await started("delete_cluster"));
  });
});
