import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * The first load of a page, answered in its index.html (docs/ui.md, "First load"): the answers of
 * the API calls the page makes first — `/auth/me`, the anomaly counts, and the page's own (the
 * overview on `/`, a DAG's detail and grid page on `/dags/<id>` and `/dags/<id>/grid`) — as a
 * JSON data block the UI seeds its query cache from, and `<link>`s to the page's chunk, so the
 * page needs no second round trip before it can draw.
 *
 * The answers are the API's own: each is an in-process request (`inject`) to the API route with
 * the page request's headers and peer address, through the same authentication and role checks,
 * so a request the API would refuse gets nothing inlined. Nothing is inlined unless `/auth/me`
 * answers 200; an answer that is not 200 is left out (the UI then fetches it). `/auth/me`'s
 * `csrfToken` is never written into the page (the UI fetches it after the first render).
 */

/** The id of the `<script type="application/json">` block (ui/src/boot/first-data.ts reads it). */
export const FIRST_DATA_ID = "baton-first-data";

/** The API paths (under /api/v1) the page at `pathname` reads first: ui/src/boot/first-load.ts `firstCallsFor`, kept in step. */
export function firstDataPaths(pathname: string): string[] {
  const calls = ["/auth/me", "/anomalies/counts"];
  if (pathname === "/") calls.push("/overview");
  const dag = dagPath(pathname);
  if (dag && (dag.tab === undefined || dag.tab === "grid")) calls.push(`/dags/${dag.id}`, `/dags/${dag.id}/grid?limit=25`);
  return calls;
}

/** The page module `pathname` renders first (ui/src/boot/first-load.ts `firstPageFor`). */
export function firstPageFor(pathname: string): "home" | "dag" | null {
  if (pathname === "/") return "home";
  if (dagPath(pathname)) return "dag";
  return null;
}

function dagPath(pathname: string): { id: string; tab: string | undefined } | null {
  const m = /^\/dags\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m?.[1]) return null;
  try {
    return { id: encodeURIComponent(decodeURIComponent(m[1])), tab: m[2] };
  } catch {
    return null;
  }
}

/** Each first page's chunks, written by the UI build (ui/vite.config.ts, `first-load.json`). */
export type PageChunks = Partial<Record<"home" | "dag", { js: string[]; css: string[] }>>;

export function readPageChunks(uiDir: string): PageChunks {
  const file = join(uiDir, "first-load.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PageChunks;
  } catch {
    return {};
  }
}

/** The headers of the page request that the API calls are made with (not its body's, nor caching's). */
const DROPPED_HEADERS = new Set(["accept", "accept-encoding", "content-length", "content-type", "if-none-match", "if-modified-since", "range", "if-range"]);

/** GETs an API path as the page request would (its headers and peer): the JSON answer when 200, else undefined. */
function apiGetter(app: FastifyInstance, request: FastifyRequest): (path: string) => Promise<unknown> {
  const headers: Record<string, string | string[]> = { accept: "application/json" };
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = value;
  return async (path) => {
    const res = await app.inject({ method: "GET", url: `/api/v1${path}`, headers, remoteAddress: request.socket.remoteAddress });
    if (res.statusCode !== 200 || !String(res.headers["content-type"] ?? "").startsWith("application/json")) return undefined;
    return res.json();
  };
}

/**
 * The page's first data in two steps: `/auth/me` now — null when it is not 200 (nothing is
 * inlined) — then, from `rest()`, the page's own calls, path → answer (those that were 200).
 */
export async function firstData(
  app: FastifyInstance,
  request: FastifyRequest,
  pathname: string,
): Promise<{ me: Record<string, unknown>; rest: () => Promise<Record<string, unknown>> } | null> {
  const get = apiGetter(app, request);
  const [mePath, ...paths] = firstDataPaths(pathname);
  const me = (await get(mePath!)) as Record<string, unknown> | undefined;
  if (me === undefined) return null;
  return {
    me: { [mePath!]: { ...me, csrfToken: null } },
    rest: async () => {
      const answers = await Promise.all(paths.map(get));
      const data: Record<string, unknown> = {};
      paths.forEach((path, i) => {
        if (answers[i] !== undefined) data[path] = answers[i];
      });
      return data;
    },
  };
}

/** JSON that cannot end the `<script>` element or open a comment inside it. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const ENTRY = /<script type="module"[^>]*><\/script>\s*/;

/**
 * index.html for a page, in two parts: `head` — the page's chunks linked where the entry script
 * was, and the shell — which can be sent at once, and `tail(data, view)` — the page's first view
 * (first-view/first-view.ts) after the shell, the data block, then the entry script (which reads it
 * when it runs), then the end of the document. With `inline` false the
 * entry stays where it was and `tail` only ends the document. An index.html without a module
 * script is left as it is (all in `head`).
 */
export function firstLoadHtml(
  index: string,
  chunks: PageChunks,
  page: "home" | "dag" | null,
  inline: boolean,
): { head: string; tail: (data: Record<string, unknown>, view?: string) => string } {
  const entry = ENTRY.exec(index);
  const own = page ? chunks[page] : undefined;
  if (!entry) return { head: index, tail: () => "" };
  const links = [
    ...(own?.css ?? []).map((f) => `<link rel="stylesheet" crossorigin href="/${f}">`),
    ...(own?.js ?? []).map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
  ].map((tag) => `${tag}\n    `);
  const before = index.slice(0, entry.index) + links.join("");
  const after = index.slice(entry.index + entry[0].length);
  if (!inline) return { head: before + entry[0] + after, tail: () => "" };
  const end = after.lastIndexOf("</body>");
  const at = end < 0 ? after.length : end;
  return {
    head: before + after.slice(0, at),
    tail: (data, view = "") =>
      `${view}<script type="application/json" id="${FIRST_DATA_ID}">${scriptSafeJson(data)}</script>\n    ${entry[0].trim()}\n  ${after.slice(at)}`,
  };
}
