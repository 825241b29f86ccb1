import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { errors } from "../schemas/json-schema.js";

export const HEARTBEAT_MS = 15_000;
/**
 * Unsent bytes a stream may hold before it is ended: a client that does not read (a sleeping
 * laptop, a half-open connection) would otherwise keep every event of every run in this
 * process's memory (issue 13). The browser's EventSource reconnects by itself.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

export async function eventRoutes(app: FastifyInstance, deps: RouteDeps, heartbeatMs = HEARTBEAT_MS, maxUnsentBytes = MAX_UNSENT_BYTES): Promise<void> {
  /** Open streams, ended when the server closes (they would hold app.close() open). */
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });
  app.get(
    "/api/v1/events",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["events"],
        summary: "Server-sent events: `change` whenever a run, task instance or DAG changes",
        response: {
          200: {
            description: 'Event stream; each `change` event\'s data is `{ "kind": "run" | "task" | "dag", "dagId", "runId"?, "taskId"?, "state"? }`.',
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errors(401, 403),
        },
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write(": connected\n\n");
      const unsubscribe = deps.changes.subscribe((event) => {
        if (res.writableLength > maxUnsentBytes) end();
        else res.write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), heartbeatMs);
      heartbeat.unref();
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        open.delete(end);
        clearInterval(heartbeat);
        unsubscribe();
      };
      const end = () => {
        close();
        // A client that does not read would hold the ended stream's buffer: drop the connection.
        if (res.writableLength > maxUnsentBytes) res.destroy();
        else res.end();
      };
      open.add(end);
      request.raw.on("close", close);
      res.on("close", close);
    },
  );
}
