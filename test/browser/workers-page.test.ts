import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { WorkerRecord } from "../../src/core/model/workers.js";
import type { AttemptRequest } from "../../src/core/ports/executor.js";
import { taskSpec } from "../../src/store/contract/fixtures.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// The Workers page (docs/workers.md#tokens-and-the-workers-page) through the real `baton standalone`
// (local mode: the admin) in real Chromium: create a worker token (shown once, copied), see it
// listed; a worker and its attempts written to the database as an API server records them appear
// without a reload, with the queue no worker serves flagged; revoke the token after confirming.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

type Store = Awaited<ReturnType<typeof openSqliteStore>>;

function request(attemptId: string, taskId: string, runId: string): AttemptRequest {
  return {
    attemptId,
    runPk: 1,
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 3,
    bundlePath: "/b/etl.mjs",
    task: taskSpec(taskId),
    context: {
      dagId: "etl",
      runId,
      runType: "manual",
      logicalDate: null,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      timezone: "UTC",
      params: {},
      conf: {},
    },
    inputs: {},
    logPath: "/l/x.log",
    maxOutputBytes: 1_000_000,
  };
}

describe.skipIf(!hasChromium)("the Workers page", () => {
  let root: string;
  let session: UiSession | undefined;
  let store: Store | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-workers-ui-"));
    mkdirSync(join(root, "dags"));
    session = await startUiSession({
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    });
    store = await openSqliteStore(join(root, "home", "baton.db"));
  });

  afterAll(async () => {
    clearInterval(heartbeat);
    await store?.close();
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("creates a token shown once, lists it, shows a worker and its attempts live, flags a queue without workers, and revokes the token", async () => {
    const context = await uiContext(session!);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: session!.url });
    try {
      const page = await context.newPage();
      await page.goto("/");
      await page.getByTestId("nav-workers").click();
      await page.waitForURL(/\/workers$/);
      await page.getByText("No workers yet").waitFor();
      await page.getByText("No worker tokens yet").waitFor();

      // Create: the token is shown once, copied with the button, with the command that uses it.
      await page.getByTestId("new-worker-token").first().click();
      await page.getByTestId("worker-token-name").fill("gpu-box-1");
      await page.getByTestId("worker-token-queues").fill("gpu, default");
      await page.getByTestId("worker-token-submit").click();
      const text = page.getByTestId("worker-token-text");
      await text.waitFor();
      const token = await text.inputValue();
      expect(token).toMatch(/^batonw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(await page.getByTestId("worker-token-created").textContent()).toContain("shown only once");
      expect(await page.getByTestId("worker-token-command").textContent()).toBe(
        `export BATON_WORKER_TOKEN=${token}\nbaton worker --server ${session!.url} --queues gpu,default`,
      );
      await page.getByTestId("worker-token-copy").click();
      await page.getByTestId("worker-token-copy").getByText("Copied").waitFor();
      expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(token);
      await page.getByTestId("worker-token-done").click();
      await page.getByTestId("worker-token-created").waitFor({ state: "detached" });

      const row = page.getByTestId("worker-token-row-gpu-box-1");
      await row.waitFor();
      const id = token.split("_")[1]!;
      expect(await row.textContent()).toContain(id);
      expect(await row.getByTestId("worker-token-last-seen").textContent()).toBe("never");
      expect(await page.locator("body").textContent()).not.toContain(token);
      const stored = await store!.workers.getWorkerToken(id);
      expect(stored).toMatchObject({ name: "gpu-box-1", queues: ["gpu", "default"], createdBy: "local", revokedAt: null });

      // A worker connected with it, one attempt assigned, one running, one waiting in a queue nobody serves.
      const now = Date.now();
      const gpu1: WorkerRecord = {
        id: "gpu1:4242:x1",
        name: "gpu1",
        host: "gpu1.internal",
        pid: 4242,
        tokenId: id,
        queues: ["gpu", "default"],
        concurrency: 4,
        running: 2,
        version: "0.9.0",
        state: "active",
        startedAt: now - 3_600_000,
        lastSeenAt: now,
        stateChangedAt: now - 3_600_000,
        reason: null,
      };
      await store!.workers.upsertWorker(gpu1);
      await store!.workers.touchWorkerToken(id, now); // as the API server does when the worker connects
      await store!.workers.upsertWorker({
        ...gpu1,
        id: "etl2:77:y2",
        name: "etl2",
        host: "etl2.internal",
        pid: 77,
        queues: ["default"],
        running: 0,
        state: "stopped",
        lastSeenAt: now - 7_200_000,
        stateChangedAt: now - 7_200_000,
        reason: "shut down (SIGTERM)",
      });
      heartbeat = setInterval(() => void store!.workers.touchWorker(gpu1.id, Date.now(), 2), 1_000);
      await store!.workers.enqueueRemoteAttempts([
        {
          attemptId: "1/train/-1/1",
          runPk: 1,
          schedulerId: "sched-test",
          queue: "gpu",
          request: request("1/train/-1/1", "train", "manual__2026-01-01"),
          createdAt: now,
        },
        {
          attemptId: "1/score/-1/1",
          runPk: 1,
          schedulerId: "sched-test",
          queue: "gpu",
          request: request("1/score/-1/1", "score", "manual__2026-01-01"),
          createdAt: now + 1,
        },
        {
          attemptId: "2/submit/-1/1",
          runPk: 2,
          schedulerId: "sched-test",
          queue: "spark",
          request: request("2/submit/-1/1", "submit", "manual__2026-01-02"),
          createdAt: now + 2,
        },
      ]);
      expect((await store!.workers.claimRemoteAttempts(gpu1.id, ["gpu"], 2, now)).map((a) => a.attemptId)).toEqual(["1/train/-1/1", "1/score/-1/1"]);
      expect(await store!.workers.markRemoteStarted([{ attemptId: "1/train/-1/1", workerId: gpu1.id, startedAt: now, pid: 999 }])).toEqual(["1/train/-1/1"]);

      // The page polls: no reload.
      const worker = page.getByTestId("worker-row-gpu1");
      await worker.waitFor();
      expect(await worker.getAttribute("data-state")).toBe("active");
      expect(await worker.getByTestId("worker-state").textContent()).toBe("Active");
      expect(await worker.getByTestId("worker-load").textContent()).toBe("2/4");
      const attempts = worker.getByTestId("worker-attempt");
      expect(await attempts.allTextContents()).toEqual(["runningetl.train#1", "sentetl.score#1"]);
      expect(await attempts.first().getAttribute("href")).toBe("/dags/etl/grid?run=manual__2026-01-01&task=train");
      expect(await page.getByTestId("worker-row-etl2").getByTestId("worker-state").textContent()).toBe("Stoppedshut down (SIGTERM)");
      await page.getByTestId("queue-row-spark").getByTestId("queue-no-worker").waitFor();
      expect(await page.getByTestId("queue-row-gpu").textContent()).toBe("gpu021");
      expect(await page.getByTestId("workers-stranded").textContent()).toContain("1 attempt(s) wait");
      await expect.poll(() => row.getByTestId("worker-token-workers").textContent(), { timeout: 20_000 }).toBe("gpu1");
      expect(await row.getByTestId("worker-token-last-seen").textContent()).not.toBe("never");

      await shot(page, "workers.png");
      const dark = await context.browser()!.newContext({ baseURL: session!.url, viewport: page.viewportSize()!, colorScheme: "dark" });
      try {
        const darkPage = await dark.newPage();
        await darkPage.goto("/workers");
        await darkPage.getByTestId("worker-row-gpu1").waitFor();
        await darkPage.getByTestId("worker-token-row-gpu-box-1").getByText("gpu1").waitFor();
        await shot(darkPage, "workers-dark.png");
      } finally {
        await dark.close();
      }

      // The heartbeat's age moves between polls once the worker goes quiet.
      clearInterval(heartbeat);
      const beat = worker.getByTestId("worker-heartbeat");
      await expect.poll(async () => Number(/^(\d+) s ago$/.exec((await beat.textContent()) ?? "")?.[1] ?? -1), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

      // Revoke, after confirming.
      await page.getByTestId("worker-token-revoke-gpu-box-1").click();
      const confirm = page.getByTestId("confirm-dialog");
      expect(await confirm.textContent()).toContain("1 worker(s) connected with it (gpu1) are disconnected and refused");
      await page.getByTestId("confirm-ok").click();
      await expect.poll(() => row.getAttribute("data-revoked")).toBe("true");
      expect(await row.getByTestId("worker-token-revoke-gpu-box-1").count()).toBe(0);
      expect(await row.textContent()).toContain("Revoked");
      expect((await store!.workers.getWorkerToken(id))?.revokedAt).toEqual(expect.any(Number));
    } finally {
      await context.close();
    }
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir(root), name), animations: "disabled" });
});
