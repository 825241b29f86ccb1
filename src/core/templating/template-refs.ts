/**
 * `{{ ti.value("extract") }}` and `{{ ti.value("extract").rows.0 }}`: an upstream task's return
 * value (its id, then an optional dotted path into it).
 */
export const TI_VALUE = /^ti\.value\(\s*(["'])([^"'\s]+)\1\s*\)((?:\.[\w$-]+)*)$/;

/**
 * `{{ var.name }}` or Airflow's `{{ var.value.name }}` (the variable's text), and
 * `{{ var.json.name.path }}` (its JSON, then a path).
 */
const VAR = /^var\.(?:json\.|value\.)?([\w$-]+)/;

/** The input name under which a task receives the value `ti.value("<taskId>")` reads. */
export function tiValueInput(taskId: string): string {
  return `ti.value:${taskId}`;
}

/** The upstream task ids and variable keys the templates inside `value` read (strings at any depth). */
export function templateRefs(value: unknown): { taskIds: string[]; variables: string[] } {
  const taskIds = new Set<string>();
  const variables = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      for (const m of v.matchAll(/\{\{(.*?)\}\}/gs)) {
        const inner = m[1]!.trim();
        const ti = TI_VALUE.exec(inner);
        if (ti) taskIds.add(ti[2]!);
        const vr = VAR.exec(inner);
        // `var.json` alone names nothing; `var.json.x` reads variable x as JSON, `var.value.x` as text
        // (`var.value` alone is still the variable named "value").
        if (vr && inner !== "var.json") variables.add(vr[1]!);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
  };
  visit(value);
  return { taskIds: [...taskIds], variables: [...variables] };
}
