import { createInterface } from "node:readline/promises";
import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import { deleteDag } from "../../scheduler/requests/delete-dag.js";
import { cliActorName, recordCliAudit } from "../cli-audit.js";
import { EXIT, printJson } from "../output.js";
import { openSecretsResolver, withRuntime, type CommonOptions } from "../runtime.js";
import { configuredValueStore } from "../value-store.js";

export interface DagsDeleteOptions extends CommonOptions {
  yes?: boolean;
  force?: boolean;
}

/** How long `--force` waits for the scheduler (another process, which polls its commands) to cancel the runs. */
const CANCEL_WAIT_MS = 30_000;

/**
 * `baton dags delete <dag> [--yes] [--force]`: deletes a DAG with its runs, task instances,
 * attempts, logs, backfills and versions (docs/authoring.md#deleting-a-dag-baton-dags-delete). Asks first on a
 * terminal unless --yes; refuses (exit 1) while the DAG has a queued or running run, unless
 * --force, which has the scheduler cancel them first.
 */
export async function dagsDelete(dagId: string, opts: DagsDeleteOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const dag = await rt.store.getDag(dagId);
    if (!dag) {
      const known = (await rt.store.listDags()).map((d) => d.dagId);
      throw new NotFoundError(`unknown DAG "${dagId}"; known DAGs: ${known.join(", ") || "(none)"}`);
    }
    if (!opts.yes) {
      if (!process.stdin.isTTY) throw new InvalidInputError(`not deleting DAG "${dagId}" without confirmation: pass --yes (stdin is not a terminal to ask on)`);
      const question = `Delete DAG "${dagId}" (${dag.fileloc}) with all its runs, task instances, logs and versions${opts.force ? ", cancelling its active runs first" : ""}? [y/N] `;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(question).finally(() => rl.close());
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stderr.write("Nothing was deleted.\n");
        return EXIT.failed;
      }
    }
    let out;
    const values = configuredValueStore(rt.config, openSecretsResolver(rt.config, rt.store).resolver);
    try {
      out = await deleteDag(
        { store: rt.store, retention: rt.store.retention, inbox: rt.store, logsDir: rt.config.logsDir, values, now: Date.now, cancelWaitMs: CANCEL_WAIT_MS },
        dagId,
        { force: opts.force === true, requestedBy: cliActorName() },
      );
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return EXIT.failed;
    } finally {
      await values.close();
    }
    await recordCliAudit(rt.store, "dag.delete", {
      command: "dags delete",
      target: { type: "dag", id: dagId },
      dagId,
      before: { fileloc: dag.fileloc, active: dag.active, paused: dag.paused, version: dag.latestVersion },
      details: {
        force: opts.force === true,
        runs: out.runs,
        taskInstances: out.taskInstances,
        attempts: out.attempts,
        versions: out.versions,
        cancelledRuns: out.cancelledRuns,
        cancelledBackfills: out.cancelledBackfills,
      },
    });
    if (opts.json) printJson(out);
    else {
      const cancelled = out.cancelledRuns.length > 0 ? ` (after cancelling ${out.cancelledRuns.length} active run(s))` : "";
      process.stdout.write(
        `Deleted DAG ${dagId}${cancelled}: ${out.runs} runs, ${out.taskInstances} task instances, ${out.attempts} attempts, ${out.versions} versions, and its logs. ` +
          `Dataset events and the audit trail are kept.\nNote: ${out.note}.\n`,
      );
    }
    return EXIT.ok;
  });
}
