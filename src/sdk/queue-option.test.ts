import { describe, expect, it } from "vitest";
import { DagDefinitionError } from "../core/errors.js";
import { dag } from "./index.js";

describe("the queue task option", () => {
  it("serializes a task's queue, from its own option or the DAG's defaults; default (or absent) leaves the spec without it", () => {
    const spec = dag({ id: "q", defaults: { queue: "gpu" } }, (d) => {
      d.task("own", { queue: "etl.eu-1" }, () => 1);
      d.task("inherited", () => 1);
      d.task("back", { queue: "default" }, () => 1);
      d.shell("sh", { command: "true", queue: "big_mem" });
    }).toSpec();
    expect(Object.fromEntries(spec.tasks.map((t) => [t.taskId, t.queue]))).toEqual({ own: "etl.eu-1", inherited: "gpu", back: undefined, sh: "big_mem" });
    expect("queue" in spec.tasks.find((t) => t.taskId === "back")!).toBe(false);

    const plain = dag({ id: "plain" }, (d) => void d.task("a", () => 1)).toSpec();
    expect("queue" in plain.tasks[0]!).toBe(false);
  });

  it.each([
    ["", /queue must be a queue name of 1-64 letters, digits, _ - and \. \(e\.g\. "gpu"\), got ""/],
    ["gpu queue", /got "gpu queue"/],
    ["x".repeat(65), /queue must be a queue name/],
    [7, /queue must be a queue name .* got 7/],
  ])("rejects queue %j at the task's line", (queue, message) => {
    let line = 0;
    const def = dag({ id: "bad" }, (d) => {
      line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
      d.task("t", { queue } as never, () => 1);
    });
    const err = catchError(() => def.toSpec());
    expect(err).toBeInstanceOf(DagDefinitionError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('DAG "bad", task "t"');
    expect(err.line).toBe(line);
  });

  it("rejects a bad queue in the DAG's defaults at the dag() line", () => {
    const line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
    const def = dag({ id: "bad", defaults: { queue: "no/slash" } }, () => {});
    const err = catchError(() => def.toSpec());
    expect(err.message).toMatch(/queue must be a queue name .* got "no\/slash"/);
    expect(err.line).toBe(line);
  });
});

function catchError(fn: () => unknown): DagDefinitionError {
  try {
    fn();
  } catch (e) {
    return e as DagDefinitionError;
  }
  throw new Error("did not throw");
}
