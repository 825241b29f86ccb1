import { describe, expect, it } from "vitest";
import { dag } from "./index.js";

describe("the sensitive task option", () => {
  it("marks the runtime task (the runner then keeps the value whole for sealing); absent means not sensitive", () => {
    const def = dag({ id: "s" }, (d) => {
      const creds = d.task("creds", { sensitive: true }, () => ({ pw: "x" }));
      d.task("use", { inputs: { creds } }, (_ctx, { creds }) => creds.pw.length);
    });
    expect(() => def.toSpec()).not.toThrow();
    expect(def.getTask("creds")!.sensitive).toBe(true);
    expect(def.getTask("use")!.sensitive).toBeUndefined();
  });

  it("must be a boolean, and is not a shell task option", () => {
    const bad = dag({ id: "bad" }, (d) => {
      d.task("t", { sensitive: "yes" as unknown as boolean }, () => 1);
    });
    expect(() => bad.toSpec()).toThrow(/sensitive must be true or false, got "yes"/);
    const sh = dag({ id: "sh" }, (d) => {
      d.shell("s", { command: "echo hi", sensitive: true } as never);
    });
    expect(() => sh.toSpec()).toThrow(/sensitive/);
  });
});
