import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { checkLocation, resolveLocation, type ObjectLocation } from "./object-location.js";
import { formatObjectUrl, isPrefix } from "./object-url.js";
import { planSelection, selectObjects } from "./select-objects.js";
import { withStores } from "./store-session.js";
import { transferObject, type VerifyMode } from "./transfer-object.js";

/** What to transfer and how: the options of copyObjects/moveObjects, and of {@link transferObjects}. */
export interface TransferSpec {
  /** Where to read: a prefix URL, a URL with wildcards, or one object, with its conn. Templates. */
  source: ObjectLocation;
  /**
   * Where to write: a prefix (ending with "/"), under which each object keeps its key relative to
   * the source prefix; or, for a single source object, the exact destination object.
   */
  dest: ObjectLocation;
  /** A glob relative to the source prefix (a template). */
  glob?: string;
  /** Keys relative to the source prefix (templates); a missing one fails the task unless ignoreMissing. */
  keys?: readonly string[];
  /** With keys or a single-object URL: skip objects that do not exist (listed in `missing`). Default false. */
  ignoreMissing?: boolean;
  /** How the destination is checked. Default "auto" (see docs/object-storage.md). */
  verify?: VerifyMode;
  /** Objects transferred at once. Default 4. */
  concurrency?: number;
  /** Fail when nothing matches. Default false (an empty manifest). */
  failIfEmpty?: boolean;
}

export interface CopyObjectsOptions extends OperatorTaskOptions, TransferSpec {}

/** One transferred object. */
export interface ManifestEntry {
  /** The key relative to the source prefix (the object's name for a single object). */
  key: string;
  source: string;
  dest: string;
  size: number;
  /** Hex SHA-256 of the bytes, computed while streaming and checked at the destination. */
  sha256: string;
  md5: string;
  verifiedBy: "provider-md5" | "read-back";
}

/** The value of copyObjects/moveObjects. */
export interface TransferManifest {
  objects: ManifestEntry[];
  count: number;
  bytes: number;
  /** Source URLs asked for by key that did not exist (only with ignoreMissing). */
  missing: string[];
}

const OWN_KEYS = ["source", "dest", "glob", "keys", "ignoreMissing", "verify", "concurrency", "failIfEmpty"] as const;
const VERIFY_MODES: readonly VerifyMode[] = ["auto", "read-back"];

/**
 * A task copying objects between any two stores (S3, Azure Blob, GCS, local files), streaming
 * and checksum-verified; see docs/object-storage.md. Its value is a manifest (key, size, sha256
 * per object). A destination that fails verification is deleted and the task fails.
 *
 * @example
 * copyObjects(d, "backup", {
 *   source: { url: "s3://raw/exports/{{ ds }}/", conn: "raw_s3" },
 *   dest: { url: "az://backup/exports/{{ ds }}/", conn: "backup_azure" },
 *   glob: "*.parquet",
 * });
 */
export function copyObjects<P>(d: DagBuilder<P>, id: string, options: CopyObjectsOptions): TaskRef<TransferManifest> {
  return declareTransfer(d, "copyObjects", id, options, false);
}

/**
 * Like {@link copyObjects}, then deletes each source object once its copy is verified.
 *
 * @example
 * moveObjects(d, "archive", { source: { url: "s3://raw/incoming/", conn: "raw_s3" }, dest: { url: "s3://raw/archive/{{ ds }}/", conn: "raw_s3" } });
 */
export function moveObjects<P>(d: DagBuilder<P>, id: string, options: CopyObjectsOptions): TaskRef<TransferManifest> {
  return declareTransfer(d, "moveObjects", id, options, true);
}

function declareTransfer<P>(d: DagBuilder<P>, operator: string, id: string, options: CopyObjectsOptions, move: boolean): TaskRef<TransferManifest> {
  const where = `${operator}("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with source and dest`);
  checkLocation(`${where}: source`, options.source);
  checkLocation(`${where}: dest`, options.dest);
  if (options.verify !== undefined && !VERIFY_MODES.includes(options.verify)) {
    throw new InvalidInputError(`${where}: verify must be one of ${VERIFY_MODES.join(", ")}, got ${JSON.stringify(options.verify)}`);
  }
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new InvalidInputError(`${where}: concurrency must be an integer from 1 to 64`);
  return declareOperator(
    d,
    operator,
    id,
    options,
    OWN_KEYS,
    (ctx, o) => runTransfer(ctx, where, o, move, concurrency),
    (o) => ({
      inputs: [lineageTarget(o.source)],
      outputs: [lineageTarget(o.dest)],
    }),
  );
}

/**
 * Copies (or, with `move: true`, moves) objects from inside your own task, as copyObjects and
 * moveObjects do: for keys only known at run time. Strings are templates, rendered for `ctx`.
 *
 * @example
 * d.task("quarantine", { inputs: { report } }, (ctx, { report }) =>
 *   transferObjects(ctx, { source: { url: "s3://raw/incoming/", conn: "raw_s3" }, dest: { url: "s3://raw/quarantine/{{ ds }}/", conn: "raw_s3" }, keys: report.bad, move: true }));
 */
export function transferObjects(ctx: TaskContext<unknown>, spec: TransferSpec & { move?: boolean }): Promise<TransferManifest> {
  const where = `transferObjects in task "${ctx.taskId}"`;
  const { move = false, ...rest } = spec;
  checkLocation(`${where}: source`, rest.source);
  checkLocation(`${where}: dest`, rest.dest);
  return runTransfer(ctx, where, rest, move, rest.concurrency ?? 4);
}

async function runTransfer(ctx: TaskContext<unknown>, where: string, o: TransferSpec, move: boolean, concurrency: number): Promise<TransferManifest> {
  return withStores(ctx, async (session) => {
    const render = templateRenderer(ctx);
    const source = resolveLocation(`${where}: source`, o.source, render);
    const dest = resolveLocation(`${where}: dest`, o.dest, render);
    const plan = planSelection(
      source.url,
      { ...(o.glob !== undefined ? { glob: render(o.glob) } : {}), ...(o.keys !== undefined ? { keys: renderDeep(o.keys, render) as string[] } : {}) },
      where,
    );
    const from = await session.open(source.url.scheme, source.conn);
    const to = await session.open(dest.url.scheme, dest.conn);
    const { objects, missing } = await selectObjects(from, source.url.container, plan, ctx.signal);
    const missingUrls = missing.map((k) => formatObjectUrl({ ...source.url, key: k }));
    if (missingUrls.length > 0 && !o.ignoreMissing) throw new FailTask(`${where}: not found: ${missingUrls.join(", ")} (set ignoreMissing: true to skip)`);
    if (objects.length === 0 && o.failIfEmpty) throw new FailTask(`${where}: no object matches ${formatObjectUrl(source.url)}`);
    const destIsPrefix = isPrefix(dest.url.key);
    if (!destIsPrefix && (plan.kind === "prefix" || objects.length > 1)) {
      throw new FailTask(`${where}: dest ${formatObjectUrl(dest.url)} must end with "/" when the source is a prefix or glob`);
    }
    const verify = o.verify ?? "auto";
    const entries: ManifestEntry[] = new Array(objects.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < objects.length && !failed) {
        const i = next++;
        const { info, relative } = objects[i]!;
        const destKey = destIsPrefix ? `${dest.url.key}${relative}` : dest.url.key;
        const fromUrl = formatObjectUrl({ ...source.url, key: info.key });
        const toUrl = formatObjectUrl({ ...dest.url, key: destKey });
        if (from === to && source.url.container === dest.url.container && info.key === destKey) {
          throw new FailTask(`${where}: ${fromUrl} would be copied onto itself`);
        }
        const r = await transferObject(
          { store: from, container: source.url.container, key: info.key, url: fromUrl },
          info,
          { store: to, container: dest.url.container, key: destKey, url: toUrl },
          verify,
          ctx.signal,
        );
        if (move) await from.delete(source.url.container, info.key, ctx.signal);
        entries[i] = { key: relative, source: fromUrl, dest: toUrl, size: r.size, sha256: r.sha256, md5: r.md5, verifiedBy: r.verifiedBy };
        ctx.log.info(`${move ? "moved" : "copied"} ${fromUrl} → ${toUrl}`, {
          bytes: r.size,
          sha256: r.sha256,
          verifiedBy: r.verifiedBy,
          serverSide: r.serverSide,
        });
      }
    };
    // On a failure the other workers finish the object they are on, then stop; the first error wins.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, objects.length) }, () => worker().catch((e: unknown) => ((failed = true), Promise.reject(e)))),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
    return { objects: entries, count: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0), missing: missingUrls };
  });
}

/** An object location as lineage names it (the URL template and its connection). */
function lineageTarget(l: ObjectLocation): { kind: "object"; url: string; conn?: string } {
  return typeof l === "string" ? { kind: "object", url: l } : { kind: "object", url: l.url, ...(l.conn === undefined ? {} : { conn: l.conn }) };
}
