import { RUN_STATES, RUN_TYPES, TASK_STATES } from "../../core/model/states.js";
import { anyObject, arrayOf, int, nullableInt, nullableStr, obj, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

export const RunSchema: JsonSchema = {
  $id: "Run",
  ...obj(
    {
      dagId: str,
      runId: str,
      runType: stringEnum(RUN_TYPES),
      state: stringEnum(RUN_STATES),
      logicalDate: time,
      dataIntervalStart: time,
      dataIntervalEnd: time,
      conf: anyObject,
      dagVersion: str,
      backfillId: nullableInt,
      createdAt: time,
      startedAt: time,
      endedAt: time,
      durationMs: { type: ["integer", "null"], description: "endedAt − startedAt; null until the run ends." },
      note: nullableStr,
      deadlineMissed: {
        type: "boolean",
        description: "The run, or one of its attempts, missed a deadline (docs/deadlines.md). In run lists and a run's own JSON.",
      },
      triggeredBy: {
        ...nullableStr,
        description:
          "Who asked for the run: a username, `local` (local mode), `cli:<os user>` or `webhook`; null when the scheduler created it (schedule, dataset, event, backfill) or before Baton recorded it.",
      },
    },
    ["deadlineMissed"],
  ),
};

export const GridSchema: JsonSchema = {
  $id: "Grid",
  ...obj({
    tasks: arrayOf(obj({ taskId: str, kind: str, upstream: arrayOf(str) })),
    runs: arrayOf(
      obj({
        runId: str,
        state: stringEnum(RUN_STATES),
        runType: stringEnum(RUN_TYPES),
        logicalDate: time,
        startedAt: time,
        endedAt: time,
        note: {
          ...nullableStr,
          description: "Why the run ended the way it did when it isn't its leaves (deadlock, timeout, stopped…); the grid marks such runs.",
        },
        tasks: arrayOf({
          ...obj({ state: stringEnum(TASK_STATES), tryNumber: int }),
          type: ["object", "null"],
          description: "One cell per task in `tasks` order; null when the run's DAG version lacks the task.",
        }),
      }),
    ),
    nextCursor: nullableStr,
  }),
};
