import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../core/ports/change-feed.js";
import { newRun, taskInstance } from "../store/contract/fixtures.js";
import type { ChangeFeed } from "../core/ports/change-feed.js";
import { pollingChangeFeed, withDagPolling } from "./polling-change-feed.js";
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

    await h.store.commit({
      runs: [{ id: run.id, state: "running", startedAt: NOW }],
      taskInstances: [taskInstance("extract", { runPk: run.id, state: "running" })],
    });
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

describe("withDagPolling", () => {
  it("passes the feed's events on and adds DAG changes (a pause from another process) found by polling; stops both on unsubscribe", async () => {
    await h.store.setDagPaused("etl", false);
    const inner = new Set<(e: ChangeEvent) => void>();
    const feed: ChangeFeed = { subscribe: (l) => (inner.add(l), () => inner.delete(l)) };
    const events: ChangeEvent[] = [];
    const unsubscribe = withDagPolling(feed, h.store, 20, () => Date.now()).subscribe((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 80));
    const run: ChangeEvent = { kind: "run", dagId: "etl", runId: "r1", state: "running" };
    for (const l of inner) l(run);
    expect(events).toEqual([run]);

    await h.store.setDagPaused("etl", true);
    await waitFor(events, (e) => e.kind === "dag" && e.dagId === "etl");
    // Only DAGs are polled: a run created meanwhile is the scheduler feed's to report.
    await h.store.createRun(newRun("etl", "r2", { dagVersion: "etl-v1" }), []);
    await new Promise((r) => setTimeout(r, 80));
    expect(events.filter((e) => e.kind === "run")).toEqual([run]);

    unsubscribe();
    expect(inner.size).toBe(0);
    const count = events.length;
    await h.store.setDagPaused("etl", false);
    await new Promise((r) => setTimeout(r, 80));
    expect(events).toHaveLength(count);
  });
});
