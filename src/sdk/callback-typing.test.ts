// Compile-time guarantees of the callback options (checked by `tsc --noEmit -p .`), and what
// the spec keeps of them at run time.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { NotifierDeclaration } from "../core/model/alerts.js";
import { dag, task, z } from "./index.js";
import type { CallbackContext } from "./context.js";

const hook: NotifierDeclaration = { notifier: "webhook", connection: "hook" };

describe("callback options", () => {
  it("types the callback context from the DAG's params; takes functions and notifiers, one or a list", () => {
    const d = dag(
      {
        id: "typed_callbacks",
        params: z.object({ region: z.enum(["eu", "us"]).default("eu") }),
        onFailure: [
          (ctx) => {
            expectTypeOf(ctx).toEqualTypeOf<CallbackContext<{ region: "eu" | "us" }>>();
            expectTypeOf(ctx.params.region).toEqualTypeOf<"eu" | "us">();
            expectTypeOf(ctx.error).toEqualTypeOf<{ message: string; stack: string | null } | null>();
            expectTypeOf(ctx.taskId).toEqualTypeOf<string | null>();
            // @ts-expect-error no such param
            void ctx.params.country;
          },
          hook,
        ],
        onSuccess: hook,
        onDeadlineMissed: async (ctx) => {
          expectTypeOf(ctx.event).toEqualTypeOf<"failure" | "success" | "retry" | "execute" | "skipped" | "deadline_missed" | "anomaly">();
        },
        callbackTimeout: "30s",
        alertPolicy: { afterConsecutiveFailures: 3, resolveOnRecovery: true, repeatEvery: "1h", severity: "critical", notify: hook },
      },
      (b) => {
        b.task(
          "t",
          { retries: 1, onRetry: (ctx) => void ctx.params.region, onSuccess: [hook, (ctx) => void ctx.tryNumber], onExecute: () => {}, onSkipped: hook },
          () => 1,
        );
        b.shell("sh", { command: "true", onFailure: hook });
      },
    );
    dag({ id: "mistakes" }, (b) => {
      // @ts-expect-error a callback is a function or a notifier declaration
      b.task("bad", { onFailure: "page me" }, () => 1);
      // @ts-expect-error onDeadlineMissed is DAG-level only
      b.task("late", { onDeadlineMissed: hook }, () => 1);
    });
    // @ts-expect-error severity is a closed set
    void dag({ id: "x", alertPolicy: { severity: "urgent" } }, () => {});
    const spec = d.toSpec();
    expect(spec.callbacks?.onFailure).toEqual([
      { kind: "function", index: 0, name: null },
      { kind: "notifier", notifier: hook },
    ]);
    expect(spec.callbacks?.onDeadlineMissed).toEqual([{ kind: "function", index: 1, name: "onDeadlineMissed" }]);
    expect(spec.callbackTimeoutMs).toBe(30_000);
    expect(spec.alertPolicy).toEqual({ afterConsecutiveFailures: 3, resolveOnRecovery: true, repeatEveryMs: 3_600_000, severity: "critical", notify: [hook] });
    const t = spec.tasks.find((x) => x.taskId === "t")!;
    expect(t.callbacks).toEqual({
      onSuccess: [
        { kind: "notifier", notifier: hook },
        { kind: "function", index: 2, name: null },
      ],
      onRetry: [{ kind: "function", index: 3, name: "onRetry" }],
      onExecute: [{ kind: "function", index: 4, name: "onExecute" }],
      onSkipped: [{ kind: "notifier", notifier: hook }],
    });
    // The worker finds each function by the same index.
    expect(typeof d.getCallback?.(4)).toBe("function");
    expect(d.getCallback?.(9)).toBeUndefined();
    // A task without callbacks keeps the spec it had (no key).
    expect("callbacks" in spec.tasks.find((x) => x.taskId === "sh")!).toBe(true);
  });

  it("free functions take untyped callbacks; specs without callbacks carry no callbacks key", () => {
    const d = dag({ id: "plain" }, () => {
      task("a", { onFailure: (ctx) => expectTypeOf(ctx.params).toEqualTypeOf<Record<string, unknown>>() }, () => 1);
      task("b", () => 1);
    });
    const spec = d.toSpec();
    expect("callbacks" in spec).toBe(false);
    expect("callbackTimeoutMs" in spec).toBe(false);
    expect("callbacks" in spec.tasks[1]!).toBe(false);
  });

  it("rejects what is neither a function nor a notifier, and a bad policy, naming the key", () => {
    const bad = (options: Record<string, unknown>) => () => dag({ id: "bad", ...options } as never, () => {}).toSpec();
    expect(bad({ onFailure: [hook, 42] })).toThrow(/onFailure\[1\] must be a function \(ctx\) => … or a notifier/);
    expect(bad({ onSuccess: { notifier: "carrier-pigeon", connection: "x" } })).toThrow(/onSuccess: notifier must be one of: slack, teams/);
    expect(bad({ alertPolicy: { afterConsecutiveFailures: 0 } })).toThrow(/alertPolicy.afterConsecutiveFailures must be an integer >= 1/);
    expect(bad({ alertPolicy: { repeat: "1h" } })).toThrow(/unknown alertPolicy key "repeat"/);
    expect(bad({ callbackTimeout: 0 })).toThrow(/callbackTimeout must be greater than 0/);
    expect(() => dag({ id: "t" }, (b) => void b.task("x", { onRetry: "nope" } as never, () => 1)).toSpec()).toThrow(/task "x": onRetry must be a function/);
  });
});
