import { describe, expect, expectTypeOf, it } from "vitest";
import { dag, type TaskRef } from "../../sdk/index.js";
import { externalTaskSensor, triggerDag, type ExternalTaskState, type TriggeredDagRun } from "../index.js";

const load = (body: Parameters<typeof dag>[1]) => () => dag({ id: "cross_dag_options" }, body).toSpec();

describe("triggerDag options", () => {
  it("declares a typed task; task options go to the task", () => {
    const def = dag({ id: "typing_trigger" }, (d) => {
      const t = triggerDag(d, "go", { dagId: "other", conf: { day: "{{ ds }}" }, wait: true, pokeInterval: "1s", retries: 2 });
      expectTypeOf(t).toEqualTypeOf<TaskRef<TriggeredDagRun>>();
      triggerDag(d, "fire", { dagId: "other", runId: "r_{{ ds }}", logicalDate: "{{ ts }}", skipWhenAlreadyExists: true, after: t });
      triggerDag(d, "fn", { dagId: "other", logicalDate: (ctx) => ctx.logicalDate ?? new Date(), resetDagRun: true });
    });
    expect(def.toSpec().tasks.find((t) => t.taskId === "go")).toMatchObject({ retries: 2 });
  });

  it("refuses bad options when the DAG loads, naming the task and the option", () => {
    expect(load((d) => triggerDag(d, "t", {} as never))).toThrow(/triggerDag\("t"\): dagId must be the id of the DAG to trigger/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", conf: [1] as never }))).toThrow(/conf must be an object/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", runId: "" }))).toThrow(/runId must be non-empty text/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", logicalDate: new Date("nope") }))).toThrow(/logicalDate must be ISO text or a template, a valid Date/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", logicalDate: "March 7" }))).toThrow(
      /triggerDag\("t"\): logicalDate: "March 7" is not an ISO 8601 date/,
    );
    expect(load((d) => triggerDag(d, "t", { dagId: "x", logicalDate: "2026-02-30" }))).toThrow(/logicalDate: "2026-02-30" is not a real date/);
    expect(load((d) => void triggerDag(d, "t", { dagId: "x", logicalDate: "2026-02-03T04:05:06+01:00" }))).not.toThrow();
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: "yes" as never }))).toThrow(/wait must be true or false/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", skipWhenAlreadyExists: true, resetDagRun: true }))).toThrow(
      /skipWhenAlreadyExists or resetDagRun, not both/,
    );
    expect(load((d) => triggerDag(d, "t", { dagId: "x", pokeInterval: "1s", failedStates: [] }))).toThrow(
      /pokeInterval, failedStates apply only with wait: true/,
    );
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: true, pokeInterval: 0 }))).toThrow(/pokeInterval must be more than 0/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: true, pokeInterval: "soon" }))).toThrow(/pokeInterval "soon" is not a duration/);
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: true, allowedStates: ["done" as never] }))).toThrow(
      /allowedStates has unknown state "done"; valid states: queued, running, success, failed/,
    );
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: true, allowedStates: ["success", "failed"] }))).toThrow(
      /state "failed" is in both allowedStates and failedStates/,
    );
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait: true, allowedStates: [], failedStates: [] }))).toThrow(
      /allowedStates must name at least one state/,
    );
    // @ts-expect-error unknown option names are refused by the types, and at load time
    expect(load((d) => triggerDag(d, "t", { dagId: "x", wait_for_completion: true }))).toThrow(
      /unknown option "wait_for_completion"; valid options: dagId, conf, runId/,
    );
  });
});

describe("externalTaskSensor options", () => {
  it("declares a typed sensor task", () => {
    dag({ id: "typing_external" }, (d) => {
      const s = externalTaskSensor(d, "wait", { dagId: "other", taskId: "load", logicalDateDelta: "1h", pokeInterval: "30s", timeout: "1h", softFail: true });
      expectTypeOf(s).toEqualTypeOf<TaskRef<ExternalTaskState>>();
      externalTaskSensor(d, "whole", { dagId: "other", logicalDateFn: (ctx) => ctx.logicalDate!, allowedStates: ["success", "failed"], failedStates: [] });
      externalTaskSensor(d, "some", { dagId: "other", taskIds: ["a", "b"], skippedStates: ["skipped"], checkExistence: true });
    }).toSpec();
  });

  it("refuses bad options when the DAG loads", () => {
    expect(load((d) => externalTaskSensor(d, "s", {} as never))).toThrow(/externalTaskSensor\("s"\): dagId must be the id of the DAG to watch/);
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", taskId: "a", taskIds: ["b"] }))).toThrow(/give taskId or taskIds, not both/);
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", taskIds: [] }))).toThrow(/taskIds must be a non-empty list/);
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", logicalDateDelta: "1h", logicalDateFn: () => new Date() }))).toThrow(
      /logicalDateDelta or logicalDateFn, not both/,
    );
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", logicalDateDelta: "yesterday" }))).toThrow(/logicalDateDelta "yesterday" is not a duration/);
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", checkExistence: 1 as never }))).toThrow(/checkExistence must be true or false/);
    // Run states for a whole run; task states for tasks.
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", allowedStates: ["skipped"] }))).toThrow(
      /allowedStates has unknown state "skipped"; valid states: queued, running, success, failed/,
    );
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", taskId: "a", allowedStates: ["skipped"], skippedStates: ["skipped"] }))).toThrow(
      /state "skipped" is in both allowedStates and skippedStates/,
    );
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", taskId: "a", failedStates: ["broken" as never] }))).toThrow(
      /valid states: none, scheduled, queued, running/,
    );
    expect(load((d) => externalTaskSensor(d, "s", { dagId: "x", mode: "sideways" as never }))).toThrow(/mode/);
  });
});
