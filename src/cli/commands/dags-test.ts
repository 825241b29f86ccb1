import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.js";
import { systemClock } from "../../core/ports/clock.js";
import { silentLogger } from "../../core/ports/logger.js";
import { findDagFiles, loadDagFiles } from "../../dag-processor/index.js";
import { InProcessExecutor } from "../../executor/in-process-executor.js";
import { buildManualRun } from "../../scheduler/run-factory.js";
import { Scheduler } from "../../scheduler/scheduler.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { loadConfig } from "../../config/config.js";
import { parseJsonOption, printJson, printTable } from "../output.js";
import { openSecretsResolver, type CommonOptions } from "../runtime.js";
import { parseDateOption } from "./dags-trigger.js";

export interface DagTestOptions extends CommonOptions {
  date?: string;
  conf?: string;
}

/**
 * Runs a whole DAG once, in this process, against a temporary store: no set-up, no scheduler
 * to start. Task bodies run in-process (breakpoints work); retries and trigger rules apply.
 */
export async function dagsTest(dagId: string, opts: DagTestOptions): Promise<number> {
  const config = loadConfig(opts);
  const conf = parseJsonOption(opts.conf, "--conf");
  const tmp = mkdtempSync(join(tmpdir(), "baton-test-"));
  const secrets = openSecretsResolver(config);
  try {
    const results = await loadDagFiles(findDagFiles(config.dagsDir), { bundleDir: join(tmp, "bundles"), timeoutMs: config.dagFileTimeoutMs });
    const version = results.flatMap((r) => r.dags).find((d) => d.dagId === dagId);
    if (!version) {
      const known = results.flatMap((r) => r.dags.map((d) => d.dagId));
      const errors = results.flatMap((r) => r.errors);
      for (const e of errors) process.stderr.write(`${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);
      throw new NotFoundError(`unknown DAG "${dagId}" in ${config.dagsDir}; known DAGs: ${known.join(", ") || "(none)"}`);
    }
    const store = await openSqliteStore(join(tmp, "baton.db"));
    const now = Date.now();
    const at = parseDateOption(opts.date, version.spec.timezone, now);
    await store.saveDagVersion(version);
    const { run, tis } = buildManualRun({ version, at, conf, now });
    const created = (await store.createRun(run, tis))!;
    const scheduler = new Scheduler({
      store,
      datasets: store,
      executor: new InProcessExecutor({ echoOutput: !opts.json, secrets: secrets.resolver }),
      clock: systemClock,
      logger: silentLogger,
      options: { logsDir: join(config.home, "test-logs"), maxOutputBytes: config.maxOutputBytes, pollMs: 50, createScheduledRuns: false },
    });
    await scheduler.start();
    const finished = await scheduler.waitForRun(created.id);
    await scheduler.stop(0);
    const tiRows = await store.listTaskInstances(created.id);
    await store.close();
    const order = new Map(version.spec.tasks.map((t, i) => [t.taskId, i]));
    tiRows.sort((a, b) => order.get(a.taskId)! - order.get(b.taskId)!);
    const tasks = tiRows.map((t) => ({
      taskId: t.taskId,
      state: t.state,
      attempts: t.tryNumber,
      durationMs: t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null,
      ...(t.error ? { error: t.error } : {}),
    }));
    if (opts.json) {
      printJson({ dagId, runId: finished.runId, state: finished.state, tasks });
    } else {
      printTable(tasks.map((t) => ({ ...t, error: t.error?.split("\n")[0] })), ["taskId", "state", "attempts", "durationMs", "error"]);
      process.stdout.write(`\nRun ${finished.runId}: ${finished.state}${finished.note ? ` (${finished.note})` : ""}\n`);
      process.stdout.write(`Logs: ${join(config.home, "test-logs")}\n`);
    }
    return finished.state === "success" ? 0 : 1;
  } finally {
    await secrets.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
