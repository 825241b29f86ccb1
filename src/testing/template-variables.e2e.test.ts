import { describe, expect, it } from "vitest";
import { dag } from "../sdk/index.js";
import { testDag } from "./index.js";

// Airflow's context variables ts_nodash_with_tz and task_instance_key_str, rendered in a shell
// command by the real scheduler and executor (docs/authoring.md#shell-templates).

describe("template variables", () => {
  it("renders ts_nodash_with_tz and task_instance_key_str ({dag_id}__{task_id}__{ds_nodash})", async () => {
    const pipeline = dag({ id: "keys" }, (d) => {
      d.shell("show", { command: "echo {{ ts_nodash_with_tz }} {{ task_instance_key_str }}" });
    });
    const run = await testDag(pipeline, { now: "2026-01-02T06:00:00Z", logicalDate: "2026-01-02T00:00:00Z" });
    expect(run.task("show").state).toBe("success");
    expect(run.task("show").value).toBe("20260102T000000+0000 keys__show__20260102");
  });
});
