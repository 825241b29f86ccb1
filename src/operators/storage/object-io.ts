import { Readable } from "node:stream";
import type { TaskContext } from "../../sdk/context.js";
import { templateRenderer } from "../shared/render.js";
import { checkLocation, resolveLocation, toEntry, type ObjectEntry, type ObjectLocation } from "./object-location.js";
import { FailTask } from "../../core/errors.js";
import { isPrefix } from "./object-url.js";
import { withStores } from "./store-session.js";

/**
 * Streams one object to `use` from inside your own task; the store is closed when `use` ends.
 * The URL and conn are templates. A missing object fails the task.
 *
 * @example
 * const lines = await withObject(ctx, { url: "s3://raw/incoming/a.csv", conn: "raw_s3" }, async (body) => {
 *   let n = 0;
 *   for await (const _line of createInterface({ input: body })) n++;
 *   return n;
 * });
 */
export function withObject<T>(ctx: TaskContext<unknown>, location: ObjectLocation, use: (body: Readable, entry: ObjectEntry) => Promise<T>): Promise<T> {
  const where = `withObject in task "${ctx.taskId}"`;
  checkLocation(where, location);
  return withStores(ctx, async (session) => {
    const { url, conn } = resolveLocation(where, location, templateRenderer(ctx));
    if (isPrefix(url.key)) throw new FailTask(`${where}: the URL names a prefix; name one object`);
    const store = await session.open(url.scheme, conn);
    const info = await store.head(url.container, url.key, ctx.signal);
    if (info === null) throw new FailTask(`${where}: no object at ${typeof location === "string" ? location : location.url}`);
    const body = await store.read(url.container, url.key, ctx.signal);
    try {
      return await use(body, toEntry(url, info));
    } finally {
      body.destroy();
    }
  });
}

/**
 * Writes one object (a string, bytes, or a stream) from inside your own task; returns its entry.
 *
 * @example
 * await writeObject(ctx, { url: "az://backup/{{ ds }}/_manifest.json", conn: "backup_azure" }, JSON.stringify(manifest));
 */
export function writeObject(
  ctx: TaskContext<unknown>,
  location: ObjectLocation,
  body: string | Uint8Array | Readable,
  contentType?: string,
): Promise<ObjectEntry> {
  const where = `writeObject in task "${ctx.taskId}"`;
  checkLocation(where, location);
  return withStores(ctx, async (session) => {
    const { url, conn } = resolveLocation(where, location, templateRenderer(ctx));
    if (isPrefix(url.key)) throw new FailTask(`${where}: the URL names a prefix; name one object`);
    const store = await session.open(url.scheme, conn);
    const stream = body instanceof Readable ? body : Readable.from([typeof body === "string" ? Buffer.from(body) : Buffer.from(body)]);
    const size = body instanceof Readable ? undefined : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    await store.write(url.container, url.key, stream, { ...(size !== undefined ? { size } : {}), ...(contentType ? { contentType } : {}), signal: ctx.signal });
    const info = await store.head(url.container, url.key, ctx.signal);
    if (info === null) throw new Error(`${where}: the object is missing right after the write`);
    return toEntry(url, info);
  });
}
