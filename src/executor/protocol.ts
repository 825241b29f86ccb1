import type { AttemptContext, AttemptOutcome, AttemptRequest } from "../core/ports/executor.js";
import type { Connection } from "../core/model/connection.js";
import type { EpochMs } from "../core/model/records.js";
import type { DagRunsGatewayOp } from "../core/ports/dag-runs-gateway.js";
import type { LostWrites } from "./task-runner/attempt-log.js";

/**
 * IPC between the pool and its task-runner children (`process.send`, JSON serialization: it
 * measured faster than "advanced" for these small messages). Both sides batch: one message may
 * carry several attempts or several events.
 */
export interface ParentMessage {
  /** Run parts the attempts below (and later ones) name; applied first. */
  parts?: WireRunPart[];
  /** Attempts to run, in order, after the ones the child already holds. */
  run?: WireAttempt[];
  /** Run parts no later attempt names (the parent keeps a bounded set per child); applied after `run`. */
  forget?: number[];
  /** Give back these attempts if not started; answered by `recalled`. Applied after `run`. */
  recall?: string[];
  /** Answers to the children's `secret` requests. */
  secrets?: SecretReply[];
  /** Answers to the children's `dagRuns` requests. */
  dagRuns?: DagRunsReply[];
}

/**
 * What the attempts of one run share (the DAG's bundle, the run's context, the output limit):
 * sent once to each child, named by `ref` in the attempts that follow (docs/executor.md).
 */
export interface WireRunPart {
  ref: number;
  bundlePath: string;
  context: AttemptContext;
  maxOutputBytes: number;
}

/**
 * An attempt as sent to a child: its own fields, `part` naming its run part. The task spec is not
 * sent (the runner reads the task from the bundle).
 */
export type WireAttempt = Omit<AttemptRequest, "bundlePath" | "context" | "maxOutputBytes" | "task"> & { part: number };

/** The parent's answer to a `dagRuns` request: the gateway method's value, or its error. */
export type DagRunsReply =
  { req: number; value: unknown } | { req: number; error: string; code: "not_found" | "invalid" | "conflict" | "unavailable" | "failed" };

/** The parent's answer to a `secret` request: the value, or why there is none. */
export type SecretReply =
  | { req: number; connection: Connection }
  | { req: number; variable: string }
  | { req: number; error: string; code: "not_found" | "invalid" | "unavailable" | "failed" };

export type ChildEvent =
  /** The child is up and listening. */
  | { t: "ready" }
  | { t: "started"; id: string; at: EpochMs }
  /** `logLost`: writes to the attempt's log that failed (the task went on). */
  | { t: "finished"; id: string; at: EpochMs; outcome: AttemptOutcome; logLost?: LostWrites }
  /** `dropped` will never run; the other requested ids had already started (or finished). */
  | { t: "recalled"; dropped: string[]; started: string[] }
  /** The running attempt asks for a connection or variable (`ctx.connection`, `ctx.variable`); answered by `secrets`. */
  | { t: "secret"; req: number; id: string; kind: "connection" | "variable"; name: string }
  /** The running attempt calls the DagRunsGateway (cross-DAG operators); answered by `dagRuns`. */
  | { t: "dagRuns"; req: number; id: string; op: DagRunsGatewayOp; args: unknown[] };

export interface ChildMessage {
  events: ChildEvent[];
}
