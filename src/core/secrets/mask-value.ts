/**
 * A JSON value (as `JSON.parse` returns it) with `mask` applied to every string in it: values
 * and object keys, at any depth. Numbers, booleans and null are kept. Returns a new value; the
 * input is not changed.
 *
 * @example
 * maskJsonValue({ url: "pg://u:hunter22@h", tags: ["hunter22"] }, (s) => maskText(s, ["hunter22"]))
 * // → { url: "pg://u:***@h", tags: ["***"] }
 */
export function maskJsonValue(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskJsonValue(v, mask));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[mask(k)] = maskJsonValue(v, mask);
    return out;
  }
  return value;
}
