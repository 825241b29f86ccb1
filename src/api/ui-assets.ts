import { createReadStream, existsSync, readFileSync } from "node:fs";
import { basename, extname, join, sep } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { brotliCompress, constants, createBrotliCompress, createBrotliDecompress, createGzip, gzip } from "node:zlib";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { pickEncoding } from "./compress-responses.js";
import { firstData, firstLoadHtml, firstPageFor, readPageChunks } from "./first-data.js";
import { firstViewHtml } from "./first-view/first-view.js";

/** Vite names every file under assets/ by its content hash: a new build means new names. */
const HASHED = `${sep}assets${sep}`;

/**
 * Serves the built UI at "/" when `uiDir` holds an index.html. The build writes .br and .gz copies
 * beside each file (ui/vite.config.ts), sent as such to clients that accept them (no compression
 * at run time); hashed assets ship as .br only. Hashed assets are cached for a year, immutable; everything else (index.html,
 * theme-init.js) is revalidated on each load (`no-cache`, answered 304 by its ETag). Returns the SPA fallback for the
 * not-found handler: index.html for GETs outside /api, or null when there is no UI.
 *
 * The pages' URLs (`/`, and every other path outside /api and /assets) get index.html with the
 * page's first data and chunks (src/api/first-data.ts) and, on the home page and a DAG's grid, its
 * first view (src/api/first-view/first-view.ts): built per request, never stored
 * (`no-store`), compressed here; `/index.html` itself is the plain file.
 */
export async function registerUiAssets(
  app: FastifyInstance,
  uiDir: string | undefined,
): Promise<((request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply> | null) | null> {
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
  const index = readFileSync(join(uiDir, "index.html"), "utf8");
  const chunks = readPageChunks(uiDir);
  /**
   * A page's index.html. Signed in (its `/auth/me` answers 200), it is streamed: the head and the
   * shell at once (the browser fetches the code meanwhile), then the first data and the entry script.
   */
  const servePage = async (request: FastifyRequest, reply: FastifyReply, path: string): Promise<FastifyReply> => {
    const data = await firstData(app, request, path);
    const html = firstLoadHtml(index, chunks, firstPageFor(path), data !== null);
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", data ? "no-store" : "no-cache")
      .header("vary", "accept-encoding, cookie, authorization");
    const encoding = pickEncoding(String(request.headers["accept-encoding"] ?? ""));
    if (encoding !== null) reply.header("content-encoding", encoding);
    if (data === null) return reply.send(encoding === null ? html.head : encoding === "br" ? await br(html.head, BROTLI) : await gz(html.head));
    const out = encoding === "br" ? createBrotliCompress(BROTLI) : encoding === "gzip" ? createGzip() : new PassThrough();
    out.write(html.head);
    if (out instanceof PassThrough) out.write("");
    else out.flush();
    const search = request.url.slice(request.url.split("?")[0]!.length);
    void data
      .rest()
      .catch(() => ({}))
      .then((rest) => {
        const all = { ...data.me, ...rest };
        out.end(html.tail(all, firstView(path, search, all, request)));
      });
    return reply.send(out);
  };
  app.get("/", (request, reply) => servePage(request, reply, "/"));
  return (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if ((request.method !== "GET" && request.method !== "HEAD") || path === "/api" || path.startsWith("/api/")) return null;
    const brotli = path.startsWith("/assets/") ? compressedOnly(uiDir, path) : null;
    if (brotli !== null) {
      // A client that does not take br (a browser over plain HTTP to another host), for an asset
      // shipped as .br only: decompressed here, and gzipped again when the client takes gzip.
      const type = TYPES[extname(brotli.slice(0, -3))] ?? "application/octet-stream";
      reply.header("cache-control", "public, max-age=31536000, immutable").header("vary", "accept-encoding");
      const body = createReadStream(brotli).pipe(createBrotliDecompress());
      if (acceptsGzip(request.headers["accept-encoding"])) return reply.type(type).header("content-encoding", "gzip").send(body.pipe(createGzip()));
      return reply.type(type).send(body);
    }
    return servePage(request, reply, path);
  };
}

/** The page's first view (first-view/first-view.ts); "" when it has none or writing it failed (the UI then draws the page as before). */
function firstView(path: string, search: string, data: Record<string, unknown>, request: FastifyRequest): string {
  try {
    return firstViewHtml(path, search, data, { acceptLanguage: request.headers["accept-language"], cookie: request.headers.cookie });
  } catch (err) {
    request.log.warn({ err, path }, "the page's first view could not be written; the UI draws it");
    return "";
  }
}

const br = promisify(brotliCompress);
const gz = promisify(gzip);
/** As the API's JSON (compress-responses.ts): quick, and the page's HTML with its data is ~60 KB at most. */
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
};

/** Whether an Accept-Encoding header takes gzip (`gzip` or `*`, without `q=0`). */
function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return value.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    return (coding === "gzip" || coding === "*") && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
  });
}

/**
 * The `.br` copy of a hashed asset whose plain copy the build dropped (ui/precompress.ts
 * `keepBrotliOnly`), or null. Only a file name directly under assets/ is looked up: nothing
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
  return !existsSync(file) && existsSync(`${file}.br`) ? `${file}.br` : null;
}
