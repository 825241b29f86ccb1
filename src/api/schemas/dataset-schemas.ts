import { anyObject, arrayOf, int, obj, str, type JsonSchema } from "./json-schema.js";

/** The dataset URI form the SDK accepts: a lowercase scheme, "://", and a non-empty rest. */
export const DATASET_URI_SCHEMA = { type: "string", minLength: 4, maxLength: 1000, pattern: "^[a-z][a-z0-9+.-]*://.+" } as const;

export const DatasetEventSchema: JsonSchema = {
  $id: "DatasetEvent",
  description: "A dataset was updated: by a task with it in its outlets that succeeded (`source`), or from outside (`source` null).",
  ...obj({
    id: { type: "integer", description: "Increasing; page with `beforeId`." },
    uri: str,
    source: {
      type: ["object", "null"],
      properties: { dagId: str, runId: str, taskId: str, tryNumber: int },
      required: ["dagId", "runId", "taskId", "tryNumber"],
      additionalProperties: false,
    },
    extra: anyObject,
    createdAt: { type: "string", format: "date-time" },
  }),
};

export const DatasetSchema: JsonSchema = {
  $id: "Dataset",
  description: "A dataset named by a DAG (a task's inlets/outlets, a dataset schedule) or by an event.",
  ...obj({
    uri: str,
    producers: { ...arrayOf(obj({ dagId: str, taskId: str })), description: "Tasks with the dataset in their outlets." },
    readers: { ...arrayOf(obj({ dagId: str, taskId: str })), description: "Tasks with the dataset in their inlets." },
    consumers: { ...arrayOf(obj({ dagId: str })), description: "DAGs scheduled on the dataset." },
    eventCount: int,
    lastEvent: { oneOf: [{ type: "null" }, { $ref: "DatasetEvent#" }] },
  }),
};
