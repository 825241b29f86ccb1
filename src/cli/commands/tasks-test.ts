import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import type { AttemptReport } from "../../core/ports/executor.js";
import { manualRunInterval } from "../../core/timetable/timetable.js";
import { findDagFiles, loadDagFiles } from "../../dag-processor/index.js";
import { InProcessExecutor } from "../../executor/in-process-executor.js";
import { makeRunId } from "../../scheduler/run-factory.js";
import { timetableOf } from "../../scheduler/scheduled-runs.js";
import { loadConfig } from "../../config/config.js";
import { parseJsonOption, printJson } from "../output.js";
import { openOutputSealer, openSecretsResolver, type CommonOptions } from "../runtime.js";
import { openDagRunsGateway } from "../open-dag-runs-gateway.js";
import { configuredValueStore } from "../value-store.js";
import { parseDateOption } from "./dags-trigger.js";
import { inputsFromRun, mappedCopyArguments, missingInputsError, neededInputs, type NeededInput } from "./tasks-test-inputs.js";
import { openStore } from "../../store/index.js";
import { colorsWanted, terminalStyle } from "../terminal-style.js";

export interface TaskTestOptions extends CommonOptions {
  date?: string;
  conf?: string;
  inputs?: string;
  /** Take the upstream values from this stored run (`latest`: the DAG's newest). */
  fromRun?: string;
  /** Run this copy of a mapped task: its element inputs taken from the lists (of --from-run's run, or literal). */
  mapIndex?: string;
}

function parseMapIndex(text: string | undefined, task: { taskId: string; map?: unknown }): number {
  if (text === undefined) return -1;
  if (!/^\d+$/.test(text.trim())) throw new InvalidInputError(`--map-index: expected a whole number ≥ 0 (a copy of a mapped task), got "${text}"`);
  if (!task.map) throw new InvalidInputError(`--map-index: task "${task.taskId}" is not mapped; run it without --map-index`);
  return Number(text.trim());
}

/**
 * Runs one task once, in this process, ignoring its dependencies and recording nothing
 * (Airflow's `tasks test`). Upstream values are given with --inputs '{"name": value}' or taken
 * from a stored run with --from-run; a task missing some is not run, and the error names them.
 */
export async function tasksTest(dagId: string, taskId: string, opts: TaskTestOptions): Promise<number> {
  const config = loadConfig(opts);
  const conf = parseJsonOption(opts.conf, "--conf");
  const given = parseJsonOption(opts.inputs, "--inputs");
  const tmp = mkdtempSync(join(tmpdir(), "baton-task-test-"));
  const secrets = openSecretsResolver(config);
  const dagRuns = openDagRunsGateway(config); // cross-DAG operators use the configured database
  try {
    const results = await loadDagFiles(findDagFiles(config.dagsDir), {
      bundleDir: join(tmp, "bundles"),
      timeoutMs: config.dagFileTimeoutMs,
      memoryMb: config.dagFileMemoryMb,
    });
    const version = results.flatMap((r) => r.dags).find((d) => d.dagId === dagId);
    if (!version) throw new NotFoundError(`unknown DAG "${dagId}" in ${config.dagsDir}`);
    const task = version.spec.tasks.find((t) => t.taskId === taskId);
    if (!task) throw new NotFoundError(`DAG ${dagId} has no task "${taskId}"; tasks: ${version.spec.tasks.map((t) => t.taskId).join(", ")}`);
    const mapIndex = parseMapIndex(opts.mapIndex, task);
    const needed = neededInputs(task).filter((n) => !(n.name in given));
    let inputs = given;
    let fromRun: string | null = null;
    let missing: { input: NeededInput; why?: string }[] = needed.map((input) => ({ input }));
    let taken: Record<string, unknown> = {};
    if (opts.fromRun !== undefined && needed.length > 0) {
      const store = await openStore(config.databaseUrl);
      const valueStore = configuredValueStore(config, openSecretsResolver(config, store).resolver);
      try {
        const read = await inputsFromRun(store, openOutputSealer(config), dagId, opts.fromRun, needed, mapIndex >= 0, valueStore).finally(() =>
          valueStore.close(),
        );
        taken = read.values;
        inputs = { ...taken, ...given };
        fromRun = read.runId;
        missing = read.missing;
      } finally {
        await store.close();
      }
    }
    if (mapIndex >= 0) {
      for (const m of missing)
        if (m.input.element && m.why === undefined)
          m.why =
            "a mapped copy's element is taken from the list stored for a run: add --from-run latest (or --from-run <run id>), or give the element with --inputs";
    }
    if (missing.length > 0) throw missingInputsError(dagId, taskId, missing, opts.fromRun ?? null);
    if (mapIndex >= 0 && task.map) {
      // The copy's elements (and partial arguments), then the plain inputs, then what --inputs gives.
      const elements = Object.fromEntries(
        Object.keys(task.map.over)
          .filter((n) => n in taken)
          .map((n) => [n, taken[n]]),
      );
      const plain = Object.fromEntries(Object.entries(taken).filter(([n]) => !(n in elements)));
      inputs = { ...mappedCopyArguments(taskId, task.map, mapIndex, elements, given, fromRun), ...plain, ...given };
    }
    const params = resolveParams(version.spec.paramsSchema, version.spec.paramsDefaults, conf);
    const now = Date.now();
    const interval = manualRunInterval(timetableOf(version.spec), parseDateOption(opts.date, version.spec.timezone, now));
    const logPath = join(tmp, "attempt.log");
    const executor = new InProcessExecutor({ echoOutput: false, secrets: secrets.resolver, dagRuns: dagRuns.gateway });
    const report = await new Promise<AttemptReport>((resolve) => {
      void executor.start({ started() {}, finished: resolve }).then(() =>
        executor.submit({
          attemptId: "test",
          runPk: 0,
          taskId,
          mapIndex,
          tryNumber: 1,
          maxTries: 1,
          bundlePath: version.bundlePath,
          task,
          context: {
            dagId,
            runId: makeRunId("manual", interval.logicalDate),
            runType: "manual",
            logicalDate: interval.logicalDate,
            dataIntervalStart: interval.dataIntervalStart,
            dataIntervalEnd: interval.dataIntervalEnd,
            timezone: version.spec.timezone,
            params,
            conf,
          },
          inputs,
          logPath,
          maxOutputBytes: config.maxOutputBytes,
        }),
      );
    });
    await executor.shutdown(0);
    const log = existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
    const o = report.outcome;
    // A sensor in reschedule or deferred mode pokes once here, as one attempt of a run would.
    const state =
      o.kind === "success"
        ? "success"
        : o.kind === "skipped"
          ? "skipped"
          : o.kind === "reschedule"
            ? "up_for_reschedule"
            : o.kind === "deferred"
              ? "deferred"
              : "failed";
    // A sensitive value is never printed; any other value has the attempt's secrets masked already.
    const sensitive = o.kind === "success" && o.sensitive === true;
    const value = sensitive ? "***" : o.kind === "success" && o.output !== null ? JSON.parse(o.output) : null;
    if (opts.json) {
      printJson({
        dagId,
        taskId,
        mapIndex,
        state,
        returnValue: value,
        sensitive,
        error: "error" in o ? o.error : null,
        durationMs: report.endedAt - report.startedAt,
        log,
      });
    } else {
      const { paint } = terminalStyle(colorsWanted(process.stdout, process.env));
      if (fromRun !== null)
        process.stdout.write(paint("dim", `Inputs ${needed.map((n) => n.name).join(", ")} from run ${fromRun}${mapIndex >= 0 ? ` (copy ${mapIndex})` : ""}\n`));
      process.stdout.write(log);
      const shown = paint(state === "success" ? "green" : state === "failed" ? "red" : "yellow", state);
      process.stdout.write(`\nTask ${taskId}: ${shown}${"error" in o ? ` — ${o.error}` : ""}\n`);
      if (o.kind === "success") process.stdout.write(`Return value: ${sensitive ? "*** (sensitive)" : (o.output ?? "(none)")}\n`);
    }
    return state === "failed" ? 1 : 0;
  } finally {
    await dagRuns.close();
    await secrets.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
