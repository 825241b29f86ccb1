import { afterEach, describe, expect, it } from "vitest";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sleepTask = (id: string, opts = "") => `d.task("${id}", {${opts}}, async () => { await new Promise((r) => setTimeout(r, 60)); });`;

describe("scheduler: limits and priority", () => {
  it("maxActiveTasks caps the DAG's running tasks", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", maxActiveTasks: 1 }, (d) => {\n${["a", "b", "c"].map((t) => sleepTask(t)).join("\n")}\n});\n`,
    });
    await h.load();
    await h.start();
    const { run, tis } = await h.runToEnd("d");
    expect(run.state).toBe("success");
    const spans = tis.map((t) => [t.startedAt!, t.endedAt!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it("when slots are scarce, higher priority weight runs first", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        ${sleepTask("low", 'pool: "one", priorityWeight: 1')}
        ${sleepTask("high", 'pool: "one", priorityWeight: 10')}
        ${sleepTask("mid", 'pool: "one", priorityWeight: 5')}
      });\n`,
    });
    await h.load();
    await h.store.upsertPool({ name: "one", slots: 1, description: "" });
    await h.start();
    const { tis } = await h.runToEnd("d");
    const order = [...tis].sort((a, b) => a.startedAt! - b.startedAt!).map((t) => t.taskId);
    expect(order).toEqual(["high", "mid", "low"]);
  });

  it("depends_on_past: a task waits while the same task failed in the previous run", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", schedule: "@daily", startDate: "${isoDay(today - 2 * DAY)}", catchup: true, maxActiveRuns: 2 }, (d) => {
        d.task("t", { dependsOnPast: true }, async (ctx) => { if (ctx.ds === "${isoDay(today - 2 * DAY)}") throw new FailTask("first day is bad"); return ctx.ds; });
      });\n`,
    });
    await h.load();
    await h.start({ scheduler: { createScheduledRuns: true } });
    const deadline = Date.now() + 15_000;
    let runs = await h.store.listRuns({ dagId: "d" });
    while (Date.now() < deadline && !(runs.length === 2 && runs.some((r) => r.state === "failed"))) {
      await new Promise((r) => setTimeout(r, 50));
      runs = await h.store.listRuns({ dagId: "d" });
    }
    await new Promise((r) => setTimeout(r, 500));
    runs = (await h.store.listRuns({ dagId: "d" })).sort((a, b) => a.logicalDate! - b.logicalDate!);
    expect(runs.map((r) => r.state)).toEqual(["failed", "running"]);
    const second = await h.store.listTaskInstances(runs[1]!.id);
    expect(second[0]?.state).toBe("none");
    expect(second[0]?.tryNumber).toBe(0);
  });
});
