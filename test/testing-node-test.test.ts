import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// baton/testing from node:test, as a user without vitest runs it: `node --test` on a plain .mjs
// file importing the compiled entry (dist/, built by `npx tsc -p tsconfig.build.json`).

const ROOT = resolve(import.meta.dirname, "..");
const TESTING = join(ROOT, "dist", "src", "testing", "index.js");
const SDK = join(ROOT, "dist", "src", "sdk", "index.js");
const dir = mkdtempSync(join(tmpdir(), "baton-node-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The docs/testing.md node:test example, with the package's imports pointed at dist/. */
const example = (extra = "") => `import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { dag } from ${JSON.stringify(pathToFileURL(SDK).href)};
import { testDag } from ${JSON.stringify(pathToFileURL(TESTING).href)};

const send = mock.fn(async (rows) => rows.length);
const pipeline = dag({ id: "example" }, (d) => {
  const extract = d.task("extract", { retries: 1, retryDelay: "1h" }, async () => [1, 2, 3]);
  d.task("load", { inputs: { rows: extract } }, async (_ctx, { rows }) => send(rows));
});

test("extract is retried an hour later and load sends its rows", async () => {
  const run = await testDag(pipeline, { now: "2026-01-01T00:00:00Z", tasks: { extract: { failOnTries: [1] } } });
  assert.equal(run.state, "success");
  assert.equal(run.task("extract").tries, 2);
  assert.equal(run.task("extract").attempts[1].startedAt, Date.parse("2026-01-01T01:00:00Z"));
  assert.equal(run.task("load").value, 3);
  assert.equal(send.mock.callCount(), 1);
});
${extra}`;

function nodeTest(file: string, text: string) {
  writeFileSync(join(dir, file), text);
  return spawnSync(process.execPath, ["--test", "--test-reporter=spec", join(dir, file)], { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

describe("baton/testing under node:test", () => {
  it("the example passes; a wrong expectation fails the node:test run", () => {
    if (!existsSync(TESTING)) throw new Error(`${TESTING} is missing: build first (npx tsc -p tsconfig.build.json)`);
    const ok = nodeTest("pipeline.test.mjs", example());
    expect(ok.stdout + ok.stderr).toMatch(/✔ extract is retried an hour later/);
    expect(ok.status).toBe(0);

    const wrong = nodeTest(
      "wrong.test.mjs",
      example(`
test("a wrong expectation", async () => {
  const run = await testDag(pipeline, { tasks: { extract: { fail: "down" } } });
  assert.equal(run.state, "success");
});
`),
    );
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/✖ a wrong expectation/);
    expect(wrong.stdout).toMatch(/actual: 'failed'/);
  });
});
