import type { EpochMs } from "../model/records.js";
import type { ExplainReason, SchedulerFacts } from "./explain-types.js";
import { isoTime, when } from "./when.js";

/**
 * "no_scheduler" when no scheduler has beaten within `freshMs` (and no unfenced lease is known to
 * be younger): nothing creates runs, starts them or hands tasks to workers, which live in the
 * scheduler's process. Null while one is alive.
 */
export function noSchedulerReason(s: SchedulerFacts, now: EpochMs): ExplainReason | null {
  const alive = s.heartbeats.filter((b) => b.at > 0 && now - b.at < s.freshMs);
  if (alive.length > 0) return null;
  const last = s.heartbeats.reduce<number | null>((max, b) => (b.at > 0 && (max === null || b.at > max) ? b.at : max), null);
  const leases = (s.leases ?? []).map((l) => ({ id: l.id, host: l.host, pid: l.pid, lastBeatAt: isoTime(l.beatAt), fencedAt: isoTime(l.fencedAt) }));
  const since = last === null ? "no scheduler has ever beaten on this database" : `the last scheduler heartbeat was at ${when(last, now)}`;
  return {
    code: "no_scheduler",
    message:
      `No scheduler is alive: ${since}. Runs are created, started and handed to workers only by a running ` +
      "scheduler (workers live in its process): start `baton scheduler` or `baton standalone`.",
    facts: {
      lastHeartbeatAt: isoTime(last),
      freshMs: s.freshMs,
      schedulers: s.heartbeats.map((b) => ({ id: b.id, lastHeartbeatAt: isoTime(b.at > 0 ? b.at : null), stopped: b.at === 0 })),
      leases,
    },
  };
}

/** With no scheduler alive, "starts on the scheduler's next tick" is not true: that reason goes. */
export function withoutTick(reasons: ExplainReason[]): ExplainReason[] {
  return reasons.filter((r) => r.code !== "waiting_for_scheduler_tick");
}
