import { ConflictError, InvalidInputError, NotFoundError } from "../core/errors.js";
import { DAG_RUNS_GATEWAY_OPS, type DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import type { ChildEvent, DagRunsReply } from "./protocol.js";

export const NO_DAG_RUNS_GATEWAY = "runs of other DAGs are not available here: the executor was started without a DAG runs gateway";

/** Calls the gateway method a task runner asked for and turns the result or error into its reply. */
export async function answerDagRuns(gateway: DagRunsGateway | null, event: Extract<ChildEvent, { t: "dagRuns" }>, running: boolean): Promise<DagRunsReply> {
  const { req, op, args } = event;
  if (!running) return { req, error: `${op}() of another DAG's runs was called outside a running attempt`, code: "failed" };
  if (gateway === null) return { req, error: NO_DAG_RUNS_GATEWAY, code: "unavailable" };
  if (!DAG_RUNS_GATEWAY_OPS.includes(op) || !Array.isArray(args)) return { req, error: `unknown DAG runs operation "${String(op)}"`, code: "invalid" };
  try {
    const method = gateway[op] as (...a: unknown[]) => Promise<unknown>;
    return { req, value: await method.apply(gateway, args) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const code = e instanceof NotFoundError ? "not_found" : e instanceof InvalidInputError ? "invalid" : e instanceof ConflictError ? "conflict" : "failed";
    return { req, error, code };
  }
}
