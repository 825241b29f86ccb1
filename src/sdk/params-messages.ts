import type { z } from "zod";

/**
 * The JSON Schema keyword under which a param's own error messages travel: `{ pattern: "must be a
 * region code", minimum: "at least one" }`, keyed by the JSON Schema keyword that fails. The core's
 * params validation (src/core/params/resolve-params.ts) shows these instead of ajv's generic text
 * (`must match pattern "^[a-z]{2}$"`); JSON Schema tools ignore the unknown keyword.
 */
export const PARAM_MESSAGES_KEYWORD = "x-baton-messages";

/** The JSON Schema keywords a zod check becomes in z.toJSONSchema. */
const KEYWORDS_OF_CHECK: Record<string, string[]> = {
  min_length: ["minLength", "minItems"],
  max_length: ["maxLength", "maxItems"],
  length_equals: ["minLength", "maxLength", "minItems", "maxItems"],
  min_size: ["minItems"],
  max_size: ["maxItems"],
  greater_than: ["minimum", "exclusiveMinimum"],
  less_than: ["maximum", "exclusiveMaximum"],
  multiple_of: ["multipleOf"],
  number_format: ["type", "minimum", "maximum"],
};

type Override = NonNullable<Parameters<typeof z.toJSONSchema>[1]>["override"];

/** The message an author gave (`.regex(re, "msg")`, `{ error: "msg" }`), or null for zod's default. */
function messageOf(def: { error?: unknown } | undefined, code: string): string | null {
  if (typeof def?.error !== "function") return null;
  try {
    const out = (def.error as (issue: unknown) => unknown)({ code, input: undefined, path: [] });
    const text =
      typeof out === "string" ? out : typeof (out as { message?: unknown } | null)?.message === "string" ? (out as { message: string }).message : null;
    return text && text.trim() ? text : null;
  } catch {
    return null; // a message computed from the actual issue: ajv's text stays
  }
}

/** z.toJSONSchema's `override`: copies the authors' check messages into PARAM_MESSAGES_KEYWORD. */
export const paramMessagesOverride: Override = (ctx) => {
  const def = (ctx.zodSchema as { _zod?: { def?: { error?: unknown; checks?: { _zod?: { def?: { check?: string; format?: string; error?: unknown } } }[] } } })
    ._zod?.def;
  if (!def) return;
  const messages: Record<string, string> = {};
  const typeMessage = messageOf(def, "invalid_type");
  if (typeMessage) messages.type = typeMessage;
  for (const check of def.checks ?? []) {
    const c = check._zod?.def;
    if (!c?.check) continue;
    const message = messageOf(c, c.check);
    if (!message) continue;
    const keywords = c.check === "string_format" ? (c.format === "regex" ? ["pattern"] : ["format", "pattern"]) : (KEYWORDS_OF_CHECK[c.check] ?? []);
    for (const k of keywords) messages[k] = message;
  }
  if (Object.keys(messages).length) (ctx.jsonSchema as Record<string, unknown>)[PARAM_MESSAGES_KEYWORD] = messages;
};
