import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { CHROMIUM, hasChromium, screenshotDir, VIEWPORT, startUiSession, type UiSession } from "./browser-support.js";

// The Lineage page in real Chromium against the real `baton standalone` (local mode): datasets
// and the tasks and DAGs around them as a graph, narrowed to one DAG, a click through to a DAG.

if (!hasChromium) console.warn(`[test/browser] lineage skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const PRODUCER = `import { dag } from "baton";
import { sqlQuery } from "baton/operators";
export default dag({ id: "producer" }, (d) => {
  d.task("extract", { inlets: ["s3://raw/events"], outlets: ["warehouse://staging"] }, async () => 1);
  sqlQuery(d, "load", { conn: "postgres://etl@db:5432/dw", sql: "insert into sales select * from staging" });
});
`;
const CONSUMER = `import { dag } from "baton";
export default dag({ id: "consumer", schedule: { datasets: ["warehouse://staging"] } }, (d) => {
  d.task("report", { inlets: ["warehouse://staging"] }, async () => 2);
});
`;
const UNRELATED = `import { dag } from "baton";
export default dag({ id: "unrelated" }, (d) => { d.task("t", { outlets: ["file:///tmp/elsewhere.csv"] }, async () => 3); });
`;

describe.skipIf(!hasChromium)("Lineage page in Chromium", () => {
  let root: string;
  let session: UiSession | undefined;
  let browser: Browser | undefined;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-ui-lineage-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    writeFileSync(join(dags, "producer.ts"), PRODUCER);
    writeFileSync(join(dags, "consumer.ts"), CONSUMER);
    writeFileSync(join(dags, "unrelated.ts"), UNRELATED);
    const env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "100", BATON_WORKERS: "1", BATON_API_PORT: "0" };
    session = await startUiSession(env);
    browser = session.browser;
    url = session.url;
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("draws datasets, their producers, readers and triggered DAGs; ?dag= narrows it; a click opens the DAG", { timeout: 90_000 }, async () => {
    const context = await browser!.newContext({ baseURL: url, viewport: VIEWPORT, colorScheme: "light" });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto("/");
    await page.getByTestId("nav-lineage").click();
    await page.waitForURL(/\/lineage$/);
    const node = (id: string) => page.getByTestId(`lineage-node-${id}`);
    for (const id of [
      "task:producer.extract",
      "task:producer.load",
      "task:consumer.report",
      "task:unrelated.t",
      "dag:consumer",
      "dataset:warehouse://staging",
      "dataset:s3://raw/events",
      "dataset:postgres://db:5432/sales",
    ]) {
      await node(id).waitFor();
    }
    await expect(node("task:producer.load").textContent()).resolves.toContain("sqlQuery");
    expect(await page.locator(".react-flow__edge").count()).toBe(7);
    await page.screenshot({ path: join(screenshotDir(root), "lineage.png"), animations: "disabled" });

    await page.getByTestId("lineage-dag-filter").selectOption("consumer");
    await page.waitForURL(/\?dag=consumer$/);
    await node("task:unrelated.t").waitFor({ state: "detached" });
    await node("task:producer.load").waitFor({ state: "detached" });
    for (const id of ["dag:consumer", "task:consumer.report", "dataset:warehouse://staging", "task:producer.extract"]) await node(id).waitFor();

    await node("task:producer.extract").click();
    await page.waitForURL(/\/dags\/producer\/graph/);
    await context.close();
  });
});
