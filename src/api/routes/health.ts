import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { obj, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

/** A scheduler is up when its last heartbeat is younger than this. */
export const SCHEDULER_FRESH_MS = 30_000;

const healthSchema = obj({
  status: stringEnum(["ok", "unhealthy"]),
  store: obj({ status: stringEnum(["ok", "down"]) }),
  scheduler: obj({ status: stringEnum(["ok", "down"]), lastHeartbeat: time }),
});

export async function healthRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    "/api/v1/health",
    {
      config: { role: "public" },
      schema: { tags: ["health"], summary: "Liveness of the store and the scheduler", security: [], response: { 200: healthSchema, 503: healthSchema } },
    },
    async (request, reply) => {
      let beats: { at: number }[];
      try {
        beats = await deps.store.listHeartbeats("scheduler");
      } catch (e) {
        request.log.error({ err: e }, "health: the store cannot be reached");
        return reply.status(503).send({ status: "unhealthy", store: { status: "down" }, scheduler: { status: "down", lastHeartbeat: null } });
      }
      const last = beats.reduce<number | null>((max, b) => (max === null || b.at > max ? b.at : max), null);
      const up = last !== null && deps.now() - last < SCHEDULER_FRESH_MS;
      return { status: "ok", store: { status: "ok" }, scheduler: { status: up ? "ok" : "down", lastHeartbeat: last === null || last <= 0 ? null : iso(last) } };
    },
  );
}
