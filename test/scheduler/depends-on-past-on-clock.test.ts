import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor } from "../support/manual-time.js";

// Which earlier run depends_on_past looks at (Airflow's PrevDagrunDep): without catchup the
// previous run of any type, a manual one included; with catchup the previous run that is not manual.
let dags: LoadedDags;
beforeAll(async () => {
  const gated = (id: string) => `d.task("${id}", { dependsOnPast: true }, async (ctx) => { await ${GATE}(ctx.runId + "/${id}"); return ctx.runId; });`;
  dags = await LoadedDags.load({
    "manual.ts": `${HEADER}export default dag({ id: "manual" }, (d) => { ${gated("t")} });\n`,
    "wait.ts":
      `${HEADER}export default dag({ id: "wait" }, (d) => { const t = d.task("t", { waitForDownstream: true }, async (ctx) => ctx.runId); ` +
      `t.then(d.task("u", async (ctx) => { await ${GATE}(ctx.runId + "/u"); return 1; })); });\n`,
    "caught.ts": `${HEADER}export default dag({ id: "caught", schedule: "@daily", startDate: "2020-01-01", catchup: true }, (d) => { ${gated("t")} });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

describe("depends_on_past: the previous run", () => {
  it("without catchup, a manual run waits for the same task of the manual run before it", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const first = await h.trigger("manual", {}, s.t0 - HOUR);
    const second = await h.trigger("manual", {}, s.t0);
    await tiWhen(h, clock, first.id, "t", (x) => x.state === "running");
    await runFor(clock, 10 * MINUTE);
    expect((await h.store.listTaskInstances(second.id))[0]).toMatchObject({ state: "none", tryNumber: 0 });
    expect(await h.store.listAttempts(second.id, "t")).toEqual([]);

    openGate(`${first.runId}/t`);
    await tiWhen(h, clock, first.id, "t", (x) => x.state === "success");
    const started = await tiWhen(h, clock, second.id, "t", (x) => x.state === "running");
    expect(started.startedAt).toBe(s.t0 + 10 * MINUTE);
    openGate(`${second.runId}/t`);
    expect((await h.scheduler.waitForRun(second.id)).state).toBe("success");
  });

  it("waitForDownstream: the task also waits for its direct downstreams in the previous run", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const first = await h.trigger("wait", {}, s.t0 - HOUR);
    await tiWhen(h, clock, first.id, "u", (x) => x.state === "running");
    const second = await h.trigger("wait", {}, s.t0);
    await runFor(clock, 10 * MINUTE);
    // t succeeded in the previous run, but its downstream u is still running there.
    expect((await h.store.listTaskInstances(second.id)).find((x) => x.taskId === "t")).toMatchObject({ state: "none", tryNumber: 0 });
    expect(await h.store.listAttempts(second.id, "t")).toEqual([]);

    openGate(`${first.runId}/u`);
    const u = await tiWhen(h, clock, first.id, "u", (x) => x.state === "success");
    expect((await h.scheduler.waitForRun(first.id)).state).toBe("success");
    await runFor(clock, 2 * MINUTE);
    const t = await tiWhen(h, clock, second.id, "t", (x) => x.state === "success");
    expect(t.startedAt).toBeGreaterThanOrEqual(u.endedAt!);
    openGate(`${second.runId}/u`);
    expect((await h.scheduler.waitForRun(second.id)).state).toBe("success");
  });

  it("with catchup, a manual run in between is not the previous run", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    // The earlier manual run is still going; with catchup it is not looked at.
    const manual = await h.trigger("caught", {}, s.t0 - 2 * HOUR);
    await tiWhen(h, clock, manual.id, "t", (x) => x.state === "running");
    const later = await h.trigger("caught", {}, s.t0 - HOUR);
    await runFor(clock, 10 * MINUTE);
    // Manual runs do not count with catchup, so the later manual run has no previous run and starts.
    await tiWhen(h, clock, later.id, "t", (x) => x.state === "running");
    for (const r of [manual, later]) openGate(`${r.runId}/t`);
    for (const r of [manual, later]) expect((await h.scheduler.waitForRun(r.id)).state).toBe("success");
  });
});
