import { anyObject, arrayOf, int, obj, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

export const BackfillSchema: JsonSchema = {
  $id: "Backfill",
  ...obj({
    id: int,
    dagId: str,
    from: time,
    to: time,
    reprocess: stringEnum(["none", "failed", "completed"]),
    maxActiveRuns: int,
    conf: anyObject,
    state: stringEnum(["queued", "running", "done", "cancelled"]),
    paused: {
      type: "boolean",
      description:
        "Paused (POST /api/v1/backfills/{id}/pause; Airflow 3's is_paused): the scheduler starts none of its queued runs, its running runs finish; state stays queued or running. Unpausing sets it false. A backfill that ends keeps the value it had.",
    },
    createdAt: time,
    endedAt: time,
    progress: {
      ...obj({ total: int, queued: int, running: int, success: int, failed: int }),
      description:
        "The runs the backfill waits for, by state: its DAG's runs with a logical date in [from, to], counted when read (0 before the scheduler plans it).",
    },
  }),
};

export const PoolSchema: JsonSchema = {
  $id: "Pool",
  ...obj({
    name: str,
    slots: int,
    description: str,
    running: { type: "integer", description: "Slots taken by queued and running task instances (runningSlots + queuedSlots)." },
    runningSlots: { type: "integer", description: "Slots taken by running task instances." },
    queuedSlots: { type: "integer", description: "Slots taken by queued task instances (handed to a worker, not started yet)." },
    openSlots: { type: "integer", description: "slots − running, never below 0 (slots lowered under the usage leave it at 0)." },
    holders: arrayOf({
      ...obj({ dagId: str, runId: str, taskId: str, mapIndex: int, state: stringEnum(["queued", "running"]), slots: int, tryNumber: int, since: time }),
      description: "A task instance holding slots of the pool; `since` is when it was queued.",
    }),
    holdersTotal: { type: "integer", description: "Task instances holding slots; `holders` lists the first 100, oldest first." },
  }),
};
