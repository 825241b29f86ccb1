import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { NotFoundError } from "../../core/errors.js";
import { DEFAULT_POOL } from "../../core/model/dag-spec.js";
import { systemClock } from "../../core/ports/clock.js";
import { silentLogger } from "../../core/ports/logger.js";
import { findDagFiles, loadDagFiles } from "../../dag-processor/index.js";
import { InProcessExecutor } from "../../executor/in-process-executor.js";
import { buildManualRun } from "../../scheduler/run-factory.js";
import { Scheduler } from "../../scheduler/scheduler.js";
import { LocalTriggerer } from "../../triggerer/local-triggerer.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { CipherOutputSealer } from "../../secrets/output-sealer.js";
import { SecretCipher } from "../../secrets/secret-cipher.js";
import { loadConfig } from "../../config/config.js";
import { parseJsonOption, printJson } from "../output.js";
import { DagTestProgress } from "../dags-test-progress.js";
import { colorsWanted, terminalStyle } from "../terminal-style.js";
import { openSecretsResolver, type CommonOptions } from "../runtime.js";
import { openDagRunsGateway } from "../open-dag-runs-gateway.js";
import { parseDateOption } from "./dags-trigger.js";
import { CallbackFirer } from "../../alerts/callbacks/callback-firer.js";
import { NO_ROUTING } from "../../core/model/alert-policy.js";
import { callbackLogPaths } from "../callback-log-paths.js";

export interface DagTestOptions extends CommonOptions {
  date?: string;
  conf?: string;
  /** Print the tasks' log lines as they come; default: when stdout is a terminal. */
  logs?: boolean;
}

/**
 * Runs a whole DAG once, in this process, against a temporary store: no set-up, no scheduler
 * to start. Task bodies run in-process (breakpoints work); retries and trigger rules apply.
 * Without --json, progress is printed as it happens (see DagTestProgress), coloured on a terminal.
 */
export async function dagsTest(dagId: string, opts: DagTestOptions): Promise<number> {
  const config = loadConfig(opts);
  const conf = parseJsonOption(opts.conf, "--conf");
  const tmp = mkdtempSync(join(tmpdir(), "baton-test-"));
  const secrets = openSecretsResolver(config);
  const dagRuns = openDagRunsGateway(config); // cross-DAG operators use the configured database
  try {
    const results = await loadDagFiles(findDagFiles(config.dagsDir), {
      bundleDir: join(tmp, "bundles"),
      timeoutMs: config.dagFileTimeoutMs,
      memoryMb: config.dagFileMemoryMb,
    });
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
    // The temporary store has only default_pool: pools the DAG names exist here too, each large
    // enough for its biggest task (pools are sized per deployment, not per DAG file).
    for (const [name, slots] of poolsNamedBy(version.spec.tasks)) await store.upsertPool({ name, slots, description: "created by baton dags test" });
    const { run, tis } = buildManualRun({ version, at, conf, now });
    const created = (await store.createRun(run, tis))!;
    const logsDir = join(config.home, "test-logs");
    // Saved before the executor captures stdout: lines written while a task runs must not go to its log.
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    const style = terminalStyle(colorsWanted(process.stdout, process.env));
    const progress = opts.json
      ? null
      : new DagTestProgress({
          write: (text) => void stdoutWrite(text),
          style,
          showLogs: opts.logs ?? process.stdout.isTTY === true,
          taskIds: version.spec.tasks.map((t) => t.taskId),
          lookup: async (taskId, mapIndex) => (await store.listTaskInstances(created.id)).find((t) => t.taskId === taskId && t.mapIndex === mapIndex),
        });
    // Task output goes to the attempt logs; DagTestProgress shows it (with --logs or on a terminal).
    const executor = new InProcessExecutor({
      echoOutput: false,
      secrets: secrets.resolver,
      dagRuns: dagRuns.gateway,
      ...(progress ? { onLog: progress.onLog } : {}),
    });
    const scheduler = new Scheduler({
      store,
      datasets: store,
      executor,
      triggerer: new LocalTriggerer({ clock: systemClock, secrets: secrets.resolver, dagRuns: dagRuns.gateway }),
      // The store is temporary: sensitive values are sealed with a key that dies with it.
      sealer: new CipherOutputSealer(() => new SecretCipher(randomBytes(32))),
      clock: systemClock,
      logger: silentLogger,
      options: { logsDir, maxOutputBytes: config.maxOutputBytes, pollMs: 50, createScheduledRuns: false },
    });
    // Callback functions run in this process too (docs/alerts.md); notifiers are not sent from a test run.
    const callbacks = new CallbackFirer({
      store,
      callbacks: store.callbacks,
      executor,
      outbox: null,
      routing: NO_ROUTING,
      links: { baseUrl: `http://${config.apiHost}:${config.apiPort}` },
      logPaths: callbackLogPaths(logsDir),
      claimer: "dags-test",
      clock: systemClock,
      logger: silentLogger,
    });
    scheduler.onDomainEvent(callbacks.listener);
    if (progress) {
      scheduler.onDomainEvent(progress.onEvent);
      const count = version.spec.tasks.length;
      process.stdout.write(`Testing DAG ${dagId}: run ${created.runId}, ${count} task${count === 1 ? "" : "s"}\n`);
    }
    await scheduler.start();
    const finished = await scheduler.waitForRun(created.id);
    await callbacks.idle();
    await scheduler.stop(0);
    await progress?.flush();
    const tiRows = await store.listTaskInstances(created.id);
    await store.close();
    const order = new Map(version.spec.tasks.map((t, i) => [t.taskId, i]));
    tiRows.sort((a, b) => order.get(a.taskId)! - order.get(b.taskId)! || a.mapIndex - b.mapIndex);
    // A mapped task is one entry; its copies are listed under it.
    const copiesOf = (taskId: string) =>
      tiRows
        .filter((c) => c.taskId === taskId && c.mapIndex >= 0 && c.state !== "removed")
        .map((c) => ({ mapIndex: c.mapIndex, state: c.state, attempts: c.tryNumber }));
    const tasks = tiRows
      .filter((t) => t.mapIndex < 0)
      .map((t) => {
        const copies = copiesOf(t.taskId);
        return {
          taskId: t.taskId,
          state: t.state,
          attempts: t.tryNumber,
          durationMs: t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null,
          ...(t.error ? { error: t.error } : {}),
          ...(copies.length > 0 ? { copies } : {}),
        };
      });
    if (opts.json || !progress) {
      printJson({ dagId, runId: finished.runId, state: finished.state, tasks });
    } else {
      const outputs = new Map(tiRows.filter((t) => t.mapIndex < 0).map((t) => [t.taskId, t.state === "success" ? t.output : null]));
      progress.summary(tasks.map((t) => ({ ...t, output: outputs.get(t.taskId) ?? null })));
      const runState = style.paint(finished.state === "success" ? "green" : "red", finished.state);
      process.stdout.write(`\nRun ${finished.runId}: ${runState}${finished.note ? ` (${finished.note})` : ""}\n`);
      process.stdout.write(`Logs: ${logsDir}\n`);
    }
    return finished.state === "success" ? 0 : 1;
  } finally {
    await dagRuns.close();
    await secrets.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Pools other than default_pool that the tasks name, with the most slots one task takes. */
function poolsNamedBy(tasks: readonly { pool: string; poolSlots: number }[]): Map<string, number> {
  const pools = new Map<string, number>();
  for (const t of tasks) if (t.pool !== DEFAULT_POOL) pools.set(t.pool, Math.max(pools.get(t.pool) ?? 1, t.poolSlots));
  return pools;
}
