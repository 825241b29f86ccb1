import { RUN_STATES } from "../../core/model/states.js";
import { anyObject, arrayOf, bool, int, nullableInt, nullableStr, obj, ref, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

const dagSummaryProperties = {
  dagId: str,
  description: nullableStr,
  owner: nullableStr,
  tags: arrayOf(str),
  schedule: { type: ["string", "null"], description: "Cron expression, `@once`, `every Ns`, or null (manual only)." },
  timezone: str,
  paused: bool,
  fileloc: str,
  taskCount: int,
  version: str,
  nextRunAfter: time,
  recentRuns: arrayOf(obj({ runId: str, state: stringEnum(RUN_STATES), logicalDate: time })),
  importError: {
    description:
      "The first import error of the DAG's file (GET /api/v1/import-errors lists them all), null when the file loads. A DAG whose file stops loading stays as last loaded, still scheduled, until the file is fixed or deleted or the DAG is deleted.",
    oneOf: [{ type: "null" }, ref("ImportError")],
  },
  lastRun: {
    description: "The newest run (the first of `recentRuns`) with its start and end; null before the first run.",
    oneOf: [{ type: "null" }, obj({ runId: str, state: stringEnum(RUN_STATES), logicalDate: time, startedAt: time, endedAt: time })],
  },
};

export const DagSummarySchema: JsonSchema = { $id: "DagSummary", ...obj(dagSummaryProperties) };

export const DagTaskSchema: JsonSchema = {
  $id: "DagTask",
  ...obj({
    taskId: str,
    kind: stringEnum(["function", "shell", "branch", "short_circuit"]),
    upstream: arrayOf(str),
    triggerRule: str,
    retries: int,
    pool: str,
    priorityWeight: int,
    command: nullableStr,
    doc: nullableStr,
    mapped: {
      description: "For a mapped task: the arguments it maps over and its limits; null otherwise.",
      oneOf: [{ type: "null" }, obj({ over: arrayOf(str), maxLength: int, maxActive: { type: ["integer", "null"] } })],
    },
  }),
};

export const DagDetailSchema: JsonSchema = {
  $id: "DagDetail",
  ...obj({
    ...dagSummaryProperties,
    params: obj({ schema: anyObject, defaults: anyObject }),
    maxActiveRuns: int,
    maxActiveTasks: int,
    catchup: bool,
    startDate: time,
    endDate: time,
    triggers: {
      ...arrayOf(obj({ id: str, kind: stringEnum(["files", "messages"]), description: str })),
      description: "Event triggers: a run per file or per message (docs/event-triggers.md).",
    },
    tasks: arrayOf(ref("DagTask")),
  }),
};

export const DagSourceSchema: JsonSchema = { $id: "DagSource", ...obj({ dagId: str, version: str, fileloc: str, source: str }) };

export const ImportErrorSchema: JsonSchema = {
  $id: "ImportError",
  description:
    'A problem with a DAG file. `severity` (always set by GET /api/v1/import-errors; absent from a DAG\'s `importError`, which is always a load error) "error": the file (or a DAG in it) failed to load; its DAGs stay as last loaded. "warning": a type error found by the background type check (docs/authoring.md); the DAG loads and runs. `code`: TypeScript\'s diagnostic code for a warning, else null.',
  ...obj({ file: str, line: nullableInt, column: nullableInt, message: str, at: time, severity: stringEnum(["error", "warning"]), code: nullableInt }, [
    "severity",
    "code",
  ]),
};
