import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { baton } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, waitForState, type UiSession } from "./browser-support.js";

// The task log pane (issue 12, docs/ui.md "Logs"): real Chromium against `baton standalone`
// (local mode). Search with count and next, the level filter, download of the whole log, a
// link per line that survives a reload, full screen with Esc, and live following of a running
// shell task.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const RUN_TIMEOUT = 45_000;

const LOGS = `import { dag } from "baton";
export default dag({ id: "logs" }, (d) => {
  d.task("talk", async (ctx) => {
    for (let i = 1; i <= 100; i++) ctx.log.info(\`step \${i} of the load\`);
    ctx.log.debug("cache warm", { hits: 3 });
    ctx.log.info("found the needle in info");
    ctx.log.warn("needle is slow", { ms: 900 });
    ctx.log.error("one row rejected", { row: 17 });
    console.log("plain needle output");
    return "ok";
  });
});
`;

const tailSource = (flag: string) => `import { dag } from "baton";
export default dag({ id: "tail" }, (d) => {
  d.shell("ticks", { command: ${JSON.stringify(`i=0; while [ ! -f '${flag}' ]; do i=$((i+1)); echo "tick $i"; sleep 0.1; done; echo finished`)} });
});
`;

const SHELLY = `import { dag } from "baton";
export default dag({ id: "shelly" }, (d) => {
  d.shell("extract", { command: ${JSON.stringify('echo "extracting 3 files"; for f in a b c; do echo "  read $f.csv: 1200 rows"; sleep 0.05; done; echo "warning: 2 rows skipped" >&2; sleep 0.1; echo "loaded 3598 rows"')} });
});
`;

describe.skipIf(!hasChromium)("the task log pane", () => {
  let root: string;
  let flag: string;
  let session: UiSession | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-log-pane-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    flag = join(root, "flag");
    writeFileSync(join(dags, "logs.ts"), LOGS);
    writeFileSync(join(dags, "tail.ts"), tailSource(flag));
    writeFileSync(join(dags, "shelly.ts"), SHELLY);
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: dags,
      BATON_POLL_MS: "100",
      BATON_WORKERS: "2",
      BATON_API_PORT: "0",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    };
    for (const dagId of ["logs", "tail", "shelly"]) {
      const r = await baton(["dags", "trigger", dagId, "--run-id", "manual_1"], env);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    }
    session = await startUiSession(env);
  });

  afterAll(async () => {
    writeFileSync(flag, "done");
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function openLog(page: Page): Promise<void> {
    await page.goto("/dags/logs/grid?run=manual_1");
    expect(await waitForState(page, "grid-run-manual_1", ["success", "failed"], RUN_TIMEOUT)).toBe("success");
    await page.goto("/dags/logs/grid?run=manual_1&task=talk");
    await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor();
    await page.locator('[data-line="1"]').waitFor();
  }

  it("searches with a count and next/previous, and the level filter hides lines", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await openLog(page);
      const count = page.getByTestId("log-search-count");
      await page.getByTestId("log-search").fill("NEEDLE");
      await page.getByText("1 of 3").waitFor();
      const current = () =>
        page.locator(".log-hit-current").evaluate((el) => (el.closest("[data-line]") as unknown as { dataset: { level: string } }).dataset.level);
      expect(await page.locator("mark.log-hit").count()).toBe(3);
      expect(await current()).toBe("INFO");
      await page.getByTestId("log-search-next").click();
      expect(await count.textContent()).toBe("2 of 3");
      expect(await current()).toBe("WARN");
      await page.getByTestId("log-search").press("Enter");
      expect(await count.textContent()).toBe("3 of 3");
      expect(await current()).toBe("OUTPUT");
      await page.getByTestId("log-search-prev").click();
      expect(await count.textContent()).toBe("2 of 3");

      // Console output has no level: it is "Output", and hiding it hides that line and its match.
      const output = page.locator('[data-level="OUTPUT"]');
      expect(await output.count()).toBe(1);
      expect(await output.textContent()).toContain("plain needle output");
      expect(await page.getByTestId("log-level-OUTPUT").textContent()).toContain("1");
      await page.getByTestId("log-level-OUTPUT").click();
      expect(await page.getByTestId("log-level-OUTPUT").getAttribute("aria-pressed")).toBe("false");
      expect(await output.count()).toBe(0);
      expect(await count.textContent()).toBe("2 of 2");
      expect(await page.getByTestId("task-logs").textContent()).not.toContain("plain needle output");
      await page.getByTestId("log-level-INFO").click();
      expect(await page.locator('[data-level="INFO"]').count()).toBe(0);
      expect(await page.locator('[data-level="WARN"]').count()).toBe(1);
      expect(await page.locator('[data-level="ERROR"]').count()).toBe(1);
      expect(await count.textContent()).toBe("1 of 1");
      await page.getByTestId("log-level-INFO").click();
      expect(await page.locator('[data-level="INFO"]').count()).toBe(101);
    } finally {
      await context.close();
    }
  });

  it("downloads the whole log of the try as a .log file", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await openLog(page);
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("log-download").click()]);
      expect(download.suggestedFilename()).toBe("logs_manual_1_talk_try1.log");
      const saved = join(root, "saved.log");
      await download.saveAs(saved);
      const api = await page.request.get("/api/v1/dags/logs/runs/manual_1/tasks/talk/logs?try=1");
      expect(api.ok()).toBe(true);
      const text = readFileSync(saved, "utf8");
      expect(text).toBe(await api.text());
      expect(text).toContain("step 100 of the load");
      expect(text).toContain("plain needle output");
    } finally {
      await context.close();
    }
  });

  it("links to a line: the URL gets #L<n> and the try, and a reload scrolls to the line and marks it", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await openLog(page);
      const row = page.locator('[data-line="80"]');
      await row.locator("a.log-ln").click();
      const linked = new URL(page.url());
      expect(linked.hash).toBe("#L80");
      expect(linked.searchParams.get("try")).toBe("1");
      expect(await row.getAttribute("aria-current")).toBe("true");

      await page.reload();
      await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor();
      await page.locator('[data-line="80"][aria-current="true"]').waitFor();
      expect(new URL(page.url()).hash).toBe("#L80");
      expect(await page.locator('[aria-current="true"][data-line]').count()).toBe(1);
      const inView = async () => {
        const box = await page.getByTestId("task-logs").boundingBox();
        const line = await page.locator('[data-line="80"]').boundingBox();
        return Boolean(box && line && line.y >= box.y && line.y + line.height <= box.y + box.height);
      };
      await expect.poll(inView, { timeout: 5_000 }).toBe(true);
      // Line 1 is out of view: the pane did scroll (it is not that line 80 was visible anyway).
      const first = await page.locator('[data-line="1"]').boundingBox();
      const box = await page.getByTestId("task-logs").boundingBox();
      expect(first!.y + first!.height).toBeLessThan(box!.y);
    } finally {
      await context.close();
    }
  });

  it("goes full screen and Esc leaves full screen, not the task panel", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await openLog(page);
      const pane = page.getByTestId("log-pane");
      const before = await pane.boundingBox();
      expect(before!.width).toBeLessThan(700);
      await page.getByTestId("log-fullscreen").click();
      await page.locator('[data-testid="log-pane"][data-full="true"]').waitFor();
      expect(await pane.getAttribute("role")).toBe("dialog");
      const full = await pane.boundingBox();
      expect(full).toMatchObject({ x: 0, y: 0, width: 1440, height: 900 });
      // Still the same log, with its tools.
      await page.getByTestId("log-search").fill("rejected");
      expect(await page.getByTestId("log-search-count").textContent()).toBe("1 of 1");

      await page.keyboard.press("Escape");
      await page.locator('[data-testid="log-pane"][data-full="false"]').waitFor();
      expect(await page.getByTestId("task-panel").isVisible()).toBe(true);
      expect((await pane.boundingBox())!.width).toBeLessThan(700);
      await page.getByTestId("log-fullscreen").click();
      await page.locator('[data-testid="log-pane"][data-full="true"]').waitFor();
      await page.getByTestId("log-fullscreen").click();
      await page.locator('[data-testid="log-pane"][data-full="false"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it("follows a running shell task's log live, scrolled to the end, until it finishes", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags/tail/grid?run=manual_1&task=ticks");
      await page.locator('[data-testid="task-logs"][data-status="streaming"]').waitFor({ timeout: RUN_TIMEOUT });
      await page.locator('[data-line="40"]').waitFor();
      const atEnd = () =>
        page.getByTestId("task-logs").evaluate((el) => {
          const e = el as unknown as { scrollHeight: number; scrollTop: number; clientHeight: number };
          return e.scrollHeight - e.scrollTop - e.clientHeight < 24;
        });
      await page.locator('[data-line="60"]').waitFor();
      expect(await atEnd()).toBe(true);
      await page.locator('[data-line="70"]').waitFor();
      expect(await atEnd()).toBe(true);
      // Shell output is "Output", each line stamped with when it was written (`<ISO time> OUT <line>`), the time shown dimmed.
      expect(await page.locator('[data-line="60"]').getAttribute("data-level")).toBe("OUTPUT");
      expect(await page.locator('[data-line="60"]').textContent()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z OUT tick 60\n$/);
      expect(await page.locator('[data-line="60"] .log-ts').textContent()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      writeFileSync(flag, "done");
      await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor({ timeout: RUN_TIMEOUT });
      expect(await page.getByTestId("task-logs").textContent()).toContain("finished");
    } finally {
      await context.close();
    }
  });

  it("shows a shell task's stdout and stderr lines with their timestamps, in the dark theme too (docs/screenshots/log-pane-dark.png)", async () => {
    const dark = await session!.browser.newContext({ baseURL: session!.url, viewport: { width: 1100, height: 380 }, colorScheme: "dark" });
    dark.setDefaultTimeout(20_000);
    try {
      const page = await dark.newPage();
      await page.goto("/dags/shelly/grid?run=manual_1");
      expect(await waitForState(page, "grid-run-manual_1", ["success", "failed"], RUN_TIMEOUT)).toBe("success");
      await page.goto("/dags/shelly/grid?run=manual_1&task=extract");
      await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor();
      await page.locator('[data-line="6"]').waitFor();
      const rows = await page
        .locator("[data-line]")
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute("data-level"),
            e.querySelector(".log-ts")?.textContent ?? null,
            e.querySelector(".log-lvl")?.textContent?.trim() ?? null,
          ]),
        );
      expect(rows).toHaveLength(6);
      for (const [level, ts] of rows) {
        expect(level).toBe("OUTPUT");
        expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      expect(rows.map((r) => r[2])).toEqual(["OUT", "OUT", "OUT", "OUT", "ERR", "OUT"]);
      expect(await page.getByTestId("theme-toggle").getAttribute("data-theme-current")).toBe("dark");
      await page.getByTestId("log-fullscreen").click();
      await page.locator('[data-testid="log-pane"][data-full="true"]').waitFor();
      await page.screenshot({ path: join(screenshotDir(root), "log-pane-dark.png"), animations: "disabled" });
    } finally {
      await dark.close();
    }
  });
});
