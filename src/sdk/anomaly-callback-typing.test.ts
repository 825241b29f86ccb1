// Compile-time guarantees of `onAnomaly` (checked by `tsc --noEmit -p .`), and what the spec keeps of it.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AlertAnomaly, NotifierDeclaration } from "../core/model/alerts.js";
import { dag, z } from "./index.js";
import type { CallbackContext } from "./context.js";

const hook: NotifierDeclaration = { notifier: "webhook", connection: "hook" };
const slack: NotifierDeclaration = { notifier: "slack", connection: "alerts", text: "{{ title }}: {{ anomaly }}" };

describe("onAnomaly", () => {
  it("takes notifiers and functions at DAG level; the function sees the evidence", () => {
    const d = dag(
      {
        id: "anomalous",
        params: z.object({ region: z.string().default("eu") }),
        onAnomaly: [
          hook,
          (ctx) => {
            expectTypeOf(ctx).toEqualTypeOf<CallbackContext<{ region: string }>>();
            expectTypeOf(ctx.anomaly).toEqualTypeOf<AlertAnomaly | undefined>();
            expectTypeOf(ctx.anomaly!.metric).toEqualTypeOf<string>();
            expectTypeOf(ctx.anomaly!.score).toEqualTypeOf<number>();
          },
          slack,
        ],
      },
      (b) => void b.task("t", () => 1),
    );
    dag({ id: "single" }, (b) => void b.task("t", () => 1));
    void dag({ id: "one", onAnomaly: hook }, () => {});
    dag({ id: "mistakes" }, (b) => {
      // @ts-expect-error onAnomaly is DAG-level only
      b.task("t", { onAnomaly: hook }, () => 1);
      // @ts-expect-error a callback is a function or a notifier declaration
      void dag({ id: "bad", onAnomaly: "page me" }, () => {});
    });
    const spec = d.toSpec();
    expect(spec.callbacks?.onAnomaly).toEqual([
      { kind: "notifier", notifier: hook },
      { kind: "function", index: 0, name: null },
      { kind: "notifier", notifier: slack },
    ]);
    expect(typeof d.getCallback?.(0)).toBe("function");
  });

  it("rejects what is neither a function nor a notifier, naming the key", () => {
    expect(() => dag({ id: "bad", onAnomaly: [hook, 42] } as never, () => {}).toSpec()).toThrow(/onAnomaly\[1\] must be a function \(ctx\) => … or a notifier/);
    expect(() => dag({ id: "bad", onAnomaly: { notifier: "webhook", connection: "h", text: "{{ nope }}" } } as never, () => {}).toSpec()).toThrow(/onAnomaly/);
  });
});
