import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton, batonJson, type CliResult } from "./baton-cli.js";

// `baton tokens create|list|revoke --worker` and `baton workers list` (docs/workers.md#tokens-and-the-workers-page),
// the real binary on a temp BATON_HOME; workers are inserted through the store as an API server would.

let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-worker-tokens-cli-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function ok(args: string[]): Promise<CliResult> {
  const r = await baton(args, env);
  expect(r.code, `baton ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

type Token = {
  id: string;
  name: string;
  queues: string[] | null;
  createdBy: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  workers: { id: string; name: string }[];
};
type Entry = {
  actor: string;
  via: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  after: unknown;
  details: Record<string, unknown> | null;
};

describe("baton tokens --worker and baton workers list", () => {
  it("creates worker tokens (printed once), lists them with their workers, revokes them; every change audited, no secret in any listing", async () => {
    const actor = `cli:${userInfo().username}`;
    const plain = await ok(["tokens", "create", "--worker", "--queues", "gpu,default,gpu", "--name", "gpu-box"]);
    const token = plain.stdout.trim();
    expect(token).toMatch(/^batonw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(plain.stdout).toBe(`${token}\n`);
    expect(plain.stderr).toContain("shown only once");
    const id = token.split("_")[1]!;

    const json = batonJson<Token & { token: string }>(await ok(["tokens", "create", "--worker", "--json"]));
    expect(json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      token: expect.stringMatching(/^batonw_/),
      name: "worker",
      queues: null,
      createdBy: actor,
      createdAt: expect.any(String),
      lastSeenAt: null,
      revokedAt: null,
    });

    // A worker connected with the first token, and one that stopped, as the API server records them.
    const store = await openSqliteStore(join(root, "home", "baton.db"));
    const now = Date.now();
    const base = {
      host: "gpu1.example",
      pid: 7,
      tokenId: id,
      queues: ["gpu"],
      concurrency: 4,
      version: "9.9.9",
      startedAt: now - 60_000,
      stateChangedAt: now - 60_000,
      reason: null,
    };
    await store.workers.upsertWorker({ ...base, id: "gpu1:7:a", name: "gpu1", running: 3, state: "active", lastSeenAt: now - 1_000 });
    await store.workers.upsertWorker({ ...base, id: "gpu2:7:b", name: "gpu2", running: 0, state: "stopped", lastSeenAt: now - 30_000, reason: "shut down" });
    const stored = (await store.workers.getWorkerToken(id))!;
    await store.close();

    const listed = await ok(["tokens", "list", "--worker", "--json"]);
    const tokens = batonJson<Token[]>(listed);
    expect(tokens.map((t) => t.id)).toEqual([json.id, id]);
    expect(tokens[1]).toMatchObject({
      name: "gpu-box",
      queues: ["gpu", "default"],
      createdBy: actor,
      revokedAt: null,
      workers: [{ id: "gpu1:7:a", name: "gpu1", host: "gpu1.example", state: "active" }],
    });
    const table = (await ok(["tokens", "list", "--worker"])).stdout;
    expect(table).toMatch(new RegExp(`${id}\\s+gpu-box\\s+gpu,default\\s+${actor}`));
    expect(table).toMatch(/worker\s+any\s/);
    for (const text of [listed.stdout, table]) {
      expect(text).not.toContain(token.split("_").slice(2).join("_"));
      expect(text).not.toContain(stored.secretHash);
    }

    const workers = await ok(["workers", "list"]);
    expect(workers.stdout).toMatch(/^name\s+state\s+queues\s+running\s+version\s+lastSeen/m);
    expect(workers.stdout).toMatch(/gpu1\s+active\s+gpu\s+3\/4\s+9\.9\.9\s+\d+s ago/);
    expect(workers.stdout).toMatch(/gpu2\s+stopped \(shut down\)\s+gpu\s+0\/4/);
    const overview = batonJson<{ workers: { id: string; tokenName: string; attempts: unknown[] }[]; queues: unknown[] }>(
      await ok(["workers", "list", "--json"]),
    );
    expect(overview.workers.map((w) => [w.id, w.tokenName])).toEqual([
      ["gpu1:7:a", "gpu-box"],
      ["gpu2:7:b", "gpu-box"],
    ]);
    expect(overview.queues).toEqual([{ queue: "gpu", queued: 0, running: 0, workers: 1 }]);
    expect(batonJson<{ workers: unknown[] }>(await ok(["workers", "list", "--since", "2999-01-01", "--json"])).workers).toHaveLength(1);

    const revoked = await ok(["tokens", "revoke", id]);
    expect(revoked.stdout).toContain(`Revoked worker token ${id} "gpu-box"`);
    expect((await ok(["tokens", "revoke", id, "--worker"])).stdout).toContain("already revoked");
    expect(batonJson<Token[]>(await ok(["tokens", "list", "--worker", "--json"]))[1]!.revokedAt).toEqual(expect.any(String));
    const missing = await baton(["tokens", "revoke", "000000000000", "--worker"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no worker token "000000000000"');

    const audit = await ok(["audit", "list", "--action", "worker_token.*", "--json"]);
    const entries = batonJson<Entry[]>(audit);
    expect(entries.map((e) => [e.action, e.targetId])).toEqual([
      ["worker_token.revoke", id],
      ["worker_token.revoke", id],
      ["worker_token.create", json.id],
      ["worker_token.create", id],
    ]);
    for (const e of entries) expect(e).toMatchObject({ actor, via: "cli", targetType: "worker_token" });
    expect(entries[3]!.after).toEqual({ name: "gpu-box", queues: ["gpu", "default"] });
    expect(entries[0]!.details).toMatchObject({ alreadyRevoked: true });
    for (const secret of [token, json.token]) expect(audit.stdout).not.toContain(secret);
  });

  it("API tokens stay the default: tokens list shows them and tokens revoke deletes one", async () => {
    await ok(["users", "create", "ada", "--password", "ada-password-1234", "--role", "op"]);
    const created = batonJson<{ id: string; token: string }>(await ok(["tokens", "create", "--user", "ada", "--name", "ci", "--json"]));
    const listed = await ok(["tokens", "list", "--json"]);
    expect(batonJson<{ id: string; user: string; name: string; role: string }[]>(listed)).toEqual([
      expect.objectContaining({ id: created.id, user: "ada", name: "ci", role: "op" }),
    ]);
    expect(listed.stdout).not.toContain(created.token);
    expect(batonJson<unknown[]>(await ok(["tokens", "list", "--worker", "--json"]))).toEqual([]);
    // --worker looks among worker tokens only.
    expect((await baton(["tokens", "revoke", created.id, "--worker"], env)).code).toBe(2);
    expect((await ok(["tokens", "revoke", created.id])).stdout).toContain(`Revoked API token ${created.id} "ci" of ada`);
    expect(batonJson<unknown[]>(await ok(["tokens", "list", "--json"]))).toEqual([]);
  });

  it("refuses bad queue names and options that belong to the other kind of token, with exit code 2", async () => {
    for (const [args, message] of [
      [["--worker", "--queues", "gpu,no spaces"], '"no spaces" is not a queue name'],
      [["--worker", "--queues", ","], "at least one queue"],
      [["--worker", "--role", "admin"], "--role applies to API tokens"],
      [["--queues", "gpu"], "add --worker"],
    ] as const) {
      const r = await baton(["tokens", "create", ...args], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(message);
    }
    expect(batonJson<unknown[]>(await ok(["tokens", "list", "--worker", "--json"]))).toEqual([]);
  });
});
