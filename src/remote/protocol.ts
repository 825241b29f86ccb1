import type { Connection } from "../core/model/connection.js";
import type { EpochMs } from "../core/model/records.js";
import type { DagRunsGatewayOp } from "../core/ports/dag-runs-gateway.js";
import type { AttemptContext, AttemptOutcome, AttemptRequest } from "../core/ports/executor.js";

/**
 * The channel between `baton worker` and the API server (docs/workers.md, docs/adr/0008):
 * one WebSocket at `GET /api/v1/workers/connect`, authenticated by a worker token
 * (`Authorization: Bearer batonw_…`), JSON text frames, one message per frame. The worker opens
 * it (no open port on the worker) and says `hello` first; the server answers `welcome` or
 * `refused` (then closes). Bundles travel over HTTP: `GET /api/v1/workers/bundles/<sha256>`
 * with the same token.
 */
export const WORKER_PROTOCOL_VERSION = 1;
export const WORKER_CONNECT_PATH = "/api/v1/workers/connect";
export const WORKER_BUNDLE_PATH = "/api/v1/workers/bundles/";

/** An attempt the worker reported finished; kept and re-sent until the server `ack`s or `drop`s it. */
export interface FinishedReport {
  id: string;
  outcome: AttemptOutcome;
  startedAt: EpochMs;
  endedAt: EpochMs;
  pid: number | null;
}

export type WorkerMessage =
  /** First message of every connection (also on reconnect: same `workerId` for the process's life). */
  | {
      t: "hello";
      protocol: number;
      workerId: string;
      name: string;
      host: string;
      pid: number;
      version: string;
      queues: string[];
      concurrency: number;
      /**
       * Most attempts it holds at once (running plus waiting to start), ≥ 1; the server sends no
       * more. Absent (an older worker): 2 × concurrency. `baton worker --prefetch`, default 4 × concurrency.
       */
      prefetch?: number;
      /**
       * It takes `run` messages with run parts (src/remote/run-parts.ts): each run's shared part
       * once per connection, attempts naming it. Absent (an older worker): whole requests.
       */
      runParts?: boolean;
      startedAt: EpochMs;
      /** Attempts the worker holds (waiting or running) from before a reconnect. */
      holding: string[];
      /** Results finished while disconnected, not yet acknowledged. */
      finished: FinishedReport[];
    }
  | { t: "started"; id: string; at: EpochMs; pid: number | null }
  | ({ t: "finished" } & FinishedReport)
  /** Log bytes of a running attempt (UTF-8 text, secrets already masked by the worker). */
  | { t: "log"; id: string; data: string }
  /** `ctx.connection()` / `ctx.variable()` of a running attempt; answered by `secret`. */
  | { t: "secret"; req: number; id: string; kind: "connection" | "variable"; name: string }
  /** Cross-DAG operators of a running attempt; answered by `dagRuns`. */
  | { t: "dagRuns"; req: number; id: string; op: DagRunsGatewayOp; args: unknown[] }
  /** Every `heartbeatMs`: how many attempts it holds. */
  | { t: "heartbeat"; holding: number }
  /** SIGTERM: it takes no new work; it finishes or hands back what it holds. */
  | { t: "draining" }
  /**
   * Attempts it gives back without having started them (draining, or a recall). The answer to a
   * `recall` names those of its ids not started yet, possibly none.
   */
  | { t: "handback"; ids: string[] };

export type ServerMessage =
  | {
      t: "welcome";
      protocol: number;
      serverVersion: string;
      /** `file:` URL of the server's compiled `src/` folder: bundles import the SDK under it (the worker rewrites it to its own). */
      sdkRoot: string;
      heartbeatMs: number;
      /** A worker not heard from for this long is declared lost. */
      lostAfterMs: number;
      /** Of the `holding` ids in hello, those still this worker's; it stops and forgets the others. */
      keep: string[];
    }
  | { t: "refused"; error: string }
  /**
   * Attempts to run (requests as the scheduler built them; `bundlePath` names the bundle by its
   * sha256 file name). To a worker that said `runParts`: `parts` (applied first) are what the
   * attempts of a run share, sent once per connection; each attempt names its part; `forget`
   * (applied after the attempts) lists parts no later attempt names.
   */
  | { t: "run"; parts?: RunPart[]; attempts: (AttemptRequest | WireRemoteAttempt)[]; forget?: number[] }
  /** Stop this attempt (cleared, run timed out, cancelled); it reports `finished` as usual. */
  | { t: "cancel"; id: string; reason: string }
  /** These attempts are not the worker's any more (declared lost, fenced): stop them, discard their results. */
  | { t: "drop"; ids: string[]; reason: string }
  /**
   * Give back those of these attempts not started yet (another worker of their queue is idle
   * while they wait here): the worker answers with one `handback` naming those it gave up.
   */
  | { t: "recall"; ids: string[] }
  /** These `finished` reports are recorded; the worker may forget them. */
  | { t: "ack"; ids: string[] }
  | ({ t: "secret" } & SecretAnswer)
  | ({ t: "dagRuns" } & DagRunsAnswer);

export type SecretAnswer =
  | { req: number; connection: Connection }
  | { req: number; variable: string }
  | { req: number; error: string; code: "not_found" | "invalid" | "unavailable" | "failed" };

export type DagRunsAnswer =
  { req: number; value: unknown } | { req: number; error: string; code: "not_found" | "invalid" | "conflict" | "unavailable" | "failed" };

/** What the attempts of one run share, sent once per connection and named by `ref` (src/remote/run-parts.ts). */
export interface RunPart {
  ref: number;
  bundlePath: string;
  context: AttemptContext;
  maxOutputBytes: number;
}

/** An attempt in a `run` with parts: its own fields, and `part` naming its run's part. */
export type WireRemoteAttempt = Omit<AttemptRequest, "bundlePath" | "context" | "maxOutputBytes"> & { part: number };

/** The sha256 a bundle path names (`…/<sha256>.mjs`), or null. */
export function bundleHashOf(bundlePath: string): string | null {
  const m = /([0-9a-f]{64})\.mjs$/.exec(bundlePath);
  return m?.[1] ?? null;
}
