import { Cron } from "croner";

/** Instants (epoch ms) at which a cron expression fires in a time zone. */
export interface CronTicks {
  /** First tick strictly after `t`. */
  after(t: number): number | null;
  /** First tick at or after `t`. */
  atOrAfter(t: number): number | null;
  /** Last tick strictly before `t`. */
  before(t: number): number | null;
  /** Last tick at or before `t`. */
  atOrBefore(t: number): number | null;
}

const cache = new Map<string, CronTicks>();

/**
 * The ticks of `expression` on the wall clock of `timezone` (croner). DST policy
 * (docs/scheduling.md): a fixed time of day that falls in a spring-forward gap fires at the first
 * valid instant after the gap; a fixed time repeated by a fall-back fires once; wildcard/step
 * hours (`0 * * * *`) follow real instants, so the repeated hour fires twice and the missing one
 * does not exist. `fixedTimeRule: "no-wildcard"` makes lists and ranges (`0 2,14 * * *`) fixed
 * times too, as in Vixie cron, so they are not lost in a gap either.
 */
export function cronTicks(expression: string, timezone: string): CronTicks {
  const key = `${timezone}\n${expression}`;
  let ticks = cache.get(key);
  if (!ticks) {
    const cron = new Cron(expression, { paused: true, timezone, fixedTimeRule: "no-wildcard" });
    const next = (t: number) => cron.nextRun(new Date(t))?.getTime() ?? null;
    const prev = (t: number) => cron.previousRuns(1, new Date(t))[0]?.getTime() ?? null;
    ticks = {
      after: next,
      atOrAfter: (t) => next(t - 1),
      before: prev,
      atOrBefore: (t) => prev(t + 1),
    };
    cache.set(key, ticks);
  }
  return ticks;
}
