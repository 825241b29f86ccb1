// The public SDK: `import { dag, task, … } from "baton"`. Keep this surface narrow.
export { dag } from "./dag.js";
export { task, shell, branch, shortCircuit } from "./free-functions.js";
export { chain } from "./chain.js";
export { onFile, onMessage } from "./trigger-options.js";
export { SkipTask, FailTask } from "../core/errors.js";
export { z } from "zod";
// Notifiers for callbacks (also `baton/notifiers`): see docs/alerts.md#notifiers.
export { slack, teams, pagerduty, opsgenie, email, webhook, jira } from "../notifiers/index.js";

export type { TaskContext, PrevSuccess, CallbackContext, TaskTrace, TaskSpan, SpanAttributes, SpanAttributeValue } from "./context.js";
export type { Callback, Callbacks, AlertPolicyOptions } from "./callback-options.js";
export type { AlertAnomaly } from "../core/model/alerts.js";
export type { Connection } from "../core/model/connection.js";
export type { TaskRef } from "./task-ref.js";
export type { DagOptions, DatasetSchedule } from "./dag-options.js";
export type { DeadlineOption } from "./deadline-options.js";
export type { DatasetUri } from "./dataset-options.js";
export type { EventTrigger, FileEvent, MessageEvent, OnFileOptions, OnMessageOptions } from "./trigger-options.js";
export type { TaskOptions, SetupTeardownOptions, TeardownOptions } from "./task-options.js";
export type { MappedTaskOptions } from "./map-options.js";
export type { TriggerRule } from "../core/model/states.js";
export type { DagDefinition } from "./definition.js";
export type { NotifierDeclaration } from "../core/model/alerts.js";
