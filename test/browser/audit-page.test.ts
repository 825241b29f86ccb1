import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// The audit trail (docs/audit.md) through the real `baton standalone` (local mode): changes made
// through the API and a failed login are listed on the Audit page in real Chromium, filterable.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

describe.skipIf(!hasChromium)("the Audit page", () => {
  let root: string;
  let session: UiSession | undefined;
  let browser: Browser | undefined;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-audit-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(
      join(root, "dags", "hello.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "hello", schedule: null, startDate: "2026-01-01" }, (d) => { d.task("t", async () => 1); });\n`,
    );
    const env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_API_PORT: "0", BATON_WORKERS: "1", BATON_SHUTDOWN_GRACE_MS: "1000" };
    session = await startUiSession(env);
    browser = session.browser;
    url = session.url;
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("lists who changed what (the first start's admin included), newest first, and filters by action", async () => {
    const call = async (method: string, path: string, body: object) => {
      const res = await fetch(`${url}/api/v1${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return res.status;
    };
    expect(await call("PATCH", "/dags/hello", { paused: true })).toBe(200);
    expect(await call("POST", "/pools", { name: "gpu", slots: 2 })).toBe(201);
    expect(await call("PATCH", "/pools/gpu", { slots: 5 })).toBe(200);
    expect(await call("POST", "/auth/login", { username: "mallory", password: "guessed-password-1" })).toBe(401);

    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/");
      await page.getByTestId("nav-audit").click();
      await page.getByTestId("audit-table").waitFor();
      expect(await page.getByTestId("audit-action").allTextContents()).toEqual(["login.failure", "pool.update", "pool.create", "dag.pause", "user.create"]);
      const poolRow = page.locator('[data-testid^="audit-row-"]').nth(1);
      expect(await poolRow.textContent()).toContain("local");
      expect(await poolRow.getByTestId("audit-change").textContent()).toBe("slots: 2 → 5");
      expect(await page.locator("body").textContent()).not.toContain("guessed-password-1");
      await page.screenshot({ path: join(screenshotDir(root), "audit.png") });

      await page.getByTestId("audit-filter-action").fill("pool.*");
      // The filtered page replaces the list (it may be empty while it loads): two entries left.
      await expect.poll(() => page.getByTestId("audit-action").allTextContents(), { timeout: 20_000 }).toEqual(["pool.update", "pool.create"]);
      expect(page.url()).toContain("action=pool.*");
    } finally {
      await context.close();
    }
  });
});
