/**
 * API types used by the UI, taken from the generated ./schema.d.ts (OpenAPI document
 * docs/openapi.json → `npx openapi-typescript docs/openapi.json -o ui/src/api/schema.d.ts`).
 * Every other file imports API types from here only. The few shapes the document leaves open
 * (the params JSON Schema, SSE `change` events) are written by hand below.
 */
import type { components, paths } from "./schema";

type S = components["schemas"];
export type DagSummary = S["DagSummary"];
export type DagDetail = S["DagDetail"];
export type DagTask = S["DagTask"];
export type DagSource = S["DagSource"];
export type ImportError = S["ImportError"];
export type Run = S["Run"];
export type Grid = S["Grid"];
export type GridRun = Grid["runs"][number];
export type GridTask = Grid["tasks"][number];
export type GridCell = NonNullable<GridRun["tasks"][number]>;
export type CommandResult = S["CommandResult"];
export type TaskInstance = S["TaskInstance"];
export type TaskInstanceDetail = S["TaskInstanceDetail"];
export type Attempt = S["Attempt"];
export type ApiErrorBody = S["Error"];
export type RecentRun = DagSummary["recentRuns"][number];
export type Connection = S["Connection"];
export type ConnectionCheck = S["ConnectionCheck"];
export type Variable = S["Variable"];

export type TaskState = TaskInstance["state"];
export type RunState = Run["state"];
export type RunType = Run["runType"];
export type Me = paths["/api/v1/auth/me"]["get"]["responses"][200]["content"]["application/json"];
export type Role = Me["role"];

export interface DagList {
  dags: DagSummary[];
  total: number;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface LoginResponse {
  user: { username: string; role: Role };
  csrfToken: string;
}

/** A JSON Schema node, as far as the trigger form reads it (DagDetail.params.schema). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [key: string]: unknown;
}

/** Data of an SSE `change` event on GET /api/v1/events. */
export interface ChangeEvent {
  kind: "run" | "task" | "dag";
  dagId: string;
  runId?: string;
  taskId?: string;
  state?: string;
}
