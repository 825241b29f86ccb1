import type { FastifyRequest } from "fastify";
import { InvalidInputError } from "../core/errors.js";

/**
 * Rejects numbers that are not finite in the query, params and body: `1e309` parses (as JSON or
 * a coerced query string) to Infinity, which the schema's integer/maximum checks let through.
 */
export async function rejectNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  for (const part of [request.query, request.params, request.body]) {
    const path = firstNonFinite(part, [], 0);
    if (path !== null) throw new InvalidInputError(`${path.join(".") || "body"}: must be a finite number`);
  }
}

function firstNonFinite(value: unknown, path: string[], depth: number): string[] | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (value === null || typeof value !== "object" || depth > 32) return null;
  for (const [key, v] of Object.entries(value)) {
    const found = firstNonFinite(v, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}
