import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { checkLocation, resolveLocation, toEntry, type ObjectEntry } from "./object-location.js";
import { planSelection, selectObjects } from "./select-objects.js";
import { withStores } from "./store-session.js";

export interface ListObjectsOptions extends OperatorTaskOptions {
  /** A prefix ("s3://raw/incoming/"), a URL with wildcards, or one object (a template). */
  url: string;
  /** A connection id or URI for the URL's store; see docs/object-storage.md. */
  conn?: string;
  /** A glob relative to the prefix (a template), e.g. "*.csv" or "2026/**" (any depth). */
  glob?: string;
  /** Fail when more objects match. Default 100000. */
  maxObjects?: number;
}

const OWN_KEYS = ["url", "conn", "glob", "maxObjects"] as const;

/**
 * A task listing objects: its value is one entry (url, key, size, lastModified, md5) per object,
 * in key order.
 *
 * @example
 * const files = listObjects(d, "incoming", { url: "s3://raw/incoming/{{ ds }}/", conn: "raw_s3", glob: "*.csv" });
 */
export function listObjects<P>(d: DagBuilder<P>, id: string, options: ListObjectsOptions): TaskRef<ObjectEntry[]> {
  const where = `listObjects("${id}")`;
  checkLocation(`${where}: url`, options?.url);
  const maxObjects = options.maxObjects ?? 100_000;
  if (!Number.isInteger(maxObjects) || maxObjects < 1) throw new InvalidInputError(`${where}: maxObjects must be an integer >= 1`);
  return declareOperator(d, "listObjects", id, options, OWN_KEYS, (ctx, o) =>
    withStores(ctx, async (session) => {
      const render = templateRenderer(ctx);
      const { url } = resolveLocation(`${where}: url`, o.url, render);
      const plan = planSelection(url, o.glob === undefined ? {} : { glob: render(o.glob) }, where);
      const store = await session.open(url.scheme, o.conn === undefined ? undefined : render(o.conn));
      const { objects } = await selectObjects(store, url.container, plan, ctx.signal);
      if (objects.length > maxObjects) throw new FailTask(`${where}: ${objects.length} objects match, more than maxObjects ${maxObjects}`);
      ctx.log.info(`listed ${objects.length} object(s)`, { url: render(o.url) });
      return objects.map((s) => toEntry(url, s.info));
    }),
  );
}
