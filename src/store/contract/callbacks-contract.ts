import { describe, expect, it } from "vitest";
import type { CallbackKey } from "../../core/ports/callback-store.js";
import type { StoreUnderTest } from "./store-under-test.js";

const run = { dagId: "etl", runId: "r1" };
const slack = { notifier: "slack" as const, connection: "alerts" };
const pager = { notifier: "pagerduty" as const, connection: "pd" };

/** Callback claims (insert-if-absent, one winner) and alert incidents (open, repeat, resolve) of migration 0010. */
export function describeCallbacksContract(sut: StoreUnderTest): void {
  describe("callback claims and alert incidents", () => {
    it("a firing is claimed once, by one of several claiming at the same time; then logged with how it went", async () => {
      const key: CallbackKey = { runPk: 7, taskId: "load", mapIndex: -1, tryNumber: 2, event: "failure" };
      const wins = await Promise.all(["s1", "s2", "s3", "s4"].map((by) => sut.store.callbacks.claimCallback(key, run, by, 1_000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await sut.store.callbacks.claimCallback(key, run, "s5", 2_000)).toBe(false);
      // Another try, map index, event or a run-level firing is another claim.
      expect(await sut.store.callbacks.claimCallback({ ...key, tryNumber: 3 }, run, "s1", 2_000)).toBe(true);
      expect(await sut.store.callbacks.claimCallback({ ...key, mapIndex: 0 }, run, "s1", 2_000)).toBe(true);
      expect(await sut.store.callbacks.claimCallback({ ...key, taskId: null, tryNumber: 0, event: "failure@5" }, run, "s1", 2_000)).toBe(true);
      expect(await sut.store.callbacks.claimCallback({ ...key, taskId: null, tryNumber: 0, event: "failure@5" }, run, "s2", 2_000)).toBe(false);

      await sut.store.callbacks.finishCallback(key, "timed_out", "notify_team: callback exceeded its time limit of 60s", 3_000);
      const log = await sut.store.callbacks.listCallbacks({ dagId: "etl", limit: 10 });
      expect(log).toHaveLength(4);
      expect(log.find((r) => r.tryNumber === 2 && r.mapIndex === -1)).toMatchObject({
        ...run,
        ...key,
        status: "timed_out",
        message: "notify_team: callback exceeded its time limit of 60s",
        claimedAt: 1_000,
        finishedAt: 3_000,
      });
      expect(log.find((r) => r.taskId === null)).toMatchObject({ status: "running", finishedAt: null, claimedBy: "s1" });
      expect(await sut.store.callbacks.listCallbacks({ runId: "other", limit: 10 })).toEqual([]);
    });

    it("a claimant refreshes its running claim; a claim not refreshed in time is taken over by one of several takers; a finished one never", async () => {
      const cb = sut.store.callbacks;
      const key: CallbackKey = { runPk: 8, taskId: "load", mapIndex: -1, tryNumber: 1, event: "failure" };
      expect(await cb.claimCallback(key, run, "s1", 1_000)).toBe(true);
      expect(await cb.renewCallback(key, "s1", 16_000)).toBe(true);
      expect(await cb.renewCallback(key, "s2", 17_000)).toBe(false); // not its claim
      // Refreshed at 16 s: not stale before 16 s.
      expect(await cb.retakeCallback(key, "s2", 20_000, 16_000)).toBe(false);
      const wins = await Promise.all(["s2", "s3", "s4"].map((by) => cb.retakeCallback(key, by, 80_000, 20_000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = ["s2", "s3", "s4"][wins.indexOf(true)]!;
      const claim = (await cb.listCallbacks({ dagId: "etl", limit: 10 })).find((r) => r.runPk === 8)!;
      expect(claim).toMatchObject({ status: "running", claimedBy: winner, claimedAt: 80_000 });
      // The first claimant, back, no longer holds it.
      expect(await cb.renewCallback(key, "s1", 81_000)).toBe(false);
      await cb.finishCallback(key, "ok", null, 90_000);
      expect(await cb.retakeCallback(key, "s5", 500_000, 400_000)).toBe(false);
      expect(await cb.renewCallback(key, winner, 500_000)).toBe(false);
    });

    it("an incident opens on the first alert, repeats only after the interval (one winner), keeps every target, resolves once and can open again", async () => {
      const cb = sut.store.callbacks;
      const k = "baton/etl/run";
      expect(await cb.alertIncident(k, "etl", [slack], 1_000, 60_000)).toBe(true);
      expect(await cb.alertIncident(k, "etl", [pager], 30_000, 60_000)).toBe(false);
      const racing = await Promise.all([1, 2, 3].map(() => cb.alertIncident(k, "etl", [slack], 61_000, 60_000)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await cb.getIncident(k)).toMatchObject({
        dagId: "etl",
        openedAt: 1_000,
        lastAlertAt: 61_000,
        alerts: 2,
        targets: [slack, pager],
        resolvedAt: null,
      });
      expect(await cb.alertIncident(k, "etl", [slack], 500_000, null)).toBe(false);

      const resolved = await Promise.all([cb.resolveIncident(k, 600_000), cb.resolveIncident(k, 600_000)]);
      expect(resolved.filter((r) => r !== undefined)).toEqual([expect.objectContaining({ targets: [slack, pager], resolvedAt: 600_000 })]);
      expect(await cb.resolveIncident(k, 700_000)).toBeUndefined();
      expect(await cb.resolveIncident("baton/etl/never", 700_000)).toBeUndefined();

      expect(await cb.alertIncident(k, "etl", [pager], 800_000, null)).toBe(true);
      expect(await cb.getIncident(k)).toMatchObject({ openedAt: 800_000, lastAlertAt: 800_000, alerts: 1, targets: [pager], resolvedAt: null });
    });
  });
}
