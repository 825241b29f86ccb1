import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandalone, stopProcess } from "../e2e/baton-cli.js";
import { CHROMIUM, hasChromium, launchChromium } from "./browser-support.js";

// Issue 8, item 4: the server now sends a Content-Security-Policy (script-src 'self', no framing).
// Every page of the built UI must work under it: no violation reported, the app renders, and the
// saved theme still applies before first paint (it used to be an inline script).

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const DAG = `import { dag } from "baton";
export default dag({ id: "csp", description: "Pages to look at" }, (d) => {
  const regions = d.task("regions", () => ["eu", "us"]);
  d.task("count", { map: { region: regions } }, (ctx, { region }) => region.length);
});
`;

describe.skipIf(!hasChromium)("the UI under the Content-Security-Policy, in Chromium", () => {
  let root: string;
  let proc: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-csp-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "csp.ts"), DAG);
    const env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_WORKERS: "1", BATON_API_PORT: "0", BATON_POLL_MS: "100" };
    const s = await startStandalone(env);
    proc = s.proc;
    url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1]!;
    const run = await fetch(`${url}/api/v1/dags/csp/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(run.status).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stopProcess(proc);
    rmSync(root, { recursive: true, force: true });
  });

  /** Opens `path`, waits for `testId`, and returns the CSP violations the page reported. */
  async function visit(page: Page, path: string, testId: string): Promise<string[]> {
    await page.goto(url + path);
    await page.getByTestId(testId).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500);
    return page.evaluate<string[]>("window.__cspViolations");
  }

  it("no page reports a violation, and the saved theme applies before the app starts", async () => {
    const context = await browser!.newContext();
    await context.addInitScript(`
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber));
      localStorage.setItem("baton.theme", "dark");
      window.__themeAtStart = null;
      document.addEventListener("readystatechange", () => { if (window.__themeAtStart === null) window.__themeAtStart = document.documentElement.dataset.theme || ""; });
    `);
    const page = await context.newPage();
    const console: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) console.push(m.text());
    });
    const response = await page.goto(url + "/");
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    const pages: [string, string][] = [
      ["/", "home-status"],
      ["/dags", "live-status"],
      ["/dags/csp/grid", "dag-title"],
      ["/dags/csp/graph", "dag-title"],
      ["/dags/csp/gantt", "dag-title"],
      ["/dags/csp/runs", "dag-title"],
      ["/dags/csp/code", "dag-title"],
      ["/datasets", "live-status"],
      ["/import-errors", "live-status"],
      ["/admin/connections", "live-status"],
      ["/admin/variables", "live-status"],
    ];
    for (const [path, testId] of pages) expect(await visit(page, path, testId), path).toEqual([]);
    expect(console).toEqual([]);
    expect(await page.evaluate<string>("window.__themeAtStart")).toBe("dark");
    await context.close();
  });
});
