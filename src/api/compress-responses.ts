import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { FastifyInstance } from "fastify";

/** Smaller JSON answers go as they are: compressing them saves less than the headers weigh. */
export const COMPRESS_MIN_BYTES = 1024;

const br = promisify(brotliCompress);
const gz = promisify(gzip);
/** Brotli quality 4: about gzip's speed, smaller output (a 51 KB grid page: ~2 KB, ~1 ms). */
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };

/**
 * Compresses JSON answers of at least {@link COMPRESS_MIN_BYTES} with Brotli or gzip, whichever
 * the client's `Accept-Encoding` takes (Brotli first), off the event loop (libuv's thread pool).
 * Streams (the event stream, followed logs) and the UI's files (precompressed, src/api/ui-assets.ts)
 * are left alone; `Vary: Accept-Encoding` tells caches.
 */
export function registerResponseCompression(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return payload;
    if (reply.hasHeader("content-encoding")) return payload;
    const type = String(reply.getHeader("content-type") ?? "");
    if (!type.startsWith("application/json")) return payload;
    const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
    if (size < COMPRESS_MIN_BYTES) return payload;
    const encoding = pickEncoding(String(request.headers["accept-encoding"] ?? ""));
    reply.header("vary", appendVary(reply.getHeader("vary")));
    if (encoding === null) return payload;
    const body = encoding === "br" ? await br(payload, BROTLI) : await gz(payload);
    reply.header("content-encoding", encoding);
    reply.removeHeader("content-length");
    return body;
  });
}

/** `br` or `gzip` if the header accepts it (a `q=0` refuses), Brotli preferred; else null. */
export function pickEncoding(acceptEncoding: string): "br" | "gzip" | null {
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name.trim());
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip") || accepted.has("*")) return "gzip";
  return null;
}

function appendVary(current: unknown): string {
  const v = current === undefined ? "" : String(current);
  return /accept-encoding/i.test(v) ? v : v === "" ? "Accept-Encoding" : `${v}, Accept-Encoding`;
}
