import { EXPLAIN_CODES } from "../../core/explain/explain-types.js";
import { anyObject, arrayOf, bool, obj, str, stringEnum, type JsonSchema } from "./json-schema.js";

/** "Why isn't it running?" (docs/explain.md). */
export const ExplanationSchema: JsonSchema = {
  $id: "Explanation",
  description:
    "Why a DAG, run or task instance is not running: its state and the reasons, each with a stable code, a sentence and the facts behind it (docs/explain.md).",
  ...obj({
    state: { ...str, description: "A DAG: paused, inactive, running or idle. A run or task instance: its state." },
    running: { ...bool, description: "Something is executing: a DAG with a running run, a run with a running task instance, a running attempt." },
    reasons: arrayOf(
      obj({
        code: stringEnum(EXPLAIN_CODES),
        message: { ...str, description: "The reason in plain words." },
        facts: { ...anyObject, description: "What the reason was computed from; times are ISO 8601 UTC. Fields per code in docs/explain.md." },
      }),
    ),
  }),
};
