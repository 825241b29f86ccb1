import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * The official OpenLineage JSON Schemas, read at test time from `../shared/reference/openlineage/`
 * beside the repository (or `OPENLINEAGE_SCHEMAS_DIR`); not shipped with Baton.
 */
export const SCHEMAS_DIR =
  process.env.OPENLINEAGE_SCHEMAS_DIR ??
  // Beside this checkout, else the workplace's shared folder (a clone made elsewhere, e.g. by CI).
  [resolve(import.meta.dirname, "../../../../shared/reference/openlineage"), "/work/shared/reference/openlineage"].find((d) =>
    existsSync(join(d, "OpenLineage.json")),
  ) ??
  resolve(import.meta.dirname, "../../../../shared/reference/openlineage");

/** Why the schema tests cannot run here, or null when they can. */
export function schemasMissing(): string | null {
  return existsSync(join(SCHEMAS_DIR, "OpenLineage.json")) ? null : `the OpenLineage JSON Schemas are not at ${SCHEMAS_DIR} (set OPENLINEAGE_SCHEMAS_DIR)`;
}

export interface EventValidator {
  /** The schema errors of one event (the RunEvent schema, then each facet against its facet schema); [] when valid. */
  errors(event: unknown): string[];
}

/** Compiles the RunEvent schema and every facet schema of the folder (ajv, JSON Schema 2020-12). */
export function loadEventValidator(): EventValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const core = JSON.parse(readFileSync(join(SCHEMAS_DIR, "OpenLineage.json"), "utf8")) as { $id: string };
  ajv.addSchema(core);
  const facetFiles = readdirSync(join(SCHEMAS_DIR, "facets")).filter((f) => f.endsWith(".json"));
  /** Facet key (e.g. "parent") → the validators of the schemas defining it. */
  const facetValidators = new Map<string, ValidateFunction[]>();
  for (const file of facetFiles) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, "facets", file), "utf8")) as { $id: string; properties?: Record<string, unknown> };
    ajv.addSchema(schema);
    const validate = ajv.getSchema(schema.$id)!;
    for (const key of Object.keys(schema.properties ?? {})) facetValidators.set(key, [...(facetValidators.get(key) ?? []), validate]);
  }
  const runEvent = ajv.getSchema(`${core.$id}#/$defs/RunEvent`)!;
  const text = (v: ValidateFunction) => ajv.errorsText(v.errors, { separator: "; " });
  return {
    errors(event) {
      const out: string[] = [];
      if (!runEvent(event)) out.push(`RunEvent: ${text(runEvent)}`);
      const e = event as { run?: { facets?: Record<string, unknown> }; job?: { facets?: Record<string, unknown> } };
      for (const [where, facets] of [
        ["run", e.run?.facets],
        ["job", e.job?.facets],
      ] as const) {
        for (const key of Object.keys(facets ?? {})) {
          const validators = facetValidators.get(key);
          if (!validators) {
            out.push(`${where}.facets.${key}: no official schema defines this facet`);
            continue;
          }
          // A key shared by a run and a job facet (e.g. "tags") is valid if either schema accepts it.
          const failures = validators.filter((v) => !v({ [key]: facets![key] }));
          if (failures.length === validators.length) out.push(`${where}.facets.${key}: ${text(failures[0]!)}`);
        }
      }
      return out;
    },
  };
}
