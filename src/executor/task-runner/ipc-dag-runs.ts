import { BatonError, ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { DagRunsGateway, DagRunsGatewayOp } from "../../core/ports/dag-runs-gateway.js";
import type { ChildEvent, DagRunsReply } from "../protocol.js";

/**
 * The task runner's DagRunsGateway: every call goes to the parent over IPC (the parent holds
 * the store; the child never does), like {@link IpcSecretsResolver}.
 */
export class IpcDagRunsGateway implements DagRunsGateway {
  #next = 0;
  readonly #pending = new Map<number, (reply: DagRunsReply) => void>();

  constructor(
    private readonly send: (event: ChildEvent) => void,
    private readonly attemptId: () => string | undefined,
  ) {}

  triggerRun(...args: Parameters<DagRunsGateway["triggerRun"]>) {
    return this.#call("triggerRun", args) as ReturnType<DagRunsGateway["triggerRun"]>;
  }
  resetRun(...args: Parameters<DagRunsGateway["resetRun"]>) {
    return this.#call("resetRun", args) as ReturnType<DagRunsGateway["resetRun"]>;
  }
  getRun(...args: Parameters<DagRunsGateway["getRun"]>) {
    return this.#call("getRun", args) as ReturnType<DagRunsGateway["getRun"]>;
  }
  findRuns(...args: Parameters<DagRunsGateway["findRuns"]>) {
    return this.#call("findRuns", args) as ReturnType<DagRunsGateway["findRuns"]>;
  }
  taskStates(...args: Parameters<DagRunsGateway["taskStates"]>) {
    return this.#call("taskStates", args) as ReturnType<DagRunsGateway["taskStates"]>;
  }
  describeDag(...args: Parameters<DagRunsGateway["describeDag"]>) {
    return this.#call("describeDag", args) as ReturnType<DagRunsGateway["describeDag"]>;
  }
  schedulerAlive() {
    return this.#call("schedulerAlive", []) as ReturnType<DagRunsGateway["schedulerAlive"]>;
  }

  /** Delivers the parent's answers. */
  answer(replies: DagRunsReply[]): void {
    for (const reply of replies) {
      const resolve = this.#pending.get(reply.req);
      this.#pending.delete(reply.req);
      resolve?.(reply);
    }
  }

  async #call(op: DagRunsGatewayOp, args: unknown[]): Promise<unknown> {
    const id = this.attemptId();
    if (id === undefined) throw new BatonError(`${op}() of another DAG's runs was called outside a running attempt`);
    const req = ++this.#next;
    const reply = await new Promise<DagRunsReply>((resolve) => {
      this.#pending.set(req, resolve);
      this.send({ t: "dagRuns", req, id, op, args });
    });
    if ("value" in reply) return reply.value;
    throw errorOf(reply);
  }
}

function errorOf(reply: Extract<DagRunsReply, { error: string }>): Error {
  switch (reply.code) {
    case "not_found":
      return new NotFoundError(reply.error);
    case "invalid":
      return new InvalidInputError(reply.error);
    case "conflict":
      return new ConflictError(reply.error);
    default:
      return new BatonError(reply.error);
  }
}
