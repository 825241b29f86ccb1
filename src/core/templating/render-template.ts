import { InvalidInputError } from "../errors.js";
import { TI_VALUE } from "./template-refs.js";

/** Where {@link renderTemplate} finds the values `{{ ti.value("task") }}` reads, by task id. */
export const TI_VALUES = "ti.value";

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const PATH = /^[A-Za-z_$][\w$]*(?:\.[\w$]+)*$/;

/**
 * Replaces each `{{ name }}` or `{{ dotted.path }}` in `template` with its value from `vars`
 * (whitespace inside the braces is ignored). Strings and numbers render as themselves; objects,
 * arrays and null as JSON. Like Airflow's StrictUndefined, an unknown name throws
 * InvalidInputError naming it and listing what is available; anything other than a dotted path
 * (filters, calls, operators) is refused rather than guessed.
 *
 * @example renderTemplate("echo {{ params.region }}", { params: { region: "eu" } }) // "echo eu"
 */
export function renderTemplate(template: string, vars: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_match, inner: string) => {
    const path = inner.trim();
    const ti = TI_VALUE.exec(path);
    if (ti) return renderValue(tiValue(vars, ti[2]!, ti[3]!.slice(1)));
    if (!PATH.test(path)) {
      throw new InvalidInputError(
        `template expression "{{${inner}}}" is not supported; use a name or dotted path such as {{ ds }}, {{ params.region }}, {{ ti.value("extract") }} or {{ var.name }}`,
      );
    }
    return renderValue(lookup(vars, path));
  });
}

/** `ti.value("taskId")` then an optional dotted path into it. */
function tiValue(vars: Record<string, unknown>, taskId: string, path: string): unknown {
  const values = vars[TI_VALUES];
  if (!isObject(values) || !Object.hasOwn(values, taskId)) {
    const known = isObject(values) ? Object.keys(values).sort().join(", ") || "(none)" : "(none)";
    throw new InvalidInputError(
      `template expression ti.value("${taskId}"): the value of task "${taskId}" is not available here; values available to this task's templates: ${known}`,
    );
  }
  const value = values[taskId];
  return path === "" ? value : walk(value, path.split("."), `ti.value("${taskId}")`);
}

function lookup(vars: Record<string, unknown>, path: string): unknown {
  return walk(vars, path.split("."), null);
}

/** Follows `keys` from `root` (named `rootName` in messages; null: the variables themselves). */
function walk(root: unknown, keys: string[], rootName: string | null): unknown {
  const full = [...(rootName === null ? [] : [rootName]), ...keys].join(".");
  let value: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!isObject(value) || !Object.hasOwn(value, key)) {
      const before = [...(rootName === null ? [] : [rootName]), ...keys.slice(0, i)];
      const where = before.length === 0 ? "" : ` in "${before.join(".")}"`;
      const available = isObject(value) ? Object.keys(value).sort().join(", ") || "(none)" : `nothing (it is ${renderValue(value)})`;
      throw new InvalidInputError(`template variable "${full}" is undefined: no "${key}"${where}; available: ${available}`);
    }
    value = value[key];
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
