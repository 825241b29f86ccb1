import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import { backfillWithProgress } from "../../api/views/backfill-progress.js";
import { recordCliAudit } from "../cli-audit.js";
import { printJson } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

/** A backfill id as typed on the command line: a positive whole number. */
function parseBackfillId(text: string): number {
  const id = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1)
    throw new InvalidInputError(`backfill id must be a positive whole number (see \`baton backfills list\`), got "${text}"`);
  return id;
}

/**
 * `baton backfills pause <id>` / `unpause <id>` (docs/scheduling.md#pausing-a-backfill): sets the
 * backfill's pause in the store, which every scheduler reads on its next tick. Idempotent; exit 2
 * for a bad or unknown id or a backfill that already ended (done or cancelled). `--json` prints
 * what POST /api/v1/backfills/{id}/pause answers.
 */
export async function backfillsSetPaused(idText: string, paused: boolean, opts: CommonOptions): Promise<number> {
  const id = parseBackfillId(idText);
  const verb = paused ? "pause" : "unpause";
  return withRuntime(opts, async (rt) => {
    const before = await rt.store.getBackfill(id);
    if (!before) throw new NotFoundError(`no backfill ${id} (see \`baton backfills list\`)`);
    const ended = (state: string) => new ConflictError(`backfill ${id} already ended (${state}): only a queued or running backfill can be ${verb}d`);
    if (before.state === "done" || before.state === "cancelled") throw ended(before.state);
    const after = await rt.store.setBackfillPaused(id, paused);
    if (!after) throw new NotFoundError(`no backfill ${id}`);
    if (after.paused !== paused) throw ended(after.state);
    await recordCliAudit(rt.store, `backfill.${verb}`, {
      command: `backfills ${verb}`,
      target: { type: "backfill", id: String(id) },
      dagId: after.dagId,
      before: { paused: before.paused },
      after: { paused },
    });
    if (opts.json) printJson(await backfillWithProgress(rt.store, after));
    else
      process.stdout.write(
        `Backfill ${id} of ${after.dagId} ${paused ? "paused: the scheduler starts none of its queued runs; running ones finish" : "unpaused: the scheduler starts its queued runs again"}.\n`,
      );
    return 0;
  });
}
