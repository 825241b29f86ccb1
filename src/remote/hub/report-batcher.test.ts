import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RemoteAttemptEnd } from "../../core/model/workers.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import type { FullStore } from "../../store/index.js";
import { eventually, requestFor, T0 } from "./testing/hub-harness.js";
import { ReportBatcher } from "./report-batcher.js";

let dir: string;
let store: FullStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-batcher-"));
  store = await openSqliteStore(join(dir, "baton.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** a1 and a2 queued and assigned to w1, as a hub's claim leaves them. */
async function assigned(): Promise<void> {
  await store.workers.enqueueRemoteAttempts(
    ["a1", "a2"].map((id) => ({ attemptId: id, runPk: 1, schedulerId: "s1", queue: "default", request: requestFor(id, dir, dir), createdAt: T0 })),
  );
  expect(await store.workers.claimRemoteAttempts("w1", ["default"], 2, T0)).toHaveLength(2);
}

const end = (id: string): RemoteAttemptEnd => ({
  attemptId: id,
  workerId: "w1",
  outcome: { kind: "success", output: null },
  startedAt: T0 + 1,
  endedAt: T0 + 2,
  pid: 7,
});

describe("ReportBatcher", () => {
  it("with maxWrites 2, writes two batches at once, but never two holding the same attempt: an end waits for its start's write", async () => {
    await assigned();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const gated: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts"> = {
      async markRemoteStarted(items) {
        calls.push(`start ${items.map((i) => i.attemptId).join(",")}`);
        await gate;
        return store.workers.markRemoteStarted(items);
      },
      async finishRemoteAttempts(items) {
        calls.push(`end ${items.map((i) => i.attemptId).join(",")}`);
        return store.workers.finishRemoteAttempts(items);
      },
    };
    const answers = new Map<string, boolean>();
    const batcher = new ReportBatcher(gated, new ManualClock(T0), { afterBatch: () => {}, failed: (e) => calls.push(`failed ${String(e)}`) }, 0, 2);
    batcher.started({ attemptId: "a1", workerId: "w1", startedAt: T0 + 1, pid: 7 }, (ok) => answers.set("start a1", ok));
    await eventually(() => calls.length === 1, "the start's write to begin");
    batcher.finished(end("a2"), (ok) => answers.set("end a2", ok));
    batcher.finished(end("a1"), (ok) => answers.set("end a1", ok));
    // a2's end goes beside the start being written; a1's end waits for it.
    await eventually(() => answers.has("end a2"), "a2's end recorded while a1's start is held");
    expect(calls).toEqual(["start a1", "end a2"]);
    expect(answers.has("end a1")).toBe(false);
    release();
    await eventually(() => answers.has("end a1"), "a1's end recorded after its start");
    expect(calls).toEqual(["start a1", "end a2", "end a1"]);
    expect(Object.fromEntries(answers)).toEqual({ "start a1": true, "end a2": true, "end a1": true });
    expect(await store.workers.getRemoteAttempt("a1")).toMatchObject({ state: "finished", startedAt: T0 + 1 });
  });
});
