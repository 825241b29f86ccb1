import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../core/secrets/secret.js";
import { makeRequest, tempDir } from "../../executor/testing/dag-fixtures.js";
import { bundleAsServedFrom, FakeWorkerServer } from "../../../test/support/fake-worker-server.js";
import { WorkerAgent } from "./worker-agent.js";
import { localSdkRoot } from "./worker-options.js";

// Regression, issue 13 item A: a remote worker runs the bundle it fetched into its own cache
// folder; a task's error must still name the DAG file's .ts line (as the server's machine has
// the file), not `<cacheDir>/bundles/<roots>-<sha256>.mjs:…` nor a path made up under the cache.

// Line numbers matter: the task throws on line 5.
const DAG = `import { dag } from "baton";

export default dag({ id: "remote" }, (d) => {
  d.task("bad", async () => {
    throw new Error("remote task broke on line 5");
  });
});
`;
const SERVER_SDK_ROOT = "file:///srv/baton-elsewhere/dist/src";
const TOKEN = "batonw_0123456789ab_secretsecret";

let code: Buffer;
let sha: string;
beforeAll(async () => {
  ({ code, sha } = await bundleAsServedFrom(DAG, localSdkRoot(), SERVER_SDK_ROOT));
}, 60_000);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("a remote worker's task failure", () => {
  it("names the DAG file and line in the reported error and the streamed log", async () => {
    const server = await FakeWorkerServer.start({ token: TOKEN, sdkRoot: SERVER_SDK_ROOT, bundles: new Map([[sha, code]]) });
    cleanups.push(() => server.close());
    const cacheDir = tempDir("baton-worker-cache-");
    const agent = new WorkerAgent({
      server: server.url,
      token: new Secret(TOKEN),
      concurrency: 1,
      cacheDir,
      version: "test",
      killGraceMs: 1_000,
      deliverMs: 2_000,
    });
    cleanups.push(() => agent.drain(0).catch(() => {}));
    await agent.start();
    await server.waitFor("hello");

    const a = makeRequest({ bundlePath: `/srv/baton/.baton/bundles/${sha}.mjs`, logDir: "/srv/baton/.baton/logs", dagId: "remote", taskId: "bad" });
    server.send({ t: "run", attempts: [a] });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome.kind).toBe("failed");
    const error = "error" in finished.outcome ? finished.outcome.error : "";
    for (const text of [error, server.logOf(a.attemptId)]) {
      expect(text).toContain("Error: remote task broke on line 5");
      expect(text).toMatch(/\/baton-dp-[^/]+\/dags\/remote\.ts:5:\d+/);
      expect(text).not.toMatch(/\.mjs:\d+/);
      expect(text).not.toContain(cacheDir);
    }
  });
});
