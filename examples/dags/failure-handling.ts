/**
 * failure_handling — what runs when a task fails.
 *
 *                       ┌─ publish   (all_success, the default: upstream_failed)
 *   load_partner_feed ──┼─ cleanup   (all_done: runs whatever happened)
 *   (always fails)      └─ alert     (one_failed: runs only because something failed)
 *
 * `load_partner_feed` throws FailTask, which fails at once without using retries. `alert`
 * appends a line to `$BATON_HOME/examples/failure_handling/alerts.log`; a real DAG would page
 * someone from this task, e.g. with `httpRequest` to a chat or paging webhook (Baton has no
 * notifiers or onFailure callbacks yet). The run itself ends failed: `publish` never ran.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { dag, FailTask } from "baton";

const ALERT_LOG = resolve(process.env["BATON_HOME"] ?? ".baton", "examples", "failure_handling", "alerts.log");

export default dag(
  {
    id: "failure_handling",
    description: "A failing task, a cleanup that always runs and an alert that runs on failure.",
    schedule: null,
    startDate: "2026-01-01",
    tags: ["failures", "trigger-rules", "example"],
    defaults: { retries: 0 },
  },
  (d) => {
    const load = d.task("load_partner_feed", async () => {
      throw new FailTask("partner feed https://partner.example/feed.csv answered 503 Service Unavailable");
    });

    d.task("publish", { after: [load] }, async (ctx) => {
      ctx.log.info("never runs: its upstream failed");
    });

    d.task("cleanup", { after: [load], triggerRule: "all_done" }, async (ctx) => {
      ctx.log.info("removing temporary files, whatever the outcome");
      return { cleaned: true };
    });

    d.task("alert", { after: [load], triggerRule: "one_failed" }, async (ctx) => {
      const line = `${new Date().toISOString()} ALERT dag=${ctx.dagId} run=${ctx.runId} task=load_partner_feed failed\n`;
      await mkdir(dirname(ALERT_LOG), { recursive: true });
      await appendFile(ALERT_LOG, line);
      ctx.log.error("alert raised", { file: ALERT_LOG });
      return { alertLog: ALERT_LOG };
    });
  },
);
