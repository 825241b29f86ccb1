import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// Deadlines (docs/deadlines.md) in real Chromium against `baton standalone`: a run misses its
// deadline while its task still runs; the Deadlines page lists the miss (linking to the run) and
// the DAG's Runs tab shows the run's "Deadline missed" badge.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

describe.skipIf(!hasChromium)("the Deadlines page and the run badge", () => {
  let root: string;
  let session: UiSession | undefined;
  let browser: Browser | undefined;
  let url: string;
  let runId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-deadlines-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(
      join(root, "dags", "late.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "late", deadline: { reference: "queuedAt", interval: "500ms" } }, (d) => {\n  d.task("slow", async () => { await new Promise((r) => setTimeout(r, 2000)); return 1; });\n});\n`,
    );
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    };
    session = await startUiSession(env);
    browser = session.browser;
    url = session.url;
    const res = await fetch(`${url}/api/v1/dags/late/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    runId = ((await res.json()) as { runId: string }).runId;
    await poll(async () => {
      const body = (await (await fetch(`${url}/api/v1/deadlines/missed`)).json()) as { missed: unknown[] };
      return body.missed.length > 0 ? true : undefined;
    }, 20_000);
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("lists the miss, links to its run, and the run carries the badge", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/");
      await page.getByTestId("nav-deadlines").click();
      const row = page.locator('[data-testid^="deadline-row-"]');
      await row.first().waitFor();
      expect(await row.count()).toBe(1);
      const text = await row.first().textContent();
      expect(text).toContain("late");
      expect(text).toContain(runId);
      expect(text).toContain("queuedAt + 500ms");

      // The DAG filter keeps only that DAG's misses.
      await page.getByTestId("deadlines-filter-dag").fill("other");
      await page.getByText("No missed deadlines for other").waitFor();
      await page.getByTestId("deadlines-filter-dag").fill("late");
      await row.first().waitFor();

      await page.goto("/dags/late/runs");
      const runRow = page.getByTestId(`run-row-${runId}`);
      await runRow.waitFor();
      await runRow.getByTestId("deadline-missed-badge").waitFor();
      expect(await runRow.getByTestId("deadline-missed-badge").textContent()).toContain("Deadline missed");
    } finally {
      await context.close();
    }
  });
});
