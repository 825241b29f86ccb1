import { describe, expect, it } from "vitest";
import { loadDagFiles } from "../dag-processor/load-dag-files.js";
import { tempProject } from "../dag-processor/temp-project.js";

// The DAG loader runs the compiled SDK (dist/): build first (`npx tsc -p tsconfig.build.json`).
describe("baton/notifiers in DAG files", () => {
  it("resolves baton/notifiers (and the notifiers re-exported by baton) in a DAG file; a bad declaration is an import error", async () => {
    const p = tempProject();
    const good = p.write(
      "alerts.ts",
      `import { dag } from "baton";\nimport { slack, pagerduty } from "baton/notifiers";\nimport { jira } from "baton";\n` +
        `const notifiers = [slack({ connection: "slack_alerts", text: "{{ dagId }} failed: {{ error }}" }), pagerduty({ connection: "pd" }), jira({ connection: "jira", project: "OPS" })];\n` +
        `export default dag({ id: "alerting", description: JSON.stringify(notifiers) }, (d) => void d.task("a", () => 1));\n`,
    );
    const bad = p.write(
      "bad-alerts.ts",
      `import { dag } from "baton";\nimport { slack } from "baton/notifiers";\nslack({ connection: "s", text: "{{ dag_id }}" });\nexport default dag({ id: "bad_alerts" }, (d) => void d.task("a", () => 1));\n`,
    );
    const results = await loadDagFiles([good, bad], { bundleDir: p.bundleDir, timeoutMs: 20_000 });
    const ok = results.find((r) => r.file === good)!;
    expect(ok.errors).toEqual([]);
    expect(JSON.parse(ok.dags[0]!.spec.description ?? "[]")).toEqual([
      { notifier: "slack", connection: "slack_alerts", text: "{{ dagId }} failed: {{ error }}" },
      { notifier: "pagerduty", connection: "pd" },
      { notifier: "jira", connection: "jira", options: { project: "OPS" } },
    ]);
    const failed = results.find((r) => r.file === bad)!;
    expect(failed.dags).toEqual([]);
    expect(failed.errors[0]!.message).toMatch(/slack\(\) \(slack\): text template variable "dag_id" is undefined/);
  }, 60_000);
});
