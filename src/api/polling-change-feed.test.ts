import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../core/ports/change-feed.js";
import { newRun, taskInstance } from "../store/contract/fixtures.js";
import { pollingChangeFeed } from "./polling-change-feed.js";
import { apiHarness, NOW, type ApiHarness } from "./testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

async function waitFor(events: ChangeEvent[], predicate: (e: ChangeEvent) => boolean): Promise<void> {
  for (let i = 0; i < 200 && !events.some(predicate); i++) await new Promise((r) => setTimeout(r, 10));
  expect(events.some(predicate), JSON.stringify(events)).toBe(true);
}

describe("pollingChangeFeed", () => {
  it("emits run, task and dag changes found by polling the store, after a silent baseline", async () => {
    const run = (await h.store.createRun(newRun("etl", "r1", { dagVersion: "etl-v1" }), [taskInstance("extract"), taskInstance("load")]))!;
    const feed = pollingChangeFeed(h.store, 20, () => Date.now());
    const events: ChangeEvent[] = [];
    const unsubscribe = feed.subscribe((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 80));
    expect(events).toEqual([]);

    await h.store.commit({ runs: [{ id: run.id, state: "running", startedAt: NOW }], taskInstances: [taskInstance("extract", { runPk: run.id, state: "running" })] });
    await waitFor(events, (e) => e.kind === "run" && e.state === "running");
    await waitFor(events, (e) => e.kind === "task" && e.taskId === "extract" && e.state === "running");

    await h.store.commit({ runs: [{ id: run.id, state: "success", endedAt: Date.now() }] });
    await waitFor(events, (e) => e.kind === "run" && e.runId === "r1" && e.state === "success");

    await h.store.createRun(newRun("etl", "r2", { dagVersion: "etl-v1" }), []);
    await waitFor(events, (e) => e.kind === "run" && e.runId === "r2" && e.state === "queued");

    await h.store.setDagPaused("etl", true);
    await waitFor(events, (e) => e.kind === "dag" && e.dagId === "etl");

    unsubscribe();
    const count = events.length;
    await h.store.setDagPaused("etl", false);
    await new Promise((r) => setTimeout(r, 80));
    expect(events).toHaveLength(count);
  });
});
