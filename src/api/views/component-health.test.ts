import { describe, expect, it } from "vitest";
import type { SchedulerLeaseRecord } from "../../core/ports/scheduler-leases.js";
import { schedulerLiveness, type LivenessSettings } from "./component-health.js";

const s: LivenessSettings = { schedulerHeartbeatMs: 1_000, schedulerLeaseMs: 8_000, workerHeartbeatMs: 2_000, workerLostMs: 10_000 };
const lease = (beatAt: number, fenced: Partial<SchedulerLeaseRecord> = {}) =>
  ({ id: "a", beatAt, fencedAt: null, fencedBy: null, ...fenced }) as SchedulerLeaseRecord;

describe("schedulerLiveness", () => {
  it("regression: an idle scheduler alone on SQLite beats every lease/4 (2 s) and stays healthy between beats", () => {
    // The idle beat is max(heartbeat, lease / 4) = 2 s apart; just before the next one the beat is ~2.9 s old.
    expect(schedulerLiveness(lease(0), 2_900, s)).toBe("healthy");
    expect(schedulerLiveness(lease(0), 3_000, s)).toBe("healthy");
  });

  it("late once a beat is overdue, lost past the lease; fenced leases are stopped or lost", () => {
    expect(schedulerLiveness(lease(0), 3_001, s)).toBe("late");
    expect(schedulerLiveness(lease(0), 8_000, s)).toBe("late");
    expect(schedulerLiveness(lease(0), 8_001, s)).toBe("lost");
    expect(schedulerLiveness(lease(0, { fencedAt: 5, fencedBy: "a" }), 10, s)).toBe("stopped");
    expect(schedulerLiveness(lease(0, { fencedAt: 5, fencedBy: "b" }), 10, s)).toBe("lost");
  });

  it("with a short lease, two heartbeats still count", () => {
    expect(schedulerLiveness(lease(0), 2_000, { ...s, schedulerLeaseMs: 2_000 })).toBe("healthy");
  });
});
