import { anyObject, int, obj, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

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
    createdAt: time,
    endedAt: time,
  }),
};

export const PoolSchema: JsonSchema = {
  $id: "Pool",
  ...obj({
    name: str,
    slots: int,
    description: str,
    running: { type: "integer", description: "Slots taken by queued and running task instances." },
  }),
};
