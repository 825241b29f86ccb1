/** Small builders for the JSON schemas of routes and components (plain JSON Schema objects). */
export type JsonSchema = Record<string, unknown>;

export const str = { type: "string" } as const;
export const int = { type: "integer" } as const;
export const bool = { type: "boolean" } as const;
export const nullableStr = { type: ["string", "null"] } as const;
export const nullableInt = { type: ["integer", "null"] } as const;
/** An ISO 8601 UTC time or null. */
export const time = { type: ["string", "null"], format: "date-time" } as const;
/** Any JSON object (conf, params, schemas). */
export const anyObject = { type: "object", additionalProperties: true } as const;

export function ref(id: string): JsonSchema {
  return { $ref: `${id}#` };
}

/** An object whose listed properties are all required; no others allowed. */
export function obj(properties: Record<string, unknown>, optional: string[] = []): JsonSchema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

export function arrayOf(items: unknown): JsonSchema {
  return { type: "array", items };
}

export function stringEnum(values: readonly string[]): JsonSchema {
  return { type: "string", enum: [...values] };
}

/** Error responses of a route, all `Error`. */
export function errors(...statuses: number[]): Record<number, JsonSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ref("Error")]));
}

/** A path segment id: any non-empty text (unicode allowed). */
export const idParam = { type: "string", minLength: 1, maxLength: 250 } as const;

/** The command responses: 200 applied, 202 pending. */
export const commandResponses = { 200: ref("CommandResult"), 202: ref("CommandResult") };
