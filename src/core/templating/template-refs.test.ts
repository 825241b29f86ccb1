import { describe, expect, it } from "vitest";
import { renderTemplate, TI_VALUES } from "./render-template.js";
import { templateRefs } from "./template-refs.js";

describe("templates reading upstream values and variables", () => {
  it("finds the tasks ti.value() names and the variables var.x / var.json.x name, at any depth", () => {
    const refs = templateRefs({
      url: 'https://h/{{ ti.value("extract").rows.0 }}?k={{ var.api_key }}',
      body: ["{{ ti.value('count') }}", { deep: "{{ var.json.cfg.region }} {{ ds }}" }],
      n: 3,
    });
    expect(refs).toEqual({ taskIds: ["extract", "count"], variables: ["api_key", "cfg"] });
  });

  it("finds Airflow's var.value.x as variable x", () => {
    expect(templateRefs("{{ var.value.api_key }}/{{ var.json.cfg.region }}/{{ var.value }}")).toEqual({ taskIds: [], variables: ["api_key", "cfg", "value"] });
  });

  it("renders ti.value() (strings as themselves, other values as JSON) and a path into it", () => {
    const vars = { [TI_VALUES]: { extract: { rows: [{ id: 7 }], n: 2 }, name: "alpha", none: undefined }, ds: "2026-01-01" };
    expect(renderTemplate('{{ ti.value("name") }}/{{ ti.value("extract").rows.0.id }}/{{ ds }}', vars)).toBe("alpha/7/2026-01-01");
    expect(renderTemplate("{{ ti.value('extract') }}", vars)).toBe('{"rows":[{"id":7}],"n":2}');
    expect(renderTemplate('[{{ ti.value("none") }}]', vars)).toBe("[]");
  });

  it("names the task or the path that is not there", () => {
    const vars = { [TI_VALUES]: { extract: { n: 2 } } };
    expect(() => renderTemplate('{{ ti.value("ghost") }}', vars)).toThrow(
      'template expression ti.value("ghost"): the value of task "ghost" is not available here; values available to this task\'s templates: extract',
    );
    expect(() => renderTemplate('{{ ti.value("extract").rows }}', vars)).toThrow(
      'template variable "ti.value("extract").rows" is undefined: no "rows" in "ti.value("extract")"; available: n',
    );
    expect(() => renderTemplate("{{ ti.value(extract) }}", vars)).toThrow(/is not supported/);
  });
});
