import { InvalidInputError } from "../errors.js";

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
    if (!PATH.test(path)) {
      throw new InvalidInputError(`template expression "{{${inner}}}" is not supported; use a name or dotted path such as {{ ds }} or {{ params.region }}`);
    }
    return renderValue(lookup(vars, path));
  });
}

function lookup(vars: Record<string, unknown>, path: string): unknown {
  const keys = path.split(".");
  let value: unknown = vars;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!isObject(value) || !Object.hasOwn(value, key)) {
      const where = i === 0 ? "" : ` in "${keys.slice(0, i).join(".")}"`;
      const available = isObject(value) ? Object.keys(value).sort().join(", ") || "(none)" : `nothing (it is ${renderValue(value)})`;
      throw new InvalidInputError(`template variable "${path}" is undefined: no "${key}"${where}; available: ${available}`);
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
