import { FailTask } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { checkLocation, resolveLocation, toEntry, type ObjectEntry } from "./object-location.js";
import { planSelection, selectObjects } from "./select-objects.js";
import { withStores } from "./store-session.js";

export interface DeleteObjectsOptions extends OperatorTaskOptions {
  /** A prefix, a URL with wildcards, or one object (a template). */
  url: string;
  conn?: string;
  /** A glob relative to the prefix (a template). */
  glob?: string;
  /** Keys relative to the prefix (templates). */
  keys?: readonly string[];
  /** Fail when a single-object URL or an explicit key does not exist. Default false. */
  failIfMissing?: boolean;
  /** A prefix URL with neither glob nor keys deletes everything under it only with this set. Default false. */
  allowWholePrefix?: boolean;
}

export interface DeleteObjectsResult {
  deleted: ObjectEntry[];
  /** Keys asked for (single URL or `keys`) that did not exist. */
  missing: string[];
}

const OWN_KEYS = ["url", "conn", "glob", "keys", "failIfMissing", "allowWholePrefix"] as const;

/**
 * A task deleting objects: one object, a glob, explicit keys, or (with `allowWholePrefix`) a
 * whole prefix. Its value lists what was deleted.
 *
 * @example
 * deleteObjects(d, "cleanup", { url: "gs://scratch/tmp/{{ ds }}/", conn: "lake", glob: "*.part" });
 */
export function deleteObjects<P>(d: DagBuilder<P>, id: string, options: DeleteObjectsOptions): TaskRef<DeleteObjectsResult> {
  const where = `deleteObjects("${id}")`;
  checkLocation(`${where}: url`, options?.url);
  return declareOperator(d, "deleteObjects", id, options, OWN_KEYS, (ctx, o) =>
    withStores(ctx, async (session) => {
      const render = templateRenderer(ctx);
      const { url } = resolveLocation(`${where}: url`, o.url, render);
      const plan = planSelection(
        url,
        { ...(o.glob !== undefined ? { glob: render(o.glob) } : {}), ...(o.keys !== undefined ? { keys: renderDeep(o.keys, render) as string[] } : {}) },
        where,
      );
      if (plan.kind === "prefix" && plan.glob === null && plan.keys === null && !o.allowWholePrefix) {
        throw new FailTask(`${where}: ${render(o.url)} is a whole prefix; give glob or keys, or set allowWholePrefix: true`);
      }
      const store = await session.open(url.scheme, o.conn === undefined ? undefined : render(o.conn));
      const { objects, missing } = await selectObjects(store, url.container, plan, ctx.signal);
      if (missing.length > 0 && o.failIfMissing) throw new FailTask(`${where}: not found: ${missing.join(", ")}`);
      for (const s of objects) await store.delete(url.container, s.info.key, ctx.signal);
      ctx.log.info(`deleted ${objects.length} object(s)`, { missing: missing.length });
      return { deleted: objects.map((s) => toEntry(url, s.info)), missing };
    }),
  );
}
