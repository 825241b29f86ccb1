/**
 * Turns a DAG's params JSON Schema into form fields, and form values back into a conf object.
 * Kinds: string, number, integer, boolean, enum, array of strings (one per line), and anything
 * else (objects, unions) as a JSON text area.
 */
import type { JsonSchema } from "../../api/types";

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "string-array" | "json";

export interface ParamField {
  name: string;
  kind: FieldKind;
  schema: JsonSchema;
  required: boolean;
  nullable: boolean;
  title: string;
  description?: string;
  options?: unknown[];
}

/** Form values are strings, except booleans. */
export type FormValue = string | boolean;

function nonNullTypes(s: JsonSchema): { types: string[]; nullable: boolean; inner: JsonSchema } {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const rest = alts.filter((a) => a.type !== "null");
    if (rest.length === 1 && rest[0]) {
      const inner = { ...rest[0], description: s.description ?? rest[0].description, default: s.default ?? rest[0].default };
      return { types: typeof inner.type === "string" ? [inner.type] : (inner.type ?? []), nullable: rest.length < alts.length, inner };
    }
    return { types: [], nullable: false, inner: s };
  }
  const t = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  return { types: t.filter((x) => x !== "null"), nullable: t.includes("null"), inner: s };
}

export function fieldsOf(schema: JsonSchema | undefined): ParamField[] {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return Object.entries(props).map(([name, raw]) => {
    const { types, nullable, inner } = nonNullTypes(raw);
    let kind: FieldKind = "json";
    const t = types.length === 1 ? types[0] : undefined;
    if (inner.enum && inner.enum.every((v) => typeof v === "string" || typeof v === "number")) kind = "enum";
    else if (t === "string") kind = "string";
    else if (t === "integer") kind = "integer";
    else if (t === "number") kind = "number";
    else if (t === "boolean") kind = "boolean";
    else if (t === "array" && inner.items && inner.items.type === "string" && !inner.items.enum) kind = "string-array";
    return {
      name,
      kind,
      schema: inner,
      required: required.has(name) && inner.default === undefined,
      nullable,
      title: inner.title ?? name,
      description: inner.description,
      options: inner.enum,
    };
  });
}

export function initialValue(f: ParamField, defaults: Record<string, unknown>): FormValue {
  const v = Object.hasOwn(defaults, f.name) ? defaults[f.name] : f.schema.default;
  switch (f.kind) {
    case "boolean":
      return v === true;
    case "string-array":
      return Array.isArray(v) ? v.join("\n") : "";
    case "json":
      return v === undefined ? "" : JSON.stringify(v, null, 2);
    default:
      return v === undefined || v === null ? "" : String(v);
  }
}

/** Builds the conf; returns per-field parse errors instead when a value cannot be read. */
export function toConf(fields: ParamField[], values: Record<string, FormValue>): { conf: Record<string, unknown>; errors: Record<string, string> } {
  const conf: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === "boolean") {
      conf[f.name] = v === true;
      continue;
    }
    const s = typeof v === "string" ? v : "";
    if (s.trim() === "") {
      // Left empty: omitted, so the DAG's default (if any) applies on the server.
      if (f.required) errors[f.name] = "is required";
      continue;
    }
    switch (f.kind) {
      case "integer":
      case "number": {
        const n = Number(s);
        if (!Number.isFinite(n) || (f.kind === "integer" && !Number.isInteger(n)))
          errors[f.name] = `must be ${f.kind === "integer" ? "a whole number" : "a number"}`;
        else conf[f.name] = n;
        break;
      }
      case "enum": {
        const opt = f.options?.find((o) => String(o) === s);
        conf[f.name] = opt ?? s;
        break;
      }
      case "string-array":
        conf[f.name] = s
          .split("\n")
          .map((x) => x.trim())
          .filter(Boolean);
        break;
      case "json":
        try {
          conf[f.name] = JSON.parse(s);
        } catch (e) {
          errors[f.name] = `is not valid JSON (${(e as Error).message})`;
        }
        break;
      default:
        conf[f.name] = s;
    }
  }
  return { conf, errors };
}

/**
 * Maps a 400 from the trigger route to fields: `field` ("conf.region") when one field is at
 * fault, otherwise every `conf.x: reason` / `params.x: reason` named in the message.
 */
export function fieldErrorsFrom(message: string, field: string | undefined, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const leaf = (f: string) => f.replace(/^(conf|params)\./, "").split(".")[0] ?? f;
  for (const part of message.replace(/^params are invalid:\s*/, "").split(/;\s*/)) {
    const m = /^(?:conf|params)\.([\w$-]+)[^:]*:\s*(.+)$/.exec(part.trim());
    if (m && m[1] && names.includes(m[1])) out[m[1]] = m[2] ?? "is invalid";
  }
  if (field) {
    const f = leaf(field);
    if (names.includes(f) && !out[f]) out[f] = message.replace(/^params are invalid:\s*/, "").replace(new RegExp(`^(conf|params)\\.${f}[^:]*:\\s*`), "");
  }
  return out;
}
