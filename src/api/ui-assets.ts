import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Serves the built UI at "/" when `uiDir` holds an index.html. Returns the SPA fallback for the
 * not-found handler: index.html for GETs outside /api, or null when there is no UI.
 */
export async function registerUiAssets(
  app: FastifyInstance,
  uiDir: string | undefined,
): Promise<((request: FastifyRequest, reply: FastifyReply) => FastifyReply | null) | null> {
  if (uiDir === undefined || !existsSync(join(uiDir, "index.html"))) return null;
  // The UI's files are public (the sign-in page must load); the data behind /api is not.
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api")) route.config = { ...(route.config as object), role: (route.config as { role?: string } | undefined)?.role ?? "public" } as typeof route.config;
  });
  await app.register(fastifyStatic, { root: uiDir, prefix: "/", wildcard: true, index: ["index.html"] });
  return (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if ((request.method !== "GET" && request.method !== "HEAD") || path === "/api" || path.startsWith("/api/")) return null;
    return reply.type("text/html; charset=utf-8").sendFile("index.html");
  };
}
