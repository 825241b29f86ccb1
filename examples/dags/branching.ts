/**
 * branching — choose one path per run, then join.
 *
 *                 ┌─ full_refresh ────────┐
 *   choose_load ──┤                       ├─ join ─ publish
 *                 └─ incremental_load ────┘
 *
 * `choose_load` returns the id of the direct downstream task to run; the other is skipped.
 * `join` uses the trigger rule `none_failed_min_one_success`, so the skipped path does not skip
 * it (with the default `all_success` it would be skipped too).
 *
 * The choice comes from `params.refresh`; with "auto" (the default) the first day of each month
 * gets a full refresh and every other day an incremental load.
 */
import { chain, dag, z } from "baton";

export default dag(
  {
    id: "branching",
    description: "A branch picks full or incremental load; the paths meet again at join.",
    schedule: "@daily",
    startDate: "2026-01-01",
    catchup: false,
    tags: ["branching", "example"],
    params: z.object({ refresh: z.enum(["auto", "full", "incremental"]).default("auto") }),
  },
  (d) => {
    const choose = d.branch("choose_load", { doc: "Full refresh on the 1st of the month, else incremental." }, (ctx) => {
      if (ctx.params.refresh === "full") return "full_refresh";
      if (ctx.params.refresh === "incremental") return "incremental_load";
      return ctx.ds?.endsWith("-01") ? "full_refresh" : "incremental_load";
    });

    const full = d.task("full_refresh", async (ctx) => {
      ctx.log.info("rebuilding the table from scratch", { ds: ctx.ds });
      return { mode: "full" as const };
    });
    const incremental = d.task("incremental_load", async (ctx) => {
      ctx.log.info("loading one day", { ds: ctx.ds });
      return { mode: "incremental" as const };
    });

    chain(choose, [full, incremental]);

    const join = d.task("join", { after: [full, incremental], triggerRule: "none_failed_min_one_success" }, async (ctx) => {
      ctx.log.info("one path finished; continuing");
    });
    d.task("publish", { after: [join] }, async (ctx) => {
      ctx.log.info("published", { ds: ctx.ds });
    });
  },
);
