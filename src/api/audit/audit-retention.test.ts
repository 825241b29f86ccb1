import { afterEach, describe, expect, it } from "vitest";
import type { NewAuditEntry } from "../../core/model/audit.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";
import { AuditRetention, DAY_MS, PRUNE_INTERVAL_MS } from "./audit-retention.js";

const entry = (action: string, at: number): NewAuditEntry => ({
  at,
  actor: { name: "ada", via: "session", tokenId: null },
  action,
  target: null,
  dagId: null,
  before: null,
  after: null,
  details: null,
});

/** Until the prune in flight has set its next timer. */
async function timerSet(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 200 && clock.pending === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(clock.pending).toBe(1);
}

/** Lets the prune the timer started reach the database and come back. */
async function settle(h: ApiHarness, expected: string[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const actions = (await h.store.listAudit({ limit: 10 })).map((e) => e.action);
    if (JSON.stringify(actions) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect((await h.store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(expected);
}

describe("audit retention", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("prunes entries older than the retention at start and then every hour, on the clock", async () => {
    h = await apiHarness();
    const clock = new ManualClock(NOW);
    await h.store.recordAudit(entry("a.ancient", NOW - 40 * DAY_MS));
    await h.store.recordAudit(entry("a.month", NOW - 29 * DAY_MS));
    await h.store.recordAudit(entry("a.fresh", NOW));
    const retention = new AuditRetention(h.store, clock, 30, (e) => {
      throw e;
    });
    retention.start();
    await settle(h, ["a.fresh", "a.month"]);
    await timerSet(clock);

    clock.advance(2 * DAY_MS); // the hourly prune runs at +1 h: a.month is not 30 days old then
    await timerSet(clock);
    expect((await h.store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(["a.fresh", "a.month"]);
    clock.advance(PRUNE_INTERVAL_MS); // the next prune runs two days later: now it is
    await settle(h, ["a.fresh"]);
    await timerSet(clock);
    retention.stop();
    expect(clock.pending).toBe(0);
  });

  it("0 days keeps every entry and sets no timer", async () => {
    h = await apiHarness();
    const clock = new ManualClock(NOW);
    await h.store.recordAudit(entry("a.ancient", NOW - 4000 * DAY_MS));
    const retention = new AuditRetention(h.store, clock, 0, () => {});
    retention.start();
    expect(clock.pending).toBe(0);
    expect(await h.store.listAudit({ limit: 10 })).toHaveLength(1);
  });

  it("runs with the API server (deps.auditRetention) and stops when it closes", async () => {
    const clock = new ManualClock(NOW);
    h = await apiHarness({ auditRetention: { days: 1, clock } });
    await timerSet(clock); // the prune at start found nothing
    await h.store.recordAudit(entry("a.old", NOW - 2 * DAY_MS));
    await h.store.recordAudit(entry("a.new", NOW));
    clock.advance(PRUNE_INTERVAL_MS);
    await settle(h, ["a.new"]);
    await timerSet(clock);
    await h.app.close();
    expect(clock.pending).toBe(0);
  });
});
