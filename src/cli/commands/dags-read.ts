import { basename } from "node:path";
import { firstImportErrorByFile } from "../../core/model/first-import-errors.js";
import type { ImportErrorRecord } from "../../core/model/records.js";
import { describeSchedule } from "../../core/timetable/describe-schedule.js";
import { recordCliAudit } from "../cli-audit.js";
import { nextScheduledRun } from "../../core/timetable/timetable.js";
import { requireDagVersion } from "../../scheduler/requests/trigger-run.js";
import { timetableOf } from "../../scheduler/scheduled-runs.js";
import { EXIT, iso, printJson, printTable } from "../output.js";
import { syncDags, withRuntime, type CommonOptions } from "../runtime.js";

export async function dagsList(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await syncDags(rt);
    const now = Date.now();
    const rows = [];
    const fileErrors = firstImportErrorByFile(await rt.store.listImportErrors());
    for (const dag of await rt.store.listDags()) {
      if (!dag.active) continue;
      const v = await rt.store.getDagVersion(dag.latestVersion);
      if (!v) continue;
      const spec = v.spec;
      const next = nextScheduledRun(timetableOf(spec), dag.lastScheduledLogicalDate, now);
      const [last] = await rt.store.listRuns({ dagId: dag.dagId, limit: 1 });
      rows.push({
        dagId: dag.dagId,
        paused: dag.paused,
        schedule: describeSchedule(spec.schedule),
        timezone: spec.timezone,
        tags: spec.tags,
        owner: spec.owner,
        description: spec.description,
        fileloc: dag.fileloc,
        tasks: spec.tasks.length,
        nextRunAfter: dag.paused ? null : iso(next?.runAfter),
        lastRunState: last?.state ?? null,
        version: dag.latestVersion,
        importError: importErrorOf(fileErrors.get(dag.fileloc)),
      });
    }
    if (opts.json) printJson(rows);
    else {
      const marked = rows.map((r) => ({
        ...r,
        file: r.importError ? `does not load (${basename(r.importError.file)}${r.importError.line ? `:${r.importError.line}` : ""})` : "",
      }));
      printTable(marked, ["dagId", "paused", "schedule", "tasks", "nextRunAfter", "lastRunState", "tags", "file"]);
      for (const r of rows) {
        if (!r.importError) continue;
        const where = `${r.importError.file}${r.importError.line ? `:${r.importError.line}` : ""}`;
        process.stdout.write(
          `! ${r.dagId}: file does not load: ${r.importError.message.split("\n")[0]} (${where}); runs as last loaded, see \`baton dags errors\`\n`,
        );
      }
    }
    return 0;
  });
}

function importErrorOf(e: ImportErrorRecord | undefined) {
  return e ? { file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at) } : null;
}

/** `baton dags errors`: each import error once, `file:line:col: message`; exit 1 when there are any. */
export async function dagsErrors(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await syncDags(rt);
    const seen = new Set<string>();
    const unique = <T extends ImportErrorRecord>(list: T[]) =>
      list.filter((e) => {
        const key = JSON.stringify([e.file, e.line, e.column, e.message]);
        return !seen.has(key) && Boolean(seen.add(key));
      });
    // Load errors, then the background type check's warnings (recorded by the scheduler processes; they refuse nothing).
    const errors = unique(await rt.store.listImportErrors()).map((e) => ({
      file: e.file,
      line: e.line,
      column: e.column,
      message: e.message,
      at: iso(e.at),
      severity: "error" as const,
      code: null,
    }));
    const warnings = unique(await rt.store.listImportWarnings()).map((w) => ({
      file: w.file,
      line: w.line,
      column: w.column,
      message: w.message,
      at: iso(w.at),
      severity: "warning" as const,
      code: w.code,
    }));
    if (opts.json) printJson([...errors, ...warnings]);
    else if (errors.length + warnings.length === 0) process.stdout.write("No DAG import errors.\n");
    else {
      for (const e of [...errors, ...warnings]) {
        process.stdout.write(
          `${e.file}${e.line ? `:${e.line}` : ""}${e.column ? `:${e.column}` : ""}: ${e.severity === "warning" ? "warning: " : ""}${e.message}\n`,
        );
      }
      if (errors.length === 0) process.stdout.write(`No DAG import errors; ${warnings.length} type-check warning(s): the DAGs load and run.\n`);
    }
    return errors.length > 0 ? EXIT.failed : EXIT.ok;
  });
}

export async function dagsSetPaused(dagId: string, paused: boolean, opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await syncDags(rt);
    await requireDagVersion(rt.store, dagId);
    const before = await rt.store.getDag(dagId);
    await rt.store.setDagPaused(dagId, paused);
    await recordCliAudit(rt.store, paused ? "dag.pause" : "dag.unpause", {
      command: paused ? "dags pause" : "dags unpause",
      target: { type: "dag", id: dagId },
      dagId,
      before: { paused: before?.paused ?? null },
      after: { paused },
    });
    if (opts.json) printJson({ dagId, paused });
    else process.stdout.write(`DAG ${dagId} ${paused ? "paused" : "unpaused"}.\n`);
    return 0;
  });
}
