import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { baton } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// "Why isn't it running?" in the UI (docs/explain.md): real Chromium against the real
// `baton standalone` (local mode). The DAG is paused with a queued run: the run panel and the
// task panel say why, with the reason codes.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const HELLO = `import { dag } from "baton";
export default dag({ id: "hello" }, (d) => {
  const greet = d.task("greet", () => "hi");
  d.task("shout", { inputs: { greet } }, (_ctx, { greet }) => greet.toUpperCase());
});
`;

describe.skipIf(!hasChromium)("the Why isn't it running? panel", () => {
  let root: string;
  let session: UiSession | undefined;
  let browser: Browser | undefined;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-explain-ui-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    writeFileSync(join(dags, "hello.ts"), HELLO);
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: dags,
      BATON_POLL_MS: "100",
      BATON_WORKERS: "1",
      BATON_API_PORT: "0",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    };
    for (const args of [
      ["dags", "trigger", "hello", "--run-id", "manual_1"],
      ["dags", "pause", "hello"],
    ]) {
      const r = await baton(args, env);
      expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    session = await startUiSession(env);
    browser = session.browser;
    url = session.url;
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("shows the run's and the task's reasons: paused DAG, run not started", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags/hello/grid?run=manual_1");
      const run = page.getByTestId("run-panel").getByTestId("explain-section");
      await run.locator('[data-code="dag_paused"]').waitFor();
      expect(await run.textContent()).toContain('DAG "hello" is paused: its queued runs do not start until it is unpaused');

      await page.goto("/dags/hello/grid?run=manual_1&task=shout");
      const task = page.getByTestId("task-panel").getByTestId("explain-section");
      await task.locator('[data-code="run_not_started"]').waitFor();
      const items = task.getByTestId("explain-reason");
      const codes: (string | null)[] = [];
      for (let i = 0; i < (await items.count()); i++) codes.push(await items.nth(i).getAttribute("data-code"));
      expect(codes).toEqual(["run_not_started", "dag_paused"]);
      expect(await task.textContent()).toContain('Task "shout" waits for its run "manual_1", which is queued and has not started.');
    } finally {
      await context.close();
    }
  });
});
