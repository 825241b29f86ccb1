import { TASK_STATES } from "../../core/model/states.js";
import { arrayOf, int, nullableStr, obj, ref, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

const duration = { type: ["integer", "null"], description: "endedAt − startedAt; null until it ends." };

const taskInstanceProperties = {
  taskId: str,
  mapIndex: int,
  kind: { type: ["string", "null"], description: "Null when the run's DAG version no longer has the task." },
  state: stringEnum(TASK_STATES),
  tryNumber: int,
  maxTries: int,
  pool: str,
  priority: int,
  queuedAt: time,
  startedAt: time,
  endedAt: time,
  durationMs: duration,
  nextRetryAt: time,
  error: nullableStr,
  sensor: {
    description:
      "A sensor in reschedule or deferred mode between pokes: its first poke of this try, pokes so far, when it times out and, when deferred, which check the triggerer runs; null otherwise.",
    oneOf: [{ type: "null" }, obj({ firstPokeAt: time, pokes: int, timeoutAt: time, deferredCheck: nullableStr })],
  },
};

export const TaskInstanceSchema: JsonSchema = { $id: "TaskInstance", ...obj(taskInstanceProperties) };

export const AttemptSchema: JsonSchema = {
  $id: "Attempt",
  ...obj({ tryNumber: int, state: stringEnum(TASK_STATES), startedAt: time, endedAt: time, durationMs: duration, error: nullableStr }),
};

export const TaskInstanceDetailSchema: JsonSchema = {
  $id: "TaskInstanceDetail",
  ...obj({
    ...taskInstanceProperties,
    attempts: arrayOf(ref("Attempt")),
    copies: { ...arrayOf(ref("TaskInstance")), description: "For a mapped task (mapIndex -1): its copies, by map index; empty otherwise." },
    returnValue: {
      description:
        'The task\'s JSON return value (null when it returned nothing); "***" when it is sensitive. Secrets the task obtained through ctx.connection()/ctx.variable() are masked (***) in it.',
    },
    sensitive: {
      type: "boolean",
      description: 'The value is sensitive (the task\'s sensitive option): stored encrypted, never returned; returnValue is "***".',
    },
    offloaded: {
      description:
        "When the value was over BATON_VALUE_STORE_THRESHOLD: where it is kept (docs/storage.md#large-return-values), its size in bytes and SHA-256; returnValue is read from there. error: why it could not be read (returnValue is then null). null for a value kept in the database.",
      oneOf: [{ type: "null" }, obj({ url: { type: "string" }, bytes: int, sha256: { type: "string" }, error: nullableStr })],
    },
    renderedCommand: { type: ["string", "null"], description: "A shell task's command with templates rendered for this run." },
  }),
};
