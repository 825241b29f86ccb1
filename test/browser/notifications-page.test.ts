import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { sampleAlert, StandInServer } from "../../src/alerts/testing/stand-in-server.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// Notifications (docs/alerts.md#notifiers) through the real `baton standalone`: two alerts left
// pending in its database (as after a restart) are sent by its outbox when it starts — one
// delivered to a Slack stand-in, one refused by it (404) — and the Notifications page of the UI,
// in real Chromium, shows the failed one with its error.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

describe.skipIf(!hasChromium)("the Notifications page", () => {
  let root: string;
  let session: UiSession | undefined;
  let browser: Browser | undefined;
  let slack: StandInServer;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-notifications-ui-"));
    mkdirSync(join(root, "dags"));
    slack = await StandInServer.start();
    slack.fallback = (r) => (r.url.includes("/GONE") ? { status: 404, body: "no_service" } : { status: 200, body: "ok" });
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_SHUTDOWN_GRACE_MS: "1000",
      BATON_CONN_SLACK_OK: `slackwebhook://:${encodeURIComponent(`${slack.origin}/services/T/B/OKSECRET`)}@`,
      BATON_CONN_SLACK_GONE: `slackwebhook://:${encodeURIComponent(`${slack.origin}/services/T/B/GONE`)}@`,
    };
    const migrated = await baton(["db", "migrate"], env);
    expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
    const store = await openSqliteStore(join(root, "home", "baton.db"));
    const now = Date.now();
    await store.notifications.addDelivery(
      {
        declaration: { notifier: "slack", connection: "slack_ok" },
        alert: sampleAlert({ dedupKey: "baton/etl/ok" }),
        summary: "Task etl.load failed: ok",
        createdAt: now,
      },
      0,
    );
    await store.notifications.addDelivery(
      {
        declaration: { notifier: "slack", connection: "slack_gone" },
        alert: sampleAlert({ dedupKey: "baton/etl/gone" }),
        summary: "Task etl.load failed: gone",
        createdAt: now,
      },
      0,
    );
    await store.close();
    session = await startUiSession(env);
    browser = session.browser;
    url = session.url;
  });

  afterAll(async () => {
    await session?.stop();
    await slack?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("the outbox sends what was pending; the page lists the failed delivery with its error, then all of them", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/notifications");
      // The page refreshes every 15 s; reload until the outbox has recorded the failure.
      const row = page.locator('[data-testid^="notification-row-"]');
      for (let i = 0; i < 40 && (await row.count()) === 0; i++) {
        await page.waitForTimeout(500);
        await page.reload();
      }
      expect(await row.count()).toBe(1);
      expect(await row.getByTestId("notification-state").textContent()).toBe("failed");
      expect(await row.getByTestId("notification-error").textContent()).toContain(`Slack webhook at 127.0.0.1:${slack.port}: HTTP 404: no_service`);
      expect(await row.textContent()).not.toContain("GONE");
      expect(slack.received.filter((r) => r.url === "/services/T/B/OKSECRET")).toHaveLength(1);

      await page.getByTestId("notifications-filter-state").selectOption("all");
      await page.locator('[data-testid^="notification-row-"]').nth(1).waitFor();
      const states = await page.getByTestId("notification-state").allTextContents();
      expect(states.sort()).toEqual(["delivered", "failed"]);
      await page.getByTestId("nav-notifications").waitFor();
    } finally {
      await context.close();
    }
  });
});
