import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { DEFAULT_POOL } from "../../core/model/dag-spec.js";
import type { RouteDeps } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { ConflictError } from "../errors.js";
import { arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { poolUsage, poolView } from "../views/pool-usage.js";

const tags = ["pools"];
const nameSchema = { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.-]+$" };
const slots = { type: "integer", minimum: 0, maximum: 1_000_000 };
const description = { type: "string", maxLength: 1000 };
const nameParams = obj({ name: { type: "string", minLength: 1, maxLength: 250 } });

export async function poolRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;

  const usage = () => poolUsage(store);
  const requirePool = async (name: string) => {
    const pool = await store.getPool(name);
    if (!pool) throw new NotFoundError(`no pool "${name}"`);
    return pool;
  };

  app.get(
    "/api/v1/pools",
    {
      config: { role: "viewer" },
      schema: { tags, summary: "Pools and their usage", response: { 200: obj({ pools: arrayOf(ref("Pool")) }), ...errors(401, 403) } },
    },
    async () => {
      const used = await usage();
      return { pools: (await store.listPools()).map((p) => poolView(p, used.get(p.name))) };
    },
  );

  app.post<{ Body: { name: string; slots: number; description?: string } }>(
    "/api/v1/pools",
    {
      config: { role: "op", audit: "pool.create" },
      schema: {
        tags,
        summary: "Create a pool",
        body: obj({ name: nameSchema, slots, description }, ["description"]),
        response: { 201: ref("Pool"), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { name, slots: n, description: text } = request.body;
      if (await store.getPool(name)) throw new ConflictError(`pool "${name}" already exists`);
      const pool = { name, slots: n, description: text ?? "" };
      await store.upsertPool(pool);
      noteAudit(request, { target: { type: "pool", id: name }, after: { slots: pool.slots, description: pool.description } });
      return reply.status(201).send(poolView(pool, undefined));
    },
  );

  app.get<{ Params: { name: string } }>(
    "/api/v1/pools/:name",
    { config: { role: "viewer" }, schema: { tags, summary: "One pool", params: nameParams, response: { 200: ref("Pool"), ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const pool = await requirePool(request.params.name);
      return poolView(pool, (await usage()).get(pool.name));
    },
  );

  app.patch<{ Params: { name: string }; Body: { slots?: number; description?: string } }>(
    "/api/v1/pools/:name",
    {
      config: { role: "op", audit: "pool.update" },
      schema: {
        tags,
        summary: "Change a pool's slots or description",
        params: nameParams,
        body: obj({ slots, description }, ["slots", "description"]),
        response: { 200: ref("Pool"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const pool = await requirePool(request.params.name);
      const next = {
        ...pool,
        ...(request.body.slots === undefined ? {} : { slots: request.body.slots }),
        ...(request.body.description === undefined ? {} : { description: request.body.description }),
      };
      await store.upsertPool(next);
      noteAudit(request, {
        target: { type: "pool", id: pool.name },
        before: { slots: pool.slots, description: pool.description },
        after: { slots: next.slots, description: next.description },
      });
      return poolView(next, (await usage()).get(next.name));
    },
  );

  app.delete<{ Params: { name: string } }>(
    "/api/v1/pools/:name",
    {
      config: { role: "op", audit: "pool.delete" },
      schema: {
        tags,
        summary: "Delete a pool (not default_pool)",
        params: nameParams,
        response: { 204: { type: "null", description: "Deleted." }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (name === DEFAULT_POOL) throw new InvalidInputError(`name: ${DEFAULT_POOL} cannot be deleted`);
      const pool = await store.getPool(name);
      if (!pool || !(await store.deletePool(name))) throw new NotFoundError(`no pool "${name}"`);
      noteAudit(request, { target: { type: "pool", id: name }, before: { slots: pool.slots, description: pool.description } });
      return reply.status(204).send();
    },
  );
}
