import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { InvalidInputError } from "../errors.js";

// Formats are not checked (zod's z.toJSONSchema also emits a `pattern` for date/date-time);
// strict off so schemas with annotations ajv does not know still compile.
const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, validateFormats: false, logger: false, verbose: true });
const validators = new Map<string, ValidateFunction>();

/**
 * The params of a run: `{...defaults, ...conf}` validated against the DAG's params JSON Schema
 * (draft 2020-12, as z.toJSONSchema emits; schema `default`s fill missing fields). Throws
 * InvalidInputError naming each failing field and why, e.g.
 * `params are invalid: conf.region: must be one of eu, us`; a field is `conf.x` when the trigger
 * conf supplied it or it is missing, `params.x` when a default is at fault. The reason is the DAG
 * author's own message when the schema carries one (`x-baton-messages`, keyed by JSON Schema
 * keyword, written by the SDK from zod's `.regex(re, "message")` and the like). Compiled validators
 * are cached by schema JSON.
 *
 * @example resolveParams({ type: "object", properties: { n: { type: "integer" } } }, { n: 1 }, { n: 5 }) // { n: 5 }
 */
export function resolveParams(schema: Record<string, unknown>, defaults: Record<string, unknown>, conf: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = structuredClone({ ...defaults, ...conf });
  const validate = validatorFor(schema);
  if (validate(merged)) return merged;
  const problems = (validate.errors ?? []).map((e) => `${fieldOf(e, conf)}: ${reasonOf(e)}`);
  throw new InvalidInputError(`params are invalid: ${[...new Set(problems)].join("; ")}`);
}

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (e) {
      throw new InvalidInputError(`the DAG's params schema is not valid JSON Schema: ${(e as Error).message}`, { cause: e });
    }
    validators.set(key, validate);
  }
  return validate;
}

function fieldOf(e: ErrorObject, conf: Record<string, unknown>): string {
  const segments = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  const extra = e.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = e.keyword === "required" ? extra.missingProperty : e.keyword === "additionalProperties" ? extra.additionalProperty : undefined;
  if (leaf !== undefined) segments.push(leaf);
  const top = segments[0];
  const root = top === undefined || e.keyword === "required" || Object.hasOwn(conf, top) ? "conf" : "params";
  return [root, ...segments].join(".");
}

/** The SDK's `x-baton-messages` keyword (src/sdk/params-messages.ts): the DAG author's messages. */
const AUTHOR_MESSAGES = "x-baton-messages";

function reasonOf(e: ErrorObject): string {
  const authored = (e.parentSchema as Record<string, unknown> | undefined)?.[AUTHOR_MESSAGES] as Record<string, unknown> | undefined;
  const own = authored?.[e.keyword];
  if (typeof own === "string") return own;
  const p = e.params as { allowedValues?: unknown[]; allowedValue?: unknown };
  switch (e.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not a declared param";
    case "enum":
      return `must be one of ${(p.allowedValues ?? []).map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}
