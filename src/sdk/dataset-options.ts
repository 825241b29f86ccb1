import { InvalidInputError } from "../core/errors.js";
import { DATASET_URI_PATTERN } from "../core/model/dag-spec.js";
import { show } from "./option-checks.js";

/** A dataset URI such as "warehouse://sales" or "s3://raw/events". */
export type DatasetUri = `${string}://${string}`;

/** Datasets a task reads and writes; each success of a task with outlets updates them. */
export interface DatasetOptions {
  /** Datasets the task reads (shown as lineage). */
  inlets?: readonly DatasetUri[];
  /** Datasets the task writes: every success records an event on each, which may start DAGs scheduled on them. */
  outlets?: readonly DatasetUri[];
}

export const DATASET_OPTION_KEYS = ["inlets", "outlets"] as const;

/**
 * A list of dataset URIs, checked and de-duplicated in order. Throws InvalidInputError naming
 * the option and the expected form.
 */
export function checkDatasetUris(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidInputError(`${key} must be a list of dataset URIs such as ["warehouse://sales"], got ${show(value)}`);
  }
  for (const uri of value) {
    if (typeof uri !== "string" || !DATASET_URI_PATTERN.test(uri)) {
      throw new InvalidInputError(
        `${key} has an invalid dataset URI ${show(uri)}; use "<scheme>://<path>" with a lowercase scheme, e.g. "warehouse://sales" or "s3://raw/events"`,
      );
    }
  }
  return [...new Set(value as string[])];
}
