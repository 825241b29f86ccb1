import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { actorOf } from "../audit/audit-actor.js";
import { noteAudit } from "../audit/audit-note.js";
import { createWorkerToken } from "../auth/worker-token.js";
import { arrayOf, errors, obj, ref, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";
import { workerTokensOverview, workerTokenSummary } from "../views/worker-views.js";
import { requireWorkers } from "./workers.js";

const tags = ["workers"];

const queueName = { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$" };
const queues = { type: ["array", "null"], items: queueName, description: "Queues a worker with this token may listen on; null: any queue." };

const tokenFields = {
  id: { ...str, description: "Public id, 12 hex characters (the token is `batonw_<id>_<secret>`)." },
  name: str,
  queues,
  createdBy: { type: ["string", "null"], description: "Who created it: a username, `local`, or `cli:<os user>`." },
  createdAt: time,
  lastSeenAt: { ...time, description: "When a worker last authenticated with it (connecting or fetching a bundle); recorded at most once a minute." },
  revokedAt: { ...time, description: "Set once revoked: its workers are disconnected and refused." },
};

const WorkerTokenSchema = {
  $id: "WorkerToken",
  ...obj({
    ...tokenFields,
    workers: {
      ...arrayOf(obj({ id: str, name: str, host: str, state: stringEnum(["active", "draining"]) })),
      description: "The workers connected with it now (active or draining).",
    },
  }),
};

const CreatedSchema = obj({ ...tokenFields, token: { ...str, description: "The token text, shown only in this answer: `batonw_<id>_<secret>`." } });

/**
 * Worker tokens (docs/workers.md#tokens-and-the-workers-page): list, create (the token text is in
 * the answer once), revoke. Admins only; the secret hash never leaves the store.
 */
export async function workerTokenRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.addSchema(WorkerTokenSchema);

  app.get(
    "/api/v1/worker-tokens",
    {
      config: { role: "admin" },
      schema: {
        tags,
        summary: "Worker tokens, newest first (revoked ones included), with the workers using each",
        response: { 200: obj({ tokens: arrayOf(ref("WorkerToken")) }), ...errors(401, 403, 404) },
      },
    },
    async () => {
      return { tokens: await workerTokensOverview(requireWorkers(deps), deps.now()) };
    },
  );

  app.post<{ Body: { name: string; queues?: string[] | null } }>(
    "/api/v1/worker-tokens",
    {
      config: { role: "admin", audit: "worker_token.create" },
      schema: {
        tags,
        summary: "Create a worker token (`baton worker --token`); the answer holds the token text, shown only once",
        body: obj(
          {
            name: { type: "string", minLength: 1, maxLength: 100, description: "What it is for (`gpu-box-1`)." },
            queues: { ...queues, minItems: 1, maxItems: 100, uniqueItems: true, description: "Queues its workers may listen on; absent or null: any queue." },
          },
          ["queues"],
        ),
        response: { 201: CreatedSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const store = requireWorkers(deps);
      const { record, token } = await createWorkerToken(
        store,
        { name: request.body.name, queues: request.body.queues ?? null, createdBy: actorOf(request.principal).name },
        deps.now(),
      );
      noteAudit(request, { target: { type: "worker_token", id: record.id }, after: { name: record.name, queues: record.queues } });
      request.log.info({ workerTokenId: record.id }, "worker token created");
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .send({ ...workerTokenSummary(record), token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/worker-tokens/:id",
    {
      config: { role: "admin", audit: "worker_token.revoke" },
      schema: {
        tags,
        summary: "Revoke a worker token: its workers are disconnected and refused from now on (revoking twice is accepted)",
        params: obj({ id: { type: "string", minLength: 1, maxLength: 64 } }),
        response: { 204: { type: "null" }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const store = requireWorkers(deps);
      const token = await store.getWorkerToken(request.params.id);
      if (!token) throw new NotFoundError(`no worker token "${request.params.id}"`);
      const revoked = await store.revokeWorkerToken(token.id, deps.now());
      noteAudit(request, {
        target: { type: "worker_token", id: token.id },
        before: { name: token.name, queues: token.queues, revokedAt: iso(token.revokedAt) },
        details: { alreadyRevoked: !revoked },
      });
      request.log.info({ workerTokenId: token.id }, "worker token revoked");
      return reply.code(204).send();
    },
  );
}
