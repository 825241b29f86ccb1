import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, screenshotDir, startBackfilledSession, VIEWPORT, type GridRun } from "./browser-support.js";

// Issue 12, "No trends", in real Chromium against the real `baton standalone` (local mode): the DAG
// page's Trends tab charts one duration point per run, and its calendar colours the day whose run
// failed as failed (docs/ui.md#trends).

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const FAIL_DAY = day(today - 3 * DAY);

const TRENDY = `import { dag } from "baton";
export default dag({ id: "trendy", schedule: "0 0 * * *", startDate: "2026-01-01", catchup: false }, (d) => {
  d.task("work", (ctx) => {
    if (ctx.logicalDate?.toISOString().slice(0, 10) === ${JSON.stringify(FAIL_DAY)}) throw new Error("bad day");
    return 1;
  });
});
`;

describe.skipIf(!hasChromium)("the DAG page's Trends tab", () => {
  let started: Awaited<ReturnType<typeof startBackfilledSession>> | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let runs: GridRun[];

  beforeAll(async () => {
    // The backfill's four runs finished (the schedule may add one of its own, for yesterday).
    started = await startBackfilledSession({
      dagId: "trendy",
      source: TRENDY,
      from: new Date(today - 5 * DAY).toISOString(),
      to: new Date(today - 2 * DAY).toISOString(),
      backfillRuns: 4,
    });
    ({ runs } = started);
    const url = started.session.url;
    context = await started.session.browser.newContext({ baseURL: url, viewport: VIEWPORT, timezoneId: "UTC", locale: "en-US" });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto("/dags/trendy/trends");
    await page.getByTestId("trends-tab").waitFor();
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await started?.cleanup();
  });

  it("charts one duration, landing-time and try point per run, oldest first, with a hidden table of the same runs", async () => {
    expect(runs.filter((r) => r.state === "failed").map((r) => r.logicalDate?.slice(0, 10))).toEqual([FAIL_DAY]);
    const ids = (testId: string) =>
      page
        .getByTestId(testId)
        .locator("[data-point]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-point")));
    await poll(async () => ((await ids("trends-duration")).length === runs.length ? true : undefined), 10_000);
    const oldestFirst = [...runs].sort((a, b) => (a.logicalDate ?? "").localeCompare(b.logicalDate ?? "")).map((r) => r.runId);
    expect(await ids("trends-duration")).toEqual(oldestFirst);
    expect(await ids("trends-landing")).toEqual(oldestFirst);
    expect(await ids("trends-task-tries")).toEqual(oldestFirst);
    expect(await page.getByTestId("trends-task").inputValue()).toBe("work");
    // Accessible: the chart is an image named by its heading, and the numbers are in a table.
    const chart = page.getByTestId("trends-duration").locator("svg[role=img]");
    expect(await chart.getAttribute("aria-labelledby")).toBeTruthy();
    expect(await page.getByTestId("trends-duration").locator("table.sr-only tbody tr").count()).toBe(runs.length);
  });

  it("colours the day whose run failed as failed and a day whose run succeeded as success, with the counts in the title", async () => {
    const heat = page.getByTestId("trends-heatmap");
    const cell = (date: string) => heat.locator(`rect[data-date="${date}"]`);
    expect(await heat.locator("rect[data-date]").count()).toBeGreaterThanOrEqual(365);
    expect(await cell(FAIL_DAY).getAttribute("data-outcome")).toBe("failed");
    expect(await cell(FAIL_DAY).locator("title").textContent()).toBe(`${FAIL_DAY}: 1 failed`);
    expect(await cell(day(today - 5 * DAY)).getAttribute("data-outcome")).toBe("success");
    expect(await cell(day(today - 30 * DAY)).getAttribute("data-outcome")).toBe("none");
    expect(await heat.locator("svg[role=img]").first().getAttribute("aria-label")).toContain("1 failed");
    // The calendar's days are the DAG's local days (its timezone; UTC here), and it says so.
    expect(await page.getByTestId("trends-heatmap-zone").textContent()).toContain("days in UTC");
    await page.getByTestId("trends-tab").screenshot({ path: join(screenshotDir(started!.root), "trends-tab.png"), animations: "disabled" });
  });

  it("renders in the dark theme (docs/screenshots/trends-dark.png)", async () => {
    const dark = await started!.session.browser.newContext({
      baseURL: started!.session.url,
      viewport: VIEWPORT,
      timezoneId: "UTC",
      locale: "en-US",
      colorScheme: "dark",
    });
    try {
      const darkPage = await dark.newPage();
      await darkPage.goto("/dags/trendy/trends");
      await darkPage.getByTestId("trends-heatmap").waitFor();
      expect(await darkPage.getByTestId("theme-toggle").getAttribute("data-theme-current")).toBe("dark");
      await darkPage.getByTestId("trends-tab").screenshot({ path: join(screenshotDir(started!.root), "trends-dark.png"), animations: "disabled" });
    } finally {
      await dark.close();
    }
  });
});
