import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { MapSpec, TaskSpec } from "../../core/model/dag-spec.js";
import { expandMap, mapArguments } from "../../core/scheduling/expand-map.js";
import { isSealedOutput, sealContext, type OutputSealer } from "../../core/ports/output-sealer.js";
import type { Store } from "../../core/ports/store.js";
import { isOffloadedOutput, parseValueRef, type ValueStore } from "../../core/ports/value-store.js";

/** An upstream value a task takes: its input name and the upstream task that returns it. */
export interface NeededInput {
  name: string;
  taskId: string;
  /** A mapped task's input: each copy takes one element of the upstream list. */
  element: boolean;
}

/** The upstream values `task` takes, by input name (`inputs`, and the lists a mapped task is mapped over). */
export function neededInputs(task: TaskSpec): NeededInput[] {
  return [
    ...Object.entries(task.inputs).map(([name, taskId]) => ({ name, taskId, element: false })),
    ...Object.entries(task.map?.over ?? {}).map(([name, taskId]) => ({ name, taskId, element: true })),
  ];
}

/** The values found in a stored run, and why the others are not there. */
export interface RunInputs {
  runId: string;
  values: Record<string, unknown>;
  missing: { input: NeededInput; why: string }[];
}

/**
 * The upstream return values of run `run` (`latest`: the DAG's newest run) for `needed`, as the
 * scheduler would hand them to the task: a sensitive value opened with the store's key, a task
 * that returned nothing giving `undefined`, an offloaded value read from `valueStore`. An upstream task that did not succeed in that run is
 * listed in `missing` with the reason; so is a mapped task's element, unless `wholeLists`: then
 * the element input holds the upstream's whole list (for {@link mappedCopyArguments}).
 */
export async function inputsFromRun(
  store: Pick<Store, "getRun" | "listRuns" | "listTaskInstances">,
  sealer: OutputSealer,
  dagId: string,
  run: string,
  needed: readonly NeededInput[],
  wholeLists = false,
  valueStore: ValueStore | null = null,
): Promise<RunInputs> {
  const record = run === "latest" ? (await store.listRuns({ dagId, limit: 1 }))[0] : await store.getRun(dagId, run);
  if (record === undefined) {
    const what = run === "latest" ? `DAG ${dagId} has no runs yet` : `DAG ${dagId} has no run "${run}"`;
    throw new NotFoundError(`${what} in the configured database; list runs with \`baton runs list --dag ${dagId}\``);
  }
  const tis = await store.listTaskInstances(record.id);
  const values: Record<string, unknown> = {};
  const missing: RunInputs["missing"] = [];
  for (const input of needed) {
    if (input.element && !wholeLists) {
      missing.push({ input, why: "a mapped task takes one element of that list: give the element with --inputs, or pick the copy with --map-index" });
      continue;
    }
    const ti = tis.find((t) => t.taskId === input.taskId && t.mapIndex === -1);
    if (ti === undefined || ti.state !== "success") {
      missing.push({ input, why: `task "${input.taskId}" is ${ti?.state ?? "not"} in run ${record.runId}` });
      continue;
    }
    let text = ti.output;
    if (isOffloadedOutput(text)) {
      // Over BATON_VALUE_STORE_THRESHOLD: the value is in the value store (docs/storage.md#large-return-values).
      const ref = parseValueRef(text);
      if (valueStore === null) {
        missing.push({ input, why: `the value of task "${input.taskId}" is offloaded to ${ref.key} and no value store is configured` });
        continue;
      }
      try {
        text = await valueStore.read(ref);
      } catch (e) {
        missing.push({ input, why: e instanceof Error ? e.message : String(e) });
        continue;
      }
    }
    if (isSealedOutput(text)) {
      try {
        text = sealer.open(text, sealContext(dagId, record.runId, input.taskId, -1));
      } catch (e) {
        missing.push({
          input,
          why: `the sensitive value of task "${input.taskId}" cannot be opened with this key: ${e instanceof Error ? e.message : String(e)}`,
        });
        continue;
      }
    }
    values[input.name] = text === null ? undefined : JSON.parse(text);
  }
  return { runId: record.runId, values, missing };
}

/**
 * The arguments copy `mapIndex` of a mapped task receives, as the scheduler gives them: one
 * element of each list it is mapped over (`lists`: an upstream's whole value by input name, as
 * {@link inputsFromRun} read it with `wholeLists`; literal lists from the spec) plus `partial`.
 * Inputs in `given` (elements given by hand) are left out of the expansion: `mapIndex` numbers
 * the copies over the other lists.
 */
export function mappedCopyArguments(
  taskId: string,
  map: MapSpec,
  mapIndex: number,
  lists: Record<string, unknown>,
  given: Record<string, unknown>,
  runId: string | null,
): Record<string, unknown> {
  const over = Object.fromEntries(Object.entries(map.over).filter(([name]) => !(name in given)));
  const values = Object.fromEntries(Object.entries(map.values).filter(([name]) => !(name in given)));
  const upstream = new Map(Object.entries(over).map(([name, upstreamId]) => [upstreamId, lists[name]]));
  const rest: MapSpec = { ...map, over, values, maxLength: Number.MAX_SAFE_INTEGER };
  const expansion = expandMap(taskId, rest, (u) => upstream.get(u));
  if (!expansion.ok) throw new InvalidInputError(`--map-index: ${expansion.error}${runId !== null ? ` in run ${runId}` : ""}`);
  if (mapIndex >= expansion.length) {
    const where = runId !== null ? ` in run ${runId}` : "";
    const range = expansion.length === 0 ? "none: its lists are empty" : `map indexes 0…${expansion.length - 1}`;
    throw new InvalidInputError(`--map-index ${mapIndex}: task "${taskId}" has ${expansion.length} copies${where} (${range})`);
  }
  return mapArguments(rest, expansion.lists, mapIndex);
}

/** The error for a task run without some upstream values: which, from which tasks, and how to give them. */
export function missingInputsError(
  dagId: string,
  taskId: string,
  missing: readonly { input: NeededInput; why?: string }[],
  triedRun: string | null,
): InvalidInputError {
  const lines = missing.map(({ input, why }) => {
    const from = input.element ? `one element of the list task "${input.taskId}" returns` : `the return value of task "${input.taskId}"`;
    return `  ${input.name}: ${from}${why ? ` (${why})` : ""}`;
  });
  const example = `{${missing.map(({ input }) => `"${input.name}": …`).join(", ")}}`;
  const how =
    triedRun === null
      ? `give them with --inputs '${example}', or take them from a stored run with --from-run latest (or --from-run <run id>)`
      : `give them with --inputs '${example}' (it adds to and overrides --from-run), or pick another run with --from-run <run id>`;
  return new InvalidInputError(`task "${taskId}" of DAG ${dagId} needs upstream values it was not given:\n${lines.join("\n")}\n${how}`);
}
