import type { FastifyInstance } from "fastify";
import { alwaysAvailable, type StoreAvailability, type StoreAvailabilityState } from "../../core/ports/store-availability.js";
import type { RouteDeps } from "../api-deps.js";
import { obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";
import { diskHealth, diskSchema } from "./disk-health.js";

/** A scheduler is up when its last heartbeat is younger than this. */
export const SCHEDULER_FRESH_MS = 30_000;

const healthSchema = obj(
  {
    status: stringEnum(["ok", "degraded", "unhealthy"]),
    store: obj({ status: stringEnum(["ok", "unavailable", "down"]), error: str, since: time }, ["error", "since"]),
    scheduler: obj({ status: stringEnum(["ok", "down"]), lastHeartbeat: time }),
    disk: diskSchema,
  },
  ["disk"],
);

type Unavailable = Extract<StoreAvailabilityState, { status: "unavailable" }>;

export async function healthRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const availability = deps.storeAvailability ?? alwaysAvailable;
  // The scheduler's last heartbeat as last read: what a degraded answer reports. One read at a
  // time: while the store waits on a lock, probes share it instead of queueing more.
  let lastBeat: number | null = null;
  let reading: Promise<number | null> | null = null;
  const readLastBeat = () =>
    (reading ??= deps.store
      .listHeartbeats("scheduler")
      .then((beats) => (lastBeat = beats.reduce<number | null>((max, b) => (max === null || b.at > max ? b.at : max), null)))
      .finally(() => (reading = null)));
  const scheduler = (last: number | null) => ({
    status: last !== null && deps.now() - last < SCHEDULER_FRESH_MS ? "ok" : "down",
    lastHeartbeat: last === null || last <= 0 ? null : iso(last),
  });

  app.get(
    "/api/v1/health",
    {
      config: { role: "public" },
      schema: { tags: ["health"], summary: "Liveness of the store and the scheduler", security: [], response: { 200: healthSchema, 503: healthSchema } },
    },
    async (request, reply) => {
      let outcome: { last: number | null } | { unavailable: Unavailable };
      try {
        outcome = await unlessUnavailable(readLastBeat(), availability);
      } catch (e) {
        request.log.error({ err: e }, "health: the store cannot be reached");
        return reply.status(503).send({ status: "unhealthy", store: { status: "down" }, scheduler: { status: "down", lastHeartbeat: null } });
      }
      if ("unavailable" in outcome) {
        const { error, since } = outcome.unavailable;
        return reply.status(503).send({ status: "degraded", store: { status: "unavailable", error, since: iso(since) }, scheduler: scheduler(lastBeat) });
      }
      if (deps.homeDir === undefined) return { status: "ok", store: { status: "ok" }, scheduler: scheduler(outcome.last) };
      // BATON_HOME's file system: a full one fails attempts' logs and the database's writes.
      const disk = await diskHealth(deps.homeDir, deps.infraErrors);
      if (disk.status === "full") return reply.status(503).send({ status: "degraded", store: { status: "ok" }, scheduler: scheduler(outcome.last), disk });
      return { status: "ok", store: { status: "ok" }, scheduler: scheduler(outcome.last), disk };
    },
  );
}

/**
 * `read`'s value, or the store's unavailability as soon as it is known (at once when it already
 * is): a read queued behind a statement waiting for a lock may take minutes. The read goes on
 * either way; its success is what marks the store available again.
 */
function unlessUnavailable(read: Promise<number | null>, availability: StoreAvailability): Promise<{ last: number | null } | { unavailable: Unavailable }> {
  const now = availability.current();
  if (now.status === "unavailable") {
    read.catch(() => {});
    return Promise.resolve({ unavailable: now });
  }
  return new Promise((resolve, reject) => {
    const stop = availability.subscribe((state) => {
      if (state.status !== "unavailable") return;
      stop();
      read.catch(() => {});
      resolve({ unavailable: state });
    });
    read.then(
      (last) => {
        stop();
        resolve({ last });
      },
      (e: unknown) => {
        stop();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
