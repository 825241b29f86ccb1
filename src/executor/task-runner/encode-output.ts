import type { AttemptOutcome } from "../../core/ports/executor.js";

/**
 * The JSON text of a task's return value, or the failure that ends the attempt when the value
 * cannot be stored: not serializable, or over `maxBytes`. Neither is fixed by retrying.
 */
export function encodeOutput(taskId: string, value: unknown, maxBytes: number): { ok: true; output: string | null } | { ok: false; outcome: AttemptOutcome } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(`return value of task "${taskId}" is not JSON-serializable (${why}); return plain data: objects, arrays, strings, numbers, booleans, null`);
  }
  if (json === undefined) return { ok: true, output: null };
  // Byte length is at most 3 × UTF-16 length: skip the exact count for small values.
  if (json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json, "utf8");
    if (bytes > maxBytes) {
      return fail(
        `return value of task "${taskId}" is ${overLimit(bytes, maxBytes)} (BATON_MAX_OUTPUT_BYTES); write large data to a file or object storage and return a reference`,
      );
    }
  }
  return { ok: true, output: json };
}

function fail(error: string): { ok: false; outcome: AttemptOutcome } {
  return { ok: false, outcome: { kind: "failed", error, retryable: false } };
}

/**
 * "2 MiB, over the 1 MiB limit", or in exact bytes when the rounded figures would read the same
 * ("2,049 bytes, over the 2,048-byte limit").
 */
function overLimit(bytes: number, maxBytes: number): string {
  const [size, limit] = [formatBytes(bytes), formatBytes(maxBytes)];
  if (size !== limit) return `${size}, over the ${limit} limit`;
  const exact = (n: number) => n.toLocaleString("en-US");
  return `${exact(bytes)} bytes, over the ${exact(maxBytes)}-byte limit`;
}

/** `512 B`, `3.2 KiB`, `1 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, "");
  return `${text} ${units[unit]}`;
}
