import { BatonError, ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { Clock } from "../../core/ports/clock.js";
import { DAG_RUNS_GATEWAY_OPS, type DagRunsGateway, type DagRunsGatewayOp } from "../../core/ports/dag-runs-gateway.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import type { DagRunsAnswer, SecretAnswer, WorkerMessage } from "../protocol.js";

type Question = Extract<WorkerMessage, { t: "secret" } | { t: "dagRuns" }>;
type Answer = SecretAnswer | DagRunsAnswer;

interface Pending {
  question: Question;
  sent: boolean;
  resolve(answer: Answer): void;
  reject(error: Error): void;
  cancelTimer(): void;
}

/**
 * The tasks' questions to the API server (`ctx.connection()`, `ctx.variable()`, the cross-DAG
 * operators), asked over the channel and matched to their answers by `req`. Answers live in
 * memory only: nothing of them is written to the worker's disk.
 *
 * A question asked while there is no connection waits for the next one; one already sent when
 * the connection drops fails at once (the server may have acted on it: a `triggerDag` is not
 * sent twice). Either way a question not answered within `timeoutMs` fails, saying why.
 */
export class ChannelRequests {
  #nextReq = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(
    /** Sends a message; false when there is no connection. */
    private readonly send: (message: WorkerMessage) => boolean,
    private readonly clock: Clock,
    private readonly timeoutMs = 60_000,
  ) {}

  /** A SecretsResolver answering for one attempt. */
  secretsFor(attemptId: string): SecretsResolver {
    return {
      connection: async (name) => {
        const answer = (await this.#ask({ t: "secret", req: 0, id: attemptId, kind: "connection", name })) as SecretAnswer;
        if ("connection" in answer) return answer.connection as Connection;
        throw answerError(answer, `connection "${name}"`);
      },
      variable: async (name) => {
        const answer = (await this.#ask({ t: "secret", req: 0, id: attemptId, kind: "variable", name })) as SecretAnswer;
        if ("variable" in answer) return answer.variable;
        throw answerError(answer, `variable "${name}"`);
      },
    };
  }

  /** A DagRunsGateway answering for one attempt: each method is one `dagRuns` question. */
  dagRunsFor(attemptId: string): DagRunsGateway {
    const call = async (op: DagRunsGatewayOp, args: unknown[]): Promise<unknown> => {
      const answer = (await this.#ask({ t: "dagRuns", req: 0, id: attemptId, op, args })) as DagRunsAnswer;
      if ("value" in answer) return answer.value;
      throw answerError(answer, `${op}()`);
    };
    const gateway: Partial<Record<DagRunsGatewayOp, (...args: unknown[]) => Promise<unknown>>> = {};
    for (const op of DAG_RUNS_GATEWAY_OPS) gateway[op] = (...args) => call(op, args);
    return gateway as unknown as DagRunsGateway;
  }

  /** A `secret` or `dagRuns` message from the server. */
  answer(answer: Answer): void {
    const pending = this.#pending.get(answer.req);
    if (pending === undefined) return;
    this.#settle(answer.req, pending);
    pending.resolve(answer);
  }

  /** A new connection is established: sends the questions that waited for it. */
  connected(): void {
    for (const pending of this.#pending.values()) {
      if (!pending.sent) pending.sent = this.send(pending.question);
    }
  }

  /** The connection dropped: questions already sent fail (their answer is lost). */
  disconnected(): void {
    for (const [req, pending] of this.#pending) {
      if (!pending.sent) continue;
      this.#settle(req, pending);
      pending.reject(new BatonError(`the connection to the API server was lost before it answered ${describe(pending.question)}`));
    }
  }

  /** Fails every question (the worker stops). */
  failAll(why: string): void {
    for (const [req, pending] of this.#pending) {
      this.#settle(req, pending);
      pending.reject(new BatonError(`${describe(pending.question)} was not answered: ${why}`));
    }
  }

  #ask(question: Question): Promise<Answer> {
    const req = this.#nextReq++;
    const q = { ...question, req } as Question;
    return new Promise<Answer>((resolve, reject) => {
      const pending: Pending = { question: q, sent: false, resolve, reject, cancelTimer: () => {} };
      this.#pending.set(req, pending);
      pending.cancelTimer = this.clock.setTimer(this.timeoutMs, () => {
        if (this.#pending.get(req) !== pending) return;
        this.#pending.delete(req);
        const why = pending.sent ? "it did not answer" : "there was no connection to it";
        reject(new BatonError(`the API server did not answer ${describe(q)} within ${this.timeoutMs / 1000}s: ${why}`));
      });
      pending.sent = this.send(q);
    });
  }

  #settle(req: number, pending: Pending): void {
    this.#pending.delete(req);
    pending.cancelTimer();
  }
}

function describe(q: Question): string {
  return q.t === "secret" ? `ctx.${q.kind}("${q.name}")` : `${q.op}() of another DAG's runs`;
}

/** The server's error as the error class the executor maps back to the same code for the task. */
function answerError(answer: Answer, what: string): Error {
  if (!("error" in answer)) return new BatonError(`the API server's answer for ${what} is malformed`);
  switch (answer.code) {
    case "not_found":
      return new NotFoundError(answer.error);
    case "invalid":
      return new InvalidInputError(answer.error);
    case "conflict":
      return new ConflictError(answer.error);
    default:
      return new BatonError(answer.error);
  }
}
