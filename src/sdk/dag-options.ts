import { z } from "zod";
import { paramMessagesOverride } from "./params-messages.js";
import { InvalidInputError } from "../core/errors.js";
import type { DagSpec } from "../core/model/dag-spec.js";
import { parseOptionalDuration } from "../core/model/duration.js";
import { parseIsoDate } from "../core/model/iso-date.js";
import { parseSchedule } from "../core/timetable/parse-schedule.js";
import { checkDatasetUris, type DatasetUri } from "./dataset-options.js";
import { checkBoolean, checkId, checkInteger, checkKnownKeys, checkOneOf, checkString, show } from "./option-checks.js";
import { checkPolicyOptions, type Duration, type TaskPolicyOptions } from "./task-options.js";
import { checkParamsTakeEvents, resolveTriggers, type EventTrigger } from "./trigger-options.js";
import { resolveDeadlines, type DeadlineOption } from "./deadline-options.js";
import { DAG_CALLBACK_KEYS, resolveAlertPolicy, resolveCallbackTimeout, type AlertPolicyOptions, type CallbackOptions } from "./callback-options.js";

/** A zod schema of the DAG's params object. */
export type ParamsSchema = z.ZodType<Record<string, unknown>>;

/** The type of `ctx.params` for a DAG declaring `params: S`. */
export type ParamsOf<S> = S extends z.ZodType ? z.output<S> : Record<string, unknown>;

/**
 * Options of `dag()`. Only `id` is required. `onFailure`/`onSuccess` are about the run;
 * `onRetry`/`onExecute`/`onSkipped` apply to every task instance (docs/alerts.md).
 */
export interface DagOptions<S extends ParamsSchema | undefined = ParamsSchema | undefined> extends CallbackOptions<ParamsOf<S>> {
  /** Unique across all DAG files: letters, digits, "_", "-", ".". */
  id: string;
  /**
   * Cron ("0 6 * * 1-5"), preset ("@daily", "@once"…), interval ("15m"), `{ datasets: [...] }`
   * (a run once every listed dataset has been updated), or null for manual runs only. Default null.
   */
  schedule?: string | null | DatasetSchedule;
  /** "interval" (default): a run covers [tick, next tick) and starts at its end. "trigger": run at the tick. */
  scheduleMode?: "interval" | "trigger";
  /** First data interval start: "YYYY-MM-DD" (midnight in `timezone`), ISO date-time, Date or epoch ms. */
  startDate?: string | Date | number | null;
  /** No run whose data interval starts after it. */
  endDate?: string | Date | number | null;
  /** IANA time zone for cron schedules, bare dates and `ds`. Default "UTC". */
  timezone?: string;
  /** Create the runs missed since startDate (or since the last run). Default false. */
  catchup?: boolean;
  tags?: string[];
  description?: string | null;
  owner?: string | null;
  /** zod schema of the run params; defaults must parse from `{}`. Serialized as JSON Schema. */
  params?: S;
  /** Defaults for every task's options. */
  defaults?: TaskPolicyOptions;
  /** Runs of this DAG running at once. Default 16. */
  maxActiveRuns?: number;
  /** Task instances of this DAG running at once, across its runs. Default 16. */
  maxActiveTasks?: number;
  /** A run still going after this long fails and its running tasks are stopped. Default none. */
  runTimeout?: Duration | null;
  /**
   * When a run must be finished by: `{ reference, interval }` or a list of them; a run not
   * finished then has missed the deadline (recorded once, the run goes on; docs/deadlines.md).
   */
  deadline?: DeadlineOption | readonly DeadlineOption[] | null;
  /** Event triggers: `onFile({...})` and `onMessage({...})`; each file or message starts a run of type "event". */
  triggers?: readonly EventTrigger[];
  /** Time limit of one callback function of this DAG or its tasks. Default "60s". */
  callbackTimeout?: Duration | null;
  /** When failed runs alert, how repeats are limited, whether recovery resolves (docs/alerts.md). */
  alertPolicy?: AlertPolicyOptions;
}

/** Schedule on datasets: a run once ALL of them have been updated since the last such run. */
export interface DatasetSchedule {
  datasets: readonly DatasetUri[];
}

export const DAG_OPTION_KEYS = [
  "id",
  "schedule",
  "scheduleMode",
  "startDate",
  "endDate",
  "timezone",
  "catchup",
  "tags",
  "description",
  "owner",
  "params",
  "defaults",
  "maxActiveRuns",
  "maxActiveTasks",
  "runTimeout",
  "deadline",
  "triggers",
  ...DAG_CALLBACK_KEYS,
] as const;

export type ResolvedDagOptions = Omit<DagSpec, "fileloc" | "tasks">;

/** Checks and normalizes `dag()` options. Throws InvalidInputError naming the key. */
export function resolveDagOptions(options: DagOptions): ResolvedDagOptions {
  checkKnownKeys(options, DAG_OPTION_KEYS, "DAG option");
  const dagId = checkId(options.id, "DAG id");
  const timezone = checkTimezone(options.timezone ?? "UTC");
  const schedule = resolveSchedule(options.schedule, checkOneOf(options.scheduleMode ?? "interval", "scheduleMode", ["interval", "trigger"] as const));
  const startDate = toEpoch(options.startDate, "startDate", timezone);
  const endDate = toEpoch(options.endDate, "endDate", timezone);
  if (startDate !== null && endDate !== null && endDate < startDate) {
    throw new InvalidInputError(`endDate ${show(options.endDate)} is before startDate ${show(options.startDate)}`);
  }
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) {
    throw new InvalidInputError(`tags must be a list of strings, got ${show(tags)}`);
  }
  if (options.defaults !== undefined) checkPolicyOptions(options.defaults);
  const runTimeout = options.runTimeout;
  if (runTimeout !== undefined && runTimeout !== null && typeof runTimeout !== "number" && typeof runTimeout !== "string") {
    throw new InvalidInputError(`runTimeout must be a duration like "2h", got ${show(runTimeout)}`);
  }
  return {
    dagId,
    schedule,
    startDate,
    endDate,
    timezone,
    catchup: checkBoolean(options.catchup ?? false, "catchup"),
    tags: [...tags],
    description: optionalText(options.description, "description"),
    owner: optionalText(options.owner, "owner"),
    ...resolveParams(options.params, schedule.kind === "none" && (options.triggers === undefined || options.triggers.length === 0)),
    maxActiveRuns: checkInteger(options.maxActiveRuns ?? 16, "maxActiveRuns", 1),
    maxActiveTasks: checkInteger(options.maxActiveTasks ?? 16, "maxActiveTasks", 1),
    runTimeoutMs: parseOptionalDuration(runTimeout, "runTimeout"),
    ...resolveDeadlineList(options.deadline, timezone),
    ...resolveTriggerList(options.triggers, dagId, options.params),
    ...resolveAlerting(options),
  };
}

function resolveAlerting(options: DagOptions): Pick<DagSpec, "callbackTimeoutMs" | "alertPolicy"> {
  const callbackTimeoutMs = resolveCallbackTimeout(options.callbackTimeout);
  const alertPolicy = resolveAlertPolicy(options.alertPolicy);
  return { ...(callbackTimeoutMs === undefined ? {} : { callbackTimeoutMs }), ...(alertPolicy === undefined ? {} : { alertPolicy }) };
}

function resolveDeadlineList(value: unknown, timezone: string): Pick<DagSpec, "deadlines"> {
  const deadlines = resolveDeadlines(value, timezone);
  return deadlines.length === 0 ? {} : { deadlines };
}

function resolveSchedule(value: unknown, mode: "interval" | "trigger"): DagSpec["schedule"] {
  if (value === undefined || value === null || typeof value === "string") return parseSchedule(value, mode);
  if (typeof value === "object" && !Array.isArray(value)) {
    checkKnownKeys(value, ["datasets"], "schedule key");
    const uris = checkDatasetUris((value as { datasets?: unknown }).datasets, "schedule.datasets");
    if (uris.length === 0) throw new InvalidInputError('schedule.datasets must list at least one dataset URI, e.g. { datasets: ["warehouse://sales"] }');
    return { kind: "datasets", uris };
  }
  throw new InvalidInputError(`schedule must be a string, { datasets: [...] } or null, got ${show(value)}`);
}

function resolveTriggerList(value: unknown, dagId: string, params: ParamsSchema | undefined): Pick<DagSpec, "triggers"> {
  const triggers = resolveTriggers(value, dagId);
  if (triggers.length > 0 && params !== undefined) checkParamsTakeEvents(resolveParams(params).paramsSchema, triggers);
  return triggers.length === 0 ? {} : { triggers };
}

function checkTimezone(value: unknown): string {
  const tz = checkString(value, "timezone");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new InvalidInputError(`timezone "${tz}" is not an IANA time zone; use e.g. "UTC", "Europe/Paris", "America/New_York"`);
  }
  return tz;
}

function toEpoch(value: unknown, key: string, timezone: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") {
    try {
      return parseIsoDate(value, timezone);
    } catch (error) {
      throw new InvalidInputError(`${key}: ${(error as Error).message}; or give a Date or epoch ms`);
    }
  }
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidInputError(`${key} ${show(value)} is not a date; use "YYYY-MM-DD", an ISO 8601 date-time, a Date or epoch ms`);
  }
  return ms;
}

function optionalText(value: unknown, key: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new InvalidInputError(`${key} must be a string, got ${show(value)}`);
  return value;
}

/**
 * The params' JSON Schema and defaults. Every param needs a default (or `.optional()`), except in a
 * DAG that only runs when triggered (`schedule: null`, no event triggers), as in Airflow, where
 * scheduled DAGs' params are checked when the DAG is parsed and a manual-only DAG's when it is
 * triggered: there a param without default is required in the trigger's conf.
 */
function resolveParams(schema: ParamsSchema | undefined, manualOnly = false): Pick<DagSpec, "paramsSchema" | "paramsDefaults"> {
  if (schema === undefined) return { paramsSchema: {}, paramsDefaults: {} };
  if (typeof schema !== "object" || schema === null || typeof (schema as { safeParse?: unknown }).safeParse !== "function" || !("_zod" in schema)) {
    throw new InvalidInputError(`params must be a zod schema such as z.object({ region: z.string().default("eu") }), got ${show(schema)}`);
  }
  const parsed = schema.safeParse({});
  if (!parsed.success) {
    const partial = manualOnly ? defaultsOfRequired(schema, parsed.error) : null;
    if (partial) return { paramsSchema: jsonSchemaOf(schema), paramsDefaults: partial };
    throw new InvalidInputError(
      `params defaults do not satisfy the params schema; give every param a .default() or make it .optional()` +
        `${manualOnly ? "" : " (only a DAG with schedule: null may leave one without default, to be given when triggered)"}:\n${z.prettifyError(parsed.error)}`,
    );
  }
  if (typeof parsed.data !== "object" || parsed.data === null || Array.isArray(parsed.data)) {
    throw new InvalidInputError("params must be an object schema, e.g. z.object({ … })");
  }
  const defaults = JSON.parse(JSON.stringify(parsed.data)) as Record<string, unknown>;
  if (!schema.safeParse(defaults).success) {
    throw new InvalidInputError("params defaults must be JSON values (strings, numbers, booleans, null, arrays, objects)");
  }
  return { paramsSchema: jsonSchemaOf(schema), paramsDefaults: defaults };
}

function jsonSchemaOf(schema: ParamsSchema): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any", override: paramMessagesOverride }) as Record<string, unknown>;
}

/**
 * When `schema.parse({})` failed only because some top-level params have no default (each issue a
 * missing value of one key), the defaults of the others; else null (a default breaking its own
 * check, or a schema that is not a plain object, stays an error).
 */
function defaultsOfRequired(schema: ParamsSchema, error: z.ZodError): Record<string, unknown> | null {
  const shape = (schema as { shape?: unknown }).shape;
  if (typeof shape !== "object" || shape === null) return null;
  const fields = shape as Record<string, z.ZodType>;
  const missing = error.issues.every((i) => i.code === "invalid_type" && i.path.length === 1 && String(i.path[0]) in fields);
  if (!missing) return null;
  const defaults: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    const own = field.safeParse(undefined);
    if (!own.success || own.data === undefined) continue;
    const value: unknown = JSON.parse(JSON.stringify(own.data));
    if (!field.safeParse(value).success) {
      throw new InvalidInputError("params defaults must be JSON values (strings, numbers, booleans, null, arrays, objects)");
    }
    defaults[key] = value;
  }
  return defaults;
}
