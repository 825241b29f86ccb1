import { InvalidInputError } from "../core/errors.js";
import { ID_PATTERN } from "../core/graph/validate-dag-spec.js";

/** Rejects keys outside `allowed`, naming the valid ones (catches `retry: 3` for `retries`). */
export function checkKnownKeys(value: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidInputError(`unknown ${what} "${key}"; valid ${what}s: ${allowed.join(", ")}`);
    }
  }
}

export function checkInteger(value: unknown, key: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`${key} must be an integer >= ${min}, got ${show(value)}`);
  }
  return value;
}

export function checkBoolean(value: unknown, key: string): boolean {
  if (typeof value !== "boolean") throw new InvalidInputError(`${key} must be true or false, got ${show(value)}`);
  return value;
}

export function checkString(value: unknown, key: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidInputError(`${key} must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

export function checkOneOf<T extends string>(value: unknown, key: string, options: readonly T[]): T {
  if (!options.includes(value as T)) {
    throw new InvalidInputError(`${key} must be one of ${options.join(", ")}; got ${show(value)}`);
  }
  return value as T;
}

/** DAG and task ids: letters, digits and `_ . ~ : + -`; at most 250 characters (as in Airflow). */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== "string" || !ID_PATTERN.test(value) || value.length > 250) {
    throw new InvalidInputError(`${what} ${show(value)} is invalid; use 1-250 letters, digits and _ . ~ : + -`);
  }
  return value;
}

export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
