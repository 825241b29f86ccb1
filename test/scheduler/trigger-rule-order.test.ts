import { afterEach, describe, expect, it } from "vitest";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const dagFile = (body: string) => `${HEADER}export default dag({ id: "d" }, (d) => {\n${body}\n});\n`;
const sleep = "await new Promise((r) => setTimeout(r, 400));";

/** Regression issue-8-10: the outcome of an all_success task no longer depends on which upstream ended first. */
describe("scheduler: a failure and a skip upstream of an all_success task, in either order", () => {
  for (const [order, skipDelay, failDelay] of [
    ["skip first", "", sleep],
    ["failure first", sleep, ""],
  ] as const) {
    it(`${order}: the task and its downstream end upstream_failed, the run fails`, async () => {
      h = new Harness({
        "d.ts": dagFile(`
          const s = d.task("skips", async () => { ${skipDelay} throw new SkipTask("nothing to do"); });
          const f = d.task("fails", async () => { ${failDelay} throw new FailTask("bad input"); });
          const j = d.task("join", { after: [s, f] }, async () => 1);
          d.task("after_join", { after: [j] }, async () => 1);`),
      });
      await h.load();
      await h.start();
      const { run, states } = await h.runToEnd("d");
      expect(states).toEqual({ skips: "skipped", fails: "failed", join: "upstream_failed", after_join: "upstream_failed" });
      expect(run.state).toBe("failed");
    });
  }

  it("a branch's unchosen task is skipped even when its other upstream failed before the branch chose", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const pick = d.branch("pick", async () => { ${sleep} return "y"; });
        const t = d.task("t", async () => { throw new FailTask("early"); });
        const x = d.task("x", { after: [t] }, async () => 1);
        const y = d.task("y", async () => 1);
        pick.then([x, y]);`),
    });
    await h.load();
    await h.start();
    const { states } = await h.runToEnd("d");
    expect(states).toEqual({ pick: "success", t: "failed", x: "skipped", y: "success" });
  });
});
