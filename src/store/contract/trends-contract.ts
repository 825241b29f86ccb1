import { describe, expect, it } from "vitest";
import { newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

/** `store.trends` (the DAG page's Trends tab, docs/ui.md#trends): the same grouped statement on every dialect. */
export function describeTrendsContract(sut: StoreUnderTest): void {
  describe("trends: daily run outcomes", () => {
    async function run(dagId: string, runId: string, at: number, state: "queued" | "running" | "success" | "failed", logical = true) {
      const r = (await sut.store.createRun(newRun(dagId, runId, { logicalDate: logical ? at : null, createdAt: at }), [taskInstance("t")]))!;
      if (state !== "queued") await sut.store.commit({ runs: [{ id: r.id, state }] });
    }

    it("counts each DAG's runs per UTC day by outcome from `since` on, by logical date (creation time without one)", async () => {
      await run("etl", "old", Date.UTC(2026, 0, 31, 23, 59), "failed");
      await run("etl", "a", Date.UTC(2026, 1, 1, 0, 0), "success");
      await run("etl", "b", Date.UTC(2026, 1, 1, 23, 59, 59, 999), "failed");
      await run("etl", "c", Date.UTC(2026, 1, 3, 8), "running");
      await run("etl", "d", Date.UTC(2026, 1, 3, 9), "queued", false);
      await run("other", "x", Date.UTC(2026, 1, 1, 12), "failed");
      expect(await sut.store.trends.dailyRunOutcomes("etl", Date.UTC(2026, 1, 1))).toEqual([
        { day: day("2026-02-01"), success: 1, failed: 1, other: 0 },
        { day: day("2026-02-03"), success: 0, failed: 0, other: 2 },
      ]);
      expect(await sut.store.trends.dailyRunOutcomes("none", 0)).toEqual([]);
    });

    it("counts local days of a time zone, with the offset in force at each run (DST)", async () => {
      const zone = "America/New_York";
      await run("ny", "winter-late", Date.UTC(2026, 0, 15, 4, 30), "success"); // 2026-01-14 23:30 EST (UTC-5)
      await run("ny", "winter-next", Date.UTC(2026, 0, 15, 5, 0), "failed"); // 2026-01-15 00:00 EST
      await run("ny", "summer-late", Date.UTC(2026, 6, 15, 3, 30), "success"); // 2026-07-14 23:30 EDT (UTC-4)
      await run("ny", "summer-next", Date.UTC(2026, 6, 15, 4, 0), "running"); // 2026-07-15 00:00 EDT
      expect(await sut.store.trends.dailyRunOutcomes("ny", Date.UTC(2026, 0, 1, 5), zone)).toEqual([
        { day: day("2026-01-14"), success: 1, failed: 0, other: 0 },
        { day: day("2026-01-15"), success: 0, failed: 1, other: 0 },
        { day: day("2026-07-14"), success: 1, failed: 0, other: 0 },
        { day: day("2026-07-15"), success: 0, failed: 0, other: 1 },
      ]);
      // The same runs by UTC day, and a zone east of UTC (Asia/Kolkata, UTC+5:30: 04:30 UTC is 10:00 the same day).
      expect((await sut.store.trends.dailyRunOutcomes("ny", 0)).map((d) => d.day)).toEqual([day("2026-01-15"), day("2026-07-15")]);
      expect((await sut.store.trends.dailyRunOutcomes("ny", 0, "Asia/Kolkata")).map((d) => d.day)).toEqual([day("2026-01-15"), day("2026-07-15")]);
    });
  });
}
