import { createReadStream, existsSync } from "node:fs";
import { basename, extname, join, sep } from "node:path";
import { createGunzip } from "node:zlib";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Vite names every file under assets/ by its content hash: a new build means new names. */
const HASHED = `${sep}assets${sep}`;

/**
 * Serves the built UI at "/" when `uiDir` holds an index.html. The build writes .br and .gz copies
 * beside each file (ui/vite.config.ts), sent as such to clients that accept them (no compression
 * at run time). Hashed assets are cached for a year, immutable; everything else (index.html,
 * theme-init.js) is revalidated on each load (`no-cache`, answered 304 by its ETag). Returns the SPA fallback for the
 * not-found handler: index.html for GETs outside /api, or null when there is no UI.
 */
export async function registerUiAssets(
  app: FastifyInstance,
  uiDir: string | undefined,
): Promise<((request: FastifyRequest, reply: FastifyReply) => FastifyReply | null) | null> {
  if (uiDir === undefined || !existsSync(join(uiDir, "index.html"))) return null;
  // The UI's files are public (the sign-in page must load); the data behind /api is not.
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api"))
      route.config = { ...(route.config as object), role: (route.config as { role?: string } | undefined)?.role ?? "public" } as typeof route.config;
  });
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: "/",
    wildcard: true,
    index: ["index.html"],
    preCompressed: true,
    setHeaders: (reply, path) => {
      reply.header("cache-control", path.includes(HASHED) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if ((request.method !== "GET" && request.method !== "HEAD") || path === "/api" || path.startsWith("/api/")) return null;
    const gzipped = path.startsWith("/assets/") ? compressedOnly(uiDir, path) : null;
    if (gzipped !== null) {
      // A client that takes neither br nor gzip, for an asset shipped compressed only: decompressed here.
      reply.header("cache-control", "public, max-age=31536000, immutable").header("vary", "accept-encoding");
      return reply.type(TYPES[extname(gzipped.slice(0, -3))] ?? "application/octet-stream").send(createReadStream(gzipped).pipe(createGunzip()));
    }
    return reply.type("text/html; charset=utf-8").sendFile("index.html");
  };
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
};

/**
 * The `.gz` copy of a hashed asset whose plain copy the build dropped (ui/precompress.ts
 * `dropPlainCopies`), or null. Only a file name directly under assets/ is looked up: nothing
 * outside the UI's folder is read.
 */
function compressedOnly(uiDir: string, path: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(path.slice("/assets/".length));
  } catch {
    return null;
  }
  if (name === "" || name !== basename(name) || name.startsWith(".") || name.includes("\0")) return null;
  const file = join(uiDir, "assets", name);
  return !existsSync(file) && existsSync(`${file}.gz`) ? `${file}.gz` : null;
}
