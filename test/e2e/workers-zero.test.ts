// `baton scheduler --workers 0` through the real binary: no local pool, so a default-queue task
// goes to the remote-attempts mailbox and waits there; `baton explain` says no worker listens on
// its queue. (Workers taking it: remote-workers.test.ts.)
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton, batonJson, poll, startBaton, stopProcess, waitExit } from "./baton-cli.js";

const HELLO = `import { dag } from "baton";
export default dag({ id: "hello" }, (d) => {
  d.task("greet", () => "hi");
  d.task("train", { queue: "gpu" }, () => "on a gpu");
});
`;

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-workers0-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "hello.ts"), HELLO);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_POLL_MS: "100", BATON_LOG_LEVEL: "warn" };
});
afterEach(async () => {
  await stopProcess(proc);
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

type Explanation = { state: string; reasons: { code: string; message: string; facts: Record<string, unknown> }[] };

describe("baton scheduler --workers 0", () => {
  it("runs no local pool: every task waits in the mailbox for remote workers, and explain says none listens", { timeout: 90_000 }, async () => {
    const s = await startBaton(["scheduler", "--workers", "0"], env, "Baton scheduler is running");
    proc = s.proc;
    expect(s.output()).toContain("Workers:     none (remote workers only)");
    const trigger = batonJson<{ runId: string }>(await baton(["dags", "trigger", "hello", "--json"], env));

    const store = await openSqliteStore(join(root, "home", "baton.db"));
    try {
      const depths = await poll(async () => {
        const d = await store.workers.remoteQueueDepths();
        return d.length === 2 ? d : undefined;
      });
      expect(depths).toEqual([
        { queue: "default", queued: 1, running: 0 },
        { queue: "gpu", queued: 1, running: 0 },
      ]);
      const run = (await store.getRun("hello", trigger.runId))!;
      const row = await store.workers.getRemoteAttempt(`${run.id}/greet/-1/1`);
      // Under this scheduler's lease: host:pid:random.
      expect(row).toMatchObject({ queue: "default", state: "queued", schedulerId: expect.stringMatching(/^.+:\d+:[0-9a-f]{8}$/) });
      expect((await store.listSchedulerLeases()).map((l) => l.id)).toContain(row!.schedulerId);
    } finally {
      await store.close();
    }

    const train = batonJson<Explanation>(await baton(["explain", "hello", trigger.runId, "train", "--json"], env));
    expect(train.state).toBe("queued");
    expect(train.reasons[0]).toMatchObject({ code: "queued_for_worker", facts: { queue: "gpu", remoteState: "queued", workers: 0 } });
    expect(train.reasons[0]!.message).toContain('no worker is listening on queue "gpu"');

    s.proc.kill("SIGTERM");
    expect(await waitExit(s.proc)).toBe(0);
  });
});
