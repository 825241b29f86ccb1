import { BatonError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import type { ChildEvent, SecretReply } from "../protocol.js";

/**
 * The task runner's SecretsResolver: asks the parent over IPC (the parent holds the key and the
 * store; the child never does). `send` delivers an event to the parent at once.
 */
export class IpcSecretsResolver implements SecretsResolver {
  #next = 0;
  readonly #pending = new Map<number, { resolve(reply: SecretReply): void }>();

  constructor(
    private readonly send: (event: ChildEvent) => void,
    private readonly attemptId: () => string | undefined,
  ) {}

  async connection(id: string): Promise<Connection> {
    const reply = await this.#ask("connection", id);
    if ("connection" in reply) return reply.connection;
    throw errorOf(reply);
  }

  async variable(key: string): Promise<string> {
    const reply = await this.#ask("variable", key);
    if ("variable" in reply) return reply.variable;
    throw errorOf(reply);
  }

  /** Delivers the parent's answers. */
  answer(replies: SecretReply[]): void {
    for (const reply of replies) {
      const waiter = this.#pending.get(reply.req);
      this.#pending.delete(reply.req);
      waiter?.resolve(reply);
    }
  }

  #ask(kind: "connection" | "variable", name: string): Promise<SecretReply> {
    const id = this.attemptId();
    if (id === undefined) return Promise.reject(new BatonError(`ctx.${kind}() was called outside a running attempt`));
    const req = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(req, { resolve });
      this.send({ t: "secret", req, id, kind, name });
    });
  }
}

function errorOf(reply: SecretReply): Error {
  const message = "error" in reply ? reply.error : "unexpected answer from the executor";
  if ("code" in reply && reply.code === "not_found") return new NotFoundError(message);
  if ("code" in reply && reply.code === "invalid") return new InvalidInputError(message);
  return new BatonError(message);
}
